/**
 * Turns every failure (an HTTP error reply, a network problem, anything thrown while processing an
 * item) into a NodeApiError/NodeOperationError that says what happened and how to fix it, and never
 * carries the API key.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { IncompleteStreamError } from './answerStream';
import {
	errorCode,
	headerValue,
	RESET_CODES,
	timeoutPhase,
	UNREACHABLE_CODES,
	type Headers,
	type TimeoutPhase,
} from './netCodes';
import { redactDeep, redactSecrets } from './redact';
import { rateLimitResetMs } from './retry';
import { CancelledError } from './sleep';


export interface HttpFailure {
	/** HTTP status. */
	status: number;
	/** Raw response body text (may be '', HTML, JSON). */
	bodyText: string;
	/** Response headers (lower-case keys). */
	headers: Headers;
	/** For context; the url contains no secret. */
	method: string;
	url: string;
	/** Strings that must never appear in the result (the API key). */
	secrets: Array<string | undefined>;
	/** How many attempts were made (retries included), when the caller knows. */
	attempts?: number;
	/** A paid answer that had started arriving when the server reported this error (in its stream). */
	answerSoFar?: AnswerSoFar;
}

/** What of a paid answer had arrived when it failed, and whether only the billing rule kept it from going again. */
export interface AnswerSoFar {
	/** e.g. "412 characters of text and 1 tool call", "1,234 bytes of the reply". */
	arrived: string;
	notRepeated: boolean;
	/** Whether the node has the Retry Broken Answers option to point to. */
	retryOption: boolean;
}

/** "412 characters of text had arrived when this happened. The request was not repeated, …" */
function answerSoFarText(answer: AnswerSoFar): string {
	const arrived = `${answer.arrived.charAt(0).toUpperCase()}${answer.arrived.slice(1)} had arrived when this happened`;
	if (!answer.notRepeated) return arrived;
	if (!answer.retryOption) return `${arrived}. The request was not repeated, so as not to be billed twice: run it again to retry it`;
	return (
		`${arrived}. The request was not repeated, so as not to be billed twice: run the item again to retry it, ` +
		'or turn on the Retry Broken Answers request option to have such answers requested again automatically (each attempt is billed)'
	);
}

export interface ParsedErrorBody {
	message?: string;
	code?: string;
	param?: string;
	requestId?: string;
	/** The body was an HTML page (a proxy or load balancer answered, not the API). */
	isHtml?: boolean;
}

const SERVICE = 'DigitalOcean Serverless Inference';
/** Provider messages longer than this are cut: some backends echo whole prompts into errors. */
const MAX_PROVIDER_MESSAGE = 500;

/**
 * Parses DO `{id,message,request_id}`, OpenAI `{error:{message,type,code,param}}`,
 * Anthropic `{type:"error",error:{type,message}}`, `{detail}` (also FastAPI's list form), plain
 * text and HTML bodies. JSON is recognised whatever the content type says.
 */
export function parseErrorBody(bodyText: string, contentType?: string): ParsedErrorBody {
	const text = bodyText.trim();
	if (text === '') return {};
	const json = tryParseJson(text);
	if (json !== undefined) return parseJsonError(json, text);
	if (looksLikeHtml(text, contentType)) {
		const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
		const message = title ? oneLine(decodeEntities(title)) : '';
		return message ? { message, isHtml: true } : { isHtml: true };
	}
	return { message: truncate(oneLine(text), MAX_PROVIDER_MESSAGE) };
}

function parseJsonError(json: unknown, text: string): ParsedErrorBody {
	if (typeof json === 'string') return json.trim() ? { message: truncate(oneLine(json), MAX_PROVIDER_MESSAGE) } : {};
	if (!isObject(json)) return { message: truncate(text, MAX_PROVIDER_MESSAGE) };
	const nested = isObject(json.error) ? json.error : undefined;
	const detail = parseDetail(json.detail);
	const message =
		asText(nested?.message) ??
		(typeof json.error === 'string' ? json.error : undefined) ??
		asText(json.message) ??
		detail.message ??
		// An unknown JSON shape: show it (short) rather than nothing.
		truncate(text, MAX_PROVIDER_MESSAGE);
	const parsed: ParsedErrorBody = { message: truncate(oneLine(message), MAX_PROVIDER_MESSAGE) };
	// The specific code (OpenAI `code`, e.g. context_length_exceeded) before the generic type.
	const code = asText(nested?.code) ?? asText(nested?.type) ?? asText(json.id) ?? asText(json.code);
	if (code) parsed.code = code;
	const param = asText(nested?.param) ?? asText(json.param) ?? detail.param;
	if (param) parsed.param = param;
	const requestId = asText(json.request_id) ?? asText(nested?.request_id);
	if (requestId) parsed.requestId = requestId;
	return parsed;
}

/** `{detail: "..."}` or FastAPI/vLLM's `{detail: [{loc: ["body", "x"], msg}]}`. */
function parseDetail(detail: unknown): { message?: string; param?: string } {
	if (typeof detail === 'string') return { message: detail };
	if (!Array.isArray(detail)) return {};
	let param: string | undefined;
	const parts = detail.map((entry) => {
		if (!isObject(entry)) return String(entry);
		const loc = Array.isArray(entry.loc) ? entry.loc.filter((part) => part !== 'body').join('.') : '';
		param ??= loc || undefined;
		const msg = asText(entry.msg) ?? JSON.stringify(entry);
		return loc ? `${loc}: ${msg}` : msg;
	});
	return parts.length > 0 ? { message: parts.join('; '), param } : {};
}

export function requestIdOf(headers: Headers, parsed?: { requestId?: string }): string | undefined {
	return headerValue(headers, 'x-request-id') ?? headerValue(headers, 'request-id') ?? parsed?.requestId;
}

/** A NodeApiError for a non-2xx reply: status-class message, fix-it description, request id. */
export function httpError(node: INode, f: HttpFailure, itemIndex?: number): NodeApiError {
	const contentType = headerValue(f.headers, 'content-type');
	const parsed = parseErrorBody(redactSecrets(f.bodyText, f.secrets), contentType);
	const requestId = requestIdOf(f.headers, parsed);
	const htmlSummary = parsed.message
		? `The server returned an HTML page titled "${parsed.message}"`
		: `The server returned an HTML page (status ${f.status})`;
	// What the provider said, for use inside the message ("Not found – <detail>").
	const detail = parsed.isHtml
		? (parsed.message ?? `the server returned an HTML page (status ${f.status})`)
		: (parsed.message ?? `no details given (HTTP ${f.status})`);
	const described = describeStatus(f, parsed.param, detail);
	const message = described.message;
	// Retry advice does not fit an answer held back for billing: what arrived and how to repeat it does.
	const hint = f.answerSoFar
		? [answerSoFarText(f.answerSoFar), ...(f.answerSoFar.notRepeated ? [] : described.hint)]
		: described.hint;
	const said = parsed.isHtml
		? htmlSummary
		: parsed.message && !message.includes(parsed.message)
			? `The service said: "${parsed.message}"`
			: undefined;
	// No full stop after the id: it would look like part of it.
	const description = joinSentences([...hint, said]) + (requestId ? ` Request ID: ${requestId}` : '');

	// Minimal, sanitised payload: NodeApiError keeps it as `errorResponse`. Never headers, never HTML.
	const response: JsonObject = {
		status: f.status,
		method: f.method,
		url: f.url,
		...(parsed.message ? { message: parsed.message } : {}),
		...(parsed.code ? { code: parsed.code } : {}),
		...(parsed.param ? { param: parsed.param } : {}),
		...(requestId ? { requestId } : {}),
	};
	const body = parsed.isHtml ? undefined : tryParseJson(f.bodyText.trim());
	if (isObject(body)) response.body = body as JsonObject;
	return build(node, response, {
		message,
		description,
		httpCode: String(f.status),
		secrets: f.secrets,
		itemIndex,
		requestId,
	});
}

/** The message (what happened) and the hint sentences (how to fix it) for a status. */
function describeStatus(
	f: HttpFailure,
	param: string | undefined,
	detail: string,
): { message: string; hint: Array<string | undefined> } {
	const status = f.status;
	if (status === 401) {
		return {
			message: 'Authorization failed – check your Model Access Key',
			hint: [
				'Create or copy a Model Access Key in the DigitalOcean control panel (Agent Platform → Serverless Inference → Model Access Keys) ' +
					"and paste it into the credential. Also check the credential's Base URL (normally https://inference.do-ai.run)",
			],
		};
	}
	if (status === 403) {
		return {
			message: 'Access denied – the key is not allowed to use this model or resource',
			hint: [
				'Check the scope of the Model Access Key, that your account or team has access to this model, ' +
					'and any VPC or IP restrictions on the endpoint',
			],
		};
	}
	if (status === 404) {
		return {
			message: `Not found – ${detail}`,
			hint: [
				'Check the model ID (choose it "From List" to see the models your key can use) or, for jobs, the job ID: ' +
					"finished jobs expire after a while. Also check the credential's Base URL",
			],
		};
	}
	if (status === 408 || status === 504) {
		return {
			message: `The request timed out at the server (HTTP ${status})`,
			hint: [
				'The model took too long to answer. Try again, send less input or lower the maximum output tokens, ' +
					'use streaming, or use an asynchronous operation for long jobs',
			],
		};
	}
	if (status === 429) {
		const wait = retryAfterText(f.headers);
		return {
			message: `Rate limit reached – ${detail}`,
			hint: [
				'Wait and run again, lower the Concurrency request option, or raise Max Retries so the node waits out the limit',
				wait ? `The server asked to wait ${wait} before retrying` : undefined,
			],
		};
	}
	if (status === 400 || status === 413 || status === 422) {
		return {
			message: `Bad request – ${detail}${param ? ` (parameter: ${param})` : ''}`,
			hint: [
				status === 413
					? 'The request is too large: send less input (shorter text, fewer or smaller images or files)'
					: param
						? `Check the value of "${param}": the model or endpoint rejected it. Not every model supports every option`
						: "Check the node's parameters and options: the model or endpoint rejected a value. Not every model supports every option",
			],
		};
	}
	if (status >= 500) {
		return {
			message: `${SERVICE} had a temporary problem (HTTP ${status})`,
			hint: [
				f.attempts && f.attempts > 1 ? `It still failed after ${f.attempts} attempts` : undefined,
				'This is usually transient: try again later, or raise the Max Retries request option',
			],
		};
	}
	if (status >= 400) {
		return {
			message: `The request was rejected (HTTP ${status}) – ${detail}`,
			hint: ["Check the node's parameters and the credential"],
		};
	}
	return {
		message: `Unexpected response from ${SERVICE} (HTTP ${status})`,
		hint: ["Check the credential's Base URL: it should point at the inference API, not at a proxy or web page"],
	};
}

function retryAfterText(headers: Headers): string | undefined {
	const ms = headerValue(headers, 'retry-after-ms');
	if (ms && Number.isFinite(Number(ms))) return `${formatSeconds(Number(ms))} s`;
	const value = headerValue(headers, 'retry-after');
	if (value) return Number.isFinite(Number(value)) ? `${Number(value)} s` : `until ${value}`;
	const reset = rateLimitResetMs(headers);
	return reset === undefined ? undefined : `${formatSeconds(reset)} s (until the rate limit resets)`;
}

export interface NetworkContext {
	method: string;
	url: string;
	secrets: Array<string | undefined>;
	/** Set by the transport when one of its own timers fired. */
	timedOut?: TimeoutPhase;
	timeoutMs?: number;
	/** A paid answer that had started arriving when the reply broke. */
	answerSoFar?: AnswerSoFar;
}

const PHASE_TEXT = { connect: 'connect', headers: 'response headers', body: 'response body' };

/**
 * A NodeApiError for a request that got no complete HTTP reply. Aborts caused by the user cancelling
 * the execution are not errors to report: callers check `isAbortError` first and rethrow those.
 */
export function networkError(node: INode, err: Error, ctx: NetworkContext, itemIndex?: number): NodeApiError {
	const code = errorCode(err);
	const origin = originOf(ctx.url);
	// AbortSignal.timeout() rejects with a TimeoutError that doesn't say which phase it hit.
	const phase = ctx.timedOut ?? timeoutPhase(err) ?? (err.name === 'TimeoutError' ? 'headers' : undefined);
	let message: string;
	let description: string;
	if (phase) {
		const after = ctx.timeoutMs !== undefined ? ` after ${formatSeconds(ctx.timeoutMs)} s` : '';
		message = `The request timed out${after} (waiting for ${PHASE_TEXT[phase]})`;
		description =
			phase === 'connect'
				? `${origin} did not accept a connection in time. Check the credential's Base URL, your network and any proxy`
				: phase === 'body'
					? 'The server stopped sending data for longer than the timeout (for streaming: the gap between events). Raise the Timeout option in the node\'s options, or try again'
					: 'The model took longer to start answering than the timeout allows. Raise the Timeout option in the node\'s options, send less input, or use streaming';
	} else if (code && UNREACHABLE_CODES.has(code)) {
		message = `Could not reach ${SERVICE} at ${origin}`;
		description =
			code === 'ENOTFOUND' || code === 'EAI_AGAIN'
				? `The host name could not be resolved (${code}). Check the credential's Base URL and your DNS or proxy settings`
				: `Nothing accepted the connection (${code}). Check the credential's Base URL, your network, firewall and proxy (HTTP_PROXY / HTTPS_PROXY) settings`;
	} else if (err instanceof IncompleteStreamError) {
		message = 'The answer stream ended before the answer was complete';
		description = `${origin} closed the stream before its final event. This is usually transient: try again, or raise the Max Retries request option`;
	} else if (code && RESET_CODES.has(code)) {
		message = ctx.answerSoFar ? 'The connection was reset while the answer was arriving' : 'The connection was reset';
		description = `The connection to ${origin} closed before the reply was complete (${code}). This is usually transient: try again, or raise the Max Retries request option. If it keeps happening, check proxies or firewalls between n8n and the service`;
	} else if (isAbortError(err)) {
		message = 'The request was cancelled';
		description = 'The execution was stopped while the request was running';
	} else if (code && /CERT|TLS|SSL/i.test(code)) {
		message = `Could not make a secure connection to ${origin}`;
		description = `TLS/certificate problem (${code}): ${err.message}. A proxy that intercepts HTTPS needs its CA in NODE_EXTRA_CA_CERTS`;
	} else {
		message = `Network error while calling ${SERVICE} at ${origin}`;
		description = `${err.message}${code ? ` (${code})` : ''}. Check the credential's Base URL and your network, then try again`;
	}
	if (ctx.answerSoFar) {
		// What arrived replaces the retry advice when only the billing rule stopped a repeat.
		description = ctx.answerSoFar.notRepeated ? answerSoFarText(ctx.answerSoFar) : `${answerSoFarText(ctx.answerSoFar)}. ${description}`;
	}
	const response: JsonObject = {
		method: ctx.method,
		url: ctx.url,
		name: err.name,
		message: err.message,
		...(code ? { code } : {}),
		...(phase ? { timedOut: phase } : {}),
		...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
	};
	return build(node, response, { message, description: joinSentences([description]), secrets: ctx.secrets, itemIndex });
}

/** True when `err` comes from an AbortSignal being aborted (cancelled execution), not a timeout. */
export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
	if (signal?.aborted && err === signal.reason) return true; // abort(reason) rejects with the reason
	if (!isObject(err)) return false;
	return err.name === 'AbortError' || err.code === 'ABORT_ERR' || err.code === 'UND_ERR_ABORTED';
}

/**
 * For rethrowing anything from an item: sets `context.itemIndex` on an existing NodeApiError or
 * NodeOperationError (their constructors hand the same object back and ignore itemIndex), wraps
 * anything else as a NodeOperationError.
 */
export function withItemIndex(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError || isForeignNodeError(error)) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof Error) {
		const description = (error as { description?: unknown }).description;
		return new NodeOperationError(node, error, {
			itemIndex,
			...(typeof description === 'string' ? { description } : {}),
		});
	}
	return new NodeOperationError(node, typeof error === 'string' ? error : `Unexpected error: ${safeString(error)}`, {
		itemIndex,
	});
}

/**
 * What a catch block throws for an error it does not handle itself: a NodeApiError/NodeOperationError
 * of the item (withItemIndex: an existing one goes on as it is, with `itemIndex` set) — or, unchanged,
 * a cancellation, which runItems and runBatches report as "cancelled" rather than as the item's error.
 */
export function passOn(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError | CancelledError {
	return error instanceof CancelledError ? error : withItemIndex(node, error, itemIndex);
}

/** The same classes from another copy of n8n-workflow (instanceof fails across copies). */
function isForeignNodeError(error: unknown): error is NodeApiError | NodeOperationError {
	return (
		error instanceof Error &&
		(error.name === 'NodeApiError' || error.name === 'NodeOperationError') &&
		isObject((error as { context?: unknown }).context)
	);
}

/**
 * NodeApiError rewrites the message it is given when it contains a Node error code as a substring
 * (e.g. "preexisting" contains EEXIST) and may blank a description equal to the message, so the
 * final fields are set again after construction.
 */
function build(
	node: INode,
	response: JsonObject,
	o: {
		message: string;
		description: string;
		httpCode?: string;
		secrets: Array<string | undefined>;
		itemIndex?: number;
		requestId?: string;
	},
): NodeApiError {
	const message = redactSecrets(o.message, o.secrets);
	const description = redactSecrets(o.description, o.secrets);
	const error = new NodeApiError(node, redactDeep(response, o.secrets), {
		message,
		description,
		...(o.httpCode ? { httpCode: o.httpCode } : {}),
		...(o.itemIndex !== undefined ? { itemIndex: o.itemIndex } : {}),
	});
	error.message = message;
	error.description = description;
	error.httpCode = o.httpCode ?? null;
	error.messages = error.messages.map((entry) => redactSecrets(entry, o.secrets));
	if (o.requestId) error.context.requestId = redactSecrets(o.requestId, o.secrets);
	return error;
}

function originOf(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		return "the credential's Base URL";
	}
}

function looksLikeHtml(text: string, contentType?: string): boolean {
	return /html/i.test(contentType ?? '') || /^<(!doctype html|html|head|body)\b/i.test(text) || /<\/html>/i.test(text);
}

function tryParseJson(text: string): unknown {
	if (!/^[[{"]/.test(text)) return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asText(value: unknown): string | undefined {
	if (typeof value === 'string') return value.trim() || undefined;
	if (typeof value === 'number') return String(value);
	if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value.join('; ');
	return undefined;
}

function decodeEntities(text: string): string {
	return text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, '&');
}

function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

function joinSentences(parts: Array<string | undefined>): string {
	return parts
		.filter((part): part is string => !!part)
		.map((part) => (/[.!?…]"?$/.test(part) ? part : `${part}.`))
		.join(' ');
}

function formatSeconds(ms: number): string {
	return String(Number((ms / 1000).toFixed(1)));
}

function safeString(value: unknown): string {
	try {
		return typeof value === 'object' ? JSON.stringify(value) : String(value);
	} catch {
		return String(value);
	}
}

/**
 * The HTTP status class of an error event inside an SSE stream (`{error:{type, code, message}}` or
 * Anthropic's `{type:"error", error:{type}}`), so it is retried and explained like the same error
 * answered as a plain HTTP reply.
 */
export function streamErrorStatus(payload: unknown): number {
	const error = (isObject(payload) && isObject(payload.error) ? payload.error : payload) as Record<string, unknown>;
	if (!isObject(error)) return 500;
	for (const candidate of [error.status, error.code]) {
		const status = Number(candidate);
		if (Number.isInteger(status) && status >= 400 && status <= 599) return status;
	}
	const kind = `${String(error.type ?? '')} ${String(error.code ?? '')}`.toLowerCase();
	if (/rate.?limit|too_many/.test(kind)) return 429;
	if (/overload|unavailable|capacity/.test(kind)) return 503;
	if (/timeout/.test(kind)) return 504;
	if (/auth/.test(kind)) return 401;
	if (/permission|forbidden/.test(kind)) return 403;
	if (/not_found/.test(kind)) return 404;
	if (/invalid|bad_request|validation/.test(kind)) return 400;
	return 500;
}
