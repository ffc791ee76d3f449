/**
 * The only code in this package that talks HTTP. Built on undici: one pooled keep-alive dispatcher per
 * process, finite timeouts, the execution's cancel signal on every request and sleep, retries with
 * backoff that honour the server's hints, one shared pause per origin after a 429, and errors mapped
 * to NodeApiError without ever exposing the key. What may be sent again depends on what a repeat costs
 * (retry.ts `RetryMode`): a paid answer that had started arriving is never repeated unasked.
 */
import { Transform, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { answerStarted, describeReceived, IncompleteStreamError, readAnswer, StreamErrorEvent, type StreamReader } from './answerStream';
import { CONNECT_TIMEOUT_MS, downloadDispatcher, getDispatcher, routeDownloads } from './dispatchers';
import { httpError, networkError, streamErrorStatus, type AnswerSoFar } from './errors';
import { DownloadPolicy, DownloadRefusedError } from './networkPolicy';
import { errorCode, headerValue, timeoutPhase, type TimeoutPhase } from './netCodes';
import { gateKey, pauseGate, waitForGate } from './rateGate';
import { redactSecrets } from './redact';
import {
	backoffDelayMs,
	defaultRetryMode,
	isRetryableNetworkError,
	isRetryableStatus,
	mayResendAfterHeaders,
	serverRetryDelayMs,
	type RetryMode,
} from './retry';
import { abortableSleep, CancelledError } from './sleep';
import { isFollowedRedirect, nextHop } from './redirects';
import { MAX_SSE_EVENT_CHARS, parseSse } from './sse';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

export type { RetryMode } from './retry';

export const DEFAULT_BASE_URL = 'https://inference.do-ai.run';
export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_MAX_RETRIES = 3;
/** A server asking us to wait longer than this gets its error surfaced instead of a silent stall. */
const MAX_SERVER_WAIT_MS = 120_000;
/** Error bodies are read only this far: enough for any JSON error, bounded for HTML error pages. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/**
 * The largest JSON reply read. The largest legitimate ones are 10 generated 1536×1024 PNGs as base64
 * (~85 MB at worst) and an embeddings batch of 2,048 long vectors; this is well above both and well
 * below what one string may hold.
 */
export const MAX_JSON_REPLY_BYTES = 256 * 1024 * 1024;

export interface TransportConfig {
	node: INode;
	baseUrl: string;
	apiKey: string;
	/** Max wait for response headers, and max silence between body chunks (SSE: between events). */
	timeoutMs?: number;
	maxRetries?: number;
	/** The execution's cancel signal: aborts in-flight requests and retry sleeps. */
	signal?: AbortSignal;
	/** `x-api-key` is what Anthropic clients send to /v1/messages; Bearer everywhere else. */
	authScheme?: 'bearer' | 'x-api-key';
	log?: (message: string, meta?: Record<string, unknown>) => void;
	/**
	 * Send a `billable` request again even when its answer broke off after it had started arriving
	 * (the user's "Retry Broken Answers" option: they accept paying twice).
	 */
	retryBrokenAnswers?: boolean;
	/**
	 * Whether the node offers "Retry Broken Answers" (default true), so that the error for a broken paid
	 * answer may point to it. The Chat Model sub-node has none: text streamed into a chat cannot be taken back.
	 */
	offersRetryBrokenAnswers?: boolean;
	/** Backoff tuning for tests; production uses the defaults. */
	backoff?: { baseMs: number; capMs: number };
	/** Size caps for tests; production uses MAX_JSON_REPLY_BYTES and MAX_SSE_EVENT_CHARS. */
	limits?: { jsonBytes?: number; sseEventChars?: number };
}

export interface CallOptions {
	method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
	/** Path below the base URL, e.g. `/v1/chat/completions`. */
	path: string;
	/** An absolute URL instead (downloads); only the API's own origin ever gets the key. */
	url?: string;
	query?: Record<string, string | undefined>;
	body?: unknown;
	headers?: Record<string, string>;
	/** Default: `safe` for GET, `billable` for anything else (see RetryMode). */
	retry?: RetryMode;
	itemIndex?: number;
	/** Secrets inside the body (e.g. an MCP authorization) that errors must never repeat. */
	secrets?: string[];
	/** Hand a 301/302/303/307/308 reply to the caller (downloads follow them hop by hop) instead of failing. */
	returnRedirects?: boolean;
	/** A raw body (an upload) instead of a JSON `body`. */
	payload?: UploadPayload;
}

/** The bytes of an upload; `open` starts them afresh for every attempt. */
export interface UploadPayload {
	open: () => Readable;
	length: number;
	contentType: string;
}

export interface ReplyMeta {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	requestId?: string;
}

export interface Download extends ReplyMeta {
	/** The body, streamed; it errors once more than `maxBytes` arrive. */
	stream: Readable;
	contentType?: string;
	contentLength?: number;
}

/** A parsed reply: the JSON body, or the answer a stream reader folded from the events. */
export interface Reply<T> extends ReplyMeta {
	data: T;
}

/**
 * Filled in by a reply's reader once the 2xx headers are in: what of the answer has arrived, or
 * undefined while nothing has. `send()` reads it when the reply breaks, to decide whether a `billable`
 * request may go again and to tell the user what they got.
 */
interface AnswerProgress {
	arrived?: () => string | undefined;
}

/** A download hop that answered with a redirect. */
interface RedirectReply {
	location?: string;
}

/** A size limit for messages: `200 MB`, `0.5 MB`, or below a kilobyte `1,000 bytes`. */
export function megabytes(bytes: number): string {
	if (bytes < 1024) return `${bytes.toLocaleString('en-US')} bytes`;
	return `${Number((bytes / 1048576).toPrecision(3))} MB`;
}

/** `https://host/v1/` and `https://host` both mean the API root `https://host`. */
export function normalizeBaseUrl(baseUrl: string | undefined): string {
	const trimmed = (baseUrl || DEFAULT_BASE_URL).trim().replace(/\/+$/, '');
	return trimmed.replace(/\/v1$/, '');
}

async function readTextCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
		chunks.push(buffer);
		size += buffer.length;
		if (size >= maxBytes) {
			body.destroy();
			break;
		}
	}
	return Buffer.concat(chunks).toString('utf8').slice(0, maxBytes);
}

/** The download policy's refusal, worded for an upload (the policy guards both the same way). */
function refusedUpload(node: INode, error: DownloadRefusedError, itemIndex: number | undefined): NodeOperationError {
	const message = error.message.replace(/^Refused to download from/, 'Refused to upload to');
	const description = error.description
		.replace(/^Media URLs come from the job's result, so n8n does not fetch them from private networks\./, "Upload URLs come from DigitalOcean's reply, so n8n does not send files to private networks.")
		.replace(/Nothing was downloaded\.$/, 'Nothing was uploaded.');
	return new NodeOperationError(node, message, { itemIndex, description });
}

export class InferenceClient {
	readonly baseUrl: string;

	private readonly origin: string;

	/**
	 * Origin + a hash of the key: identifies whose quota and models these are without holding the key.
	 * Rate limits are per account and key, so a 429 pauses this scope only; model lists cache by it.
	 */
	readonly scope: string;

	private readonly timeoutMs: number;

	private readonly maxRetries: number;

	private readonly limits: { jsonBytes: number; sseEventChars: number };

	/**
	 * Which hosts media may be downloaded from (the Base URL's host always). Built at the first download:
	 * reading n8n's SSRF settings builds IP range lists, work most executions (text nodes) never need.
	 */
	private downloadPolicy?: DownloadPolicy;

	/** `dispatcher` for the API's origin; any other origin (a media host) goes through the download policy. */
	private readonly dispatcher: Dispatcher;

	constructor(
		private readonly config: TransportConfig,
		dispatcher: Dispatcher = getDispatcher(),
	) {
		this.baseUrl = normalizeBaseUrl(config.baseUrl);
		this.origin = new URL(this.baseUrl).origin;
		this.dispatcher = routeDownloads(dispatcher, this.origin, () => downloadDispatcher(this.downloads()));
		this.scope = gateKey(this.origin, config.apiKey);
		this.timeoutMs = config.timeoutMs && config.timeoutMs > 0 ? config.timeoutMs : DEFAULT_TIMEOUT_MS;
		this.maxRetries = Math.max(0, config.maxRetries ?? DEFAULT_MAX_RETRIES);
		this.limits = {
			jsonBytes: config.limits?.jsonBytes ?? MAX_JSON_REPLY_BYTES,
			sseEventChars: config.limits?.sseEventChars ?? MAX_SSE_EVENT_CHARS,
		};
	}

	private downloads(): DownloadPolicy {
		this.downloadPolicy ??= new DownloadPolicy(new URL(this.baseUrl));
		return this.downloadPolicy;
	}

	/**
	 * A JSON request; non-2xx replies become NodeApiError after the retries allowed by `retry`. Once a
	 * 2xx reply's headers are in, the server has done the work: a `billable` body cut short is an error.
	 */
	async json<T = unknown>(call: CallOptions): Promise<Reply<T>> {
		return await this.send(call, 'application/json', async (response, meta, progress) => {
			let received = 0;
			progress.arrived = () => (received === 0 ? "the reply's headers" : `${received.toLocaleString('en-US')} bytes of the reply`);
			const limit = this.limits.jsonBytes;
			const tooLarge = () =>
				new NodeOperationError(this.config.node, `The reply is larger than the limit of ${megabytes(limit)} for JSON replies`, {
					itemIndex: call.itemIndex,
					description:
						'The limit protects n8n\'s memory and is far above any normal answer. Ask for less in one request: fewer or smaller images, or fewer texts per embeddings batch (Batch Size).',
				});
			if (Number(headerValue(response.headers, 'content-length')) > limit) throw tooLarge();
			const chunks: Buffer[] = [];
			for await (const chunk of response.body) {
				const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
				received += buffer.length;
				if (received > limit) throw tooLarge();
				chunks.push(buffer);
			}
			const text = Buffer.concat(chunks).toString('utf8');
			let data: T;
			try {
				data = (text === '' ? {} : JSON.parse(text)) as T;
			} catch {
				throw networkError(
					this.config.node,
					new Error(`The server answered with invalid JSON (status ${meta.status})`),
					this.errorContext(call),
					call.itemIndex,
				);
			}
			return { ...meta, data };
		});
	}

	/**
	 * A streaming (SSE) request whose events `reader()` folds into the answer (a fresh reader per
	 * attempt). A stream that breaks, ends early or reports an error before any of the answer arrived
	 * is sent again like a refused request; after that, a `billable` one is an error that says what had
	 * arrived — unless the reader finds the answer whole anyway.
	 */
	async stream<T>(call: CallOptions, reader: () => StreamReader<T>): Promise<Reply<T>> {
		return await this.send(call, 'text/event-stream', async (response, meta, progress) => {
			const answer = reader();
			progress.arrived = () => {
				const received = answer.received();
				return answerStarted(received) ? describeReceived(received) : undefined;
			};
			const sse = { sawDone: false };
			const data = await readAnswer(parseSse(response.body, sse, this.limits.sseEventChars), answer, sse);
			return { ...meta, data };
		});
	}

	/**
	 * Streams a file (a job's media). Same retries and timeouts as other GETs; the Authorization header
	 * goes only to the API's own origin, never to a media host. Redirects are followed (at most
	 * MAX_REDIRECTS), each hop checked by the download policy before anything connects to it. More than
	 * `maxBytes` is an error, checked against Content-Length up front and counted while streaming.
	 * `path` names the file in errors instead of the URL's path.
	 */
	async download(url: string, options: { maxBytes?: number; itemIndex?: number; path?: string } = {}): Promise<Download> {
		const { itemIndex } = options;
		let target: URL;
		try {
			target = new URL(url);
		} catch {
			throw new NodeOperationError(this.config.node, 'The media URL is not a valid URL', { itemIndex });
		}
		// A refusal (policy, redirect limits) names the host and how to allow it; nothing connected to it.
		const policed = <T>(check: () => T): T => {
			try {
				return check();
			} catch (error) {
				throw new NodeOperationError(this.config.node, error as Error, { itemIndex, description: (error as DownloadRefusedError).description });
			}
		};
		for (let followed = 0; ; followed++) {
			policed(() => this.downloads().checkUrl(target, followed > 0));
			const call: CallOptions = {
				method: 'GET',
				path: followed === 0 && options.path ? options.path : target.pathname,
				url: target.href,
				itemIndex,
				returnRedirects: true,
			};
			const reply = await this.send(call, '*/*', async (response, meta) => {
				if (!isFollowedRedirect(response.statusCode)) return this.cappedBody(response, meta, options.maxBytes, itemIndex);
				await response.body.dump();
				return { location: headerValue(response.headers, 'location') } satisfies RedirectReply;
			});
			if (!('location' in reply)) return reply;
			const from = target;
			target = policed(() => nextHop(from, reply.location, followed));
		}
	}

	/**
	 * Uploads a file with PUT to a presigned URL (a batch's input file). The URL comes from a reply, so it
	 * is checked by the download policy like a download, and it gets the key only if it is on the API's
	 * own origin: a presigned URL carries its authorization in its query. Uploading again costs nothing,
	 * so failures are retried like GETs, each attempt with the bytes opened afresh. `path` names the
	 * target in errors instead of the URL (whose query is a signature).
	 */
	async upload(url: string, payload: UploadPayload, options: { itemIndex?: number; path?: string } = {}): Promise<ReplyMeta> {
		const { itemIndex } = options;
		let target: URL;
		try {
			target = new URL(url);
		} catch {
			throw new NodeOperationError(this.config.node, 'The upload URL is not a valid URL', { itemIndex });
		}
		try {
			this.downloads().checkUrl(target);
		} catch (error) {
			throw refusedUpload(this.config.node, error as DownloadRefusedError, itemIndex);
		}
		const call: CallOptions = { method: 'PUT', path: options.path ?? target.pathname, url: target.href, payload, retry: 'safe', itemIndex };
		return await this.send(call, '*/*', async (response, meta) => {
			await response.body.dump();
			return meta;
		});
	}

	/**
	 * A request whose reply is a file (e.g. POST /v1/audio/speech): the body comes back as a stream with
	 * its content type, capped at `maxBytes` like `download()`. Non-2xx replies are mapped as usual.
	 */
	async binary(call: CallOptions, options: { maxBytes?: number } = {}): Promise<Download> {
		return await this.send(call, '*/*', async (response, meta) => this.cappedBody(response, meta, options.maxBytes, call.itemIndex));
	}

	private cappedBody(response: Dispatcher.ResponseData, meta: ReplyMeta, maxBytesOption: number | undefined, itemIndex?: number): Download {
		const maxBytes = maxBytesOption ?? Number.MAX_SAFE_INTEGER;
		const contentLength = Number(headerValue(response.headers, 'content-length'));
		const tooLarge = () =>
			new NodeOperationError(this.config.node, `The file is larger than the limit of ${megabytes(maxBytes)}`, {
				itemIndex,
				description: 'Raise the size limit in the node options, or ask for a smaller or shorter result.',
			});
		if (Number.isFinite(contentLength) && contentLength > maxBytes) {
			response.body.destroy();
			throw tooLarge();
		}
		let received = 0;
		const capped = new Transform({
			transform(chunk: Buffer, _encoding, done) {
				received += chunk.length;
				done(received > maxBytes ? tooLarge() : null, chunk);
			},
		});
		response.body.on('error', (error) => capped.destroy(error));
		return {
			...meta,
			stream: response.body.pipe(capped),
			contentType: headerValue(response.headers, 'content-type'),
			contentLength: Number.isFinite(contentLength) ? contentLength : undefined,
		};
	}

	private errorContext(call: CallOptions, timedOut?: TimeoutPhase) {
		return {
			method: call.method ?? 'POST',
			url: this.targetOf(call).origin + call.path,
			secrets: [this.config.apiKey, ...(call.secrets ?? [])],
			timedOut,
			timeoutMs: timedOut === 'connect' ? CONNECT_TIMEOUT_MS : this.timeoutMs,
		};
	}

	/** Where a call goes: the API (base URL + path) or, for downloads, an absolute URL. */
	private targetOf(call: CallOptions): { origin: string; path: string; authorize: boolean } {
		if (!call.url) return { origin: this.origin, path: this.pathWithQuery(call), authorize: true };
		const url = new URL(call.url);
		return { origin: url.origin, path: url.pathname + url.search, authorize: url.origin === this.origin };
	}

	private headersFor(call: CallOptions, accept: string, authorize: boolean): Record<string, string> {
		const headers: Record<string, string> = {
			accept,
			'user-agent': `${PACKAGE_NAME}/${PACKAGE_VERSION}`,
			...call.headers,
		};
		if (call.body !== undefined) headers['content-type'] = 'application/json';
		if (call.payload) {
			headers['content-type'] = call.payload.contentType;
			headers['content-length'] = String(call.payload.length);
		}
		if (accept === 'text/event-stream') headers['cache-control'] = 'no-cache';
		// The key goes to the API's own origin only — never to a media host.
		if (!authorize) return headers;
		if (this.config.authScheme === 'x-api-key') headers['x-api-key'] = this.config.apiKey;
		else headers.authorization = `Bearer ${this.config.apiKey}`;
		return headers;
	}

	private pathWithQuery(call: CallOptions): string {
		const query = new URLSearchParams();
		for (const [key, value] of Object.entries(call.query ?? {})) {
			if (value !== undefined) query.set(key, value);
		}
		const search = query.toString();
		return search ? `${call.path}?${search}` : call.path;
	}

	private backoff(attempt: number): number {
		return backoffDelayMs(attempt, this.config.backoff);
	}

	private async send<T>(
		call: CallOptions,
		accept: string,
		onSuccess: (response: Dispatcher.ResponseData, meta: ReplyMeta, progress: AnswerProgress) => Promise<T>,
	): Promise<T> {
		const { signal, node } = this.config;
		const method = call.method ?? 'POST';
		const mode: RetryMode = call.retry ?? defaultRetryMode(method);
		const body = call.body === undefined ? undefined : JSON.stringify(call.body);
		const cancelled = () => signal?.aborted === true;
		const target = this.targetOf(call);

		for (let attempt = 0; ; attempt++) {
			await waitForGate(this.scope, signal);
			let response: Dispatcher.ResponseData;
			try {
				response = await this.dispatcher.request({
					origin: target.origin,
					path: target.path,
					method,
					headers: this.headersFor(call, accept, target.authorize),
					body: call.payload ? call.payload.open() : body,
					signal,
					headersTimeout: this.timeoutMs,
					bodyTimeout: this.timeoutMs,
				});
			} catch (error) {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the internal cancel signal; runItems and runBatches report it as a NodeOperationError
				if (cancelled()) throw new CancelledError();
				// The download policy refused the address a media host resolved to: nothing connected.
				if (error instanceof DownloadRefusedError) {
					if (call.payload) throw refusedUpload(node, error, call.itemIndex);
					throw new NodeOperationError(node, error, { itemIndex: call.itemIndex, description: error.description });
				}
				if (attempt < this.maxRetries && isRetryableNetworkError(error, mode)) {
					this.config.log?.('Retrying after a connection failure', { attempt, code: errorCode(error) });
					await abortableSleep(this.backoff(attempt), signal);
					continue;
				}
				throw networkError(node, error, this.errorContext(call, timeoutPhase(error)), call.itemIndex);
			}

			const meta: ReplyMeta = {
				status: response.statusCode,
				headers: response.headers,
				requestId: headerValue(response.headers, 'x-request-id'),
			};
			const fail = (status: number, bodyText: string, answerSoFar?: AnswerSoFar) =>
				httpError(
					node,
					{
						status,
						bodyText,
						headers: response.headers,
						method,
						url: target.origin + call.path,
						secrets: [this.config.apiKey, ...(call.secrets ?? [])],
						attempts: attempt + 1,
						answerSoFar,
					},
					call.itemIndex,
				);

			const redirect = call.returnRedirects === true && isFollowedRedirect(response.statusCode);
			if (!redirect && (response.statusCode < 200 || response.statusCode >= 300)) {
				const bodyText = await readTextCapped(response.body, MAX_ERROR_BODY_BYTES).catch(() => '');
				if (cancelled()) throw new CancelledError();
				const serverDelay = serverRetryDelayMs(response.headers, response.statusCode);
				const waitMs = serverDelay ?? this.backoff(attempt);
				const mayRetry =
					attempt < this.maxRetries &&
					isRetryableStatus(response.statusCode, mode) &&
					waitMs <= MAX_SERVER_WAIT_MS;
				if (!mayRetry) throw fail(response.statusCode, bodyText);
				this.config.log?.('Retrying after a retryable status', { attempt, status: response.statusCode, waitMs });
				// After a 429 every request with this key waits (the shared gate), not just this one.
				if (response.statusCode === 429 && target.authorize) pauseGate(this.scope, waitMs);
				else await abortableSleep(waitMs, signal);
				continue;
			}

			const progress: AnswerProgress = {};
			try {
				return await onSuccess(response, meta, progress);
			} catch (error) {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the internal cancel signal; runItems and runBatches report it as a NodeOperationError
				if (cancelled()) throw new CancelledError();
				// A body never read reports its abort as an 'error' event: nobody is left to hear it.
				response.body.on('error', () => undefined).destroy();
				const arrived = progress.arrived?.();
				const resend = attempt < this.maxRetries && mayResendAfterHeaders(mode, arrived !== undefined, this.config.retryBrokenAnswers);
				// A paid answer that had started: the error says what arrived, and whether only the billing rule
				// (not a spent retry budget) kept a failure that deserved a repeat from going again.
				const answerSoFar = (repeatable: boolean): AnswerSoFar | undefined =>
					mode === 'billable' && arrived !== undefined
						? { arrived, notRepeated: repeatable && !this.config.retryBrokenAnswers, retryOption: this.config.offersRetryBrokenAnswers !== false }
						: undefined;
				if (error instanceof StreamErrorEvent) {
					const status = streamErrorStatus(error.payload);
					if (resend && isRetryableStatus(status, mode)) {
						this.config.log?.('Retrying after an error event in the stream', { attempt, status });
						await abortableSleep(this.backoff(attempt), signal);
						continue;
					}
					throw fail(status, JSON.stringify({ error: error.payload }), answerSoFar(isRetryableStatus(status, mode)));
				}
				const broken = error instanceof IncompleteStreamError || isRetryableNetworkError(error, 'safe');
				if (broken && resend) {
					this.config.log?.('Retrying after the response broke off', { attempt, code: errorCode(error) });
					await abortableSleep(this.backoff(attempt), signal);
					continue;
				}
				if (broken || timeoutPhase(error)) {
					const context = { ...this.errorContext(call, timeoutPhase(error)), answerSoFar: answerSoFar(broken) };
					throw networkError(node, error, context, call.itemIndex);
				}
				// A consumer's own error (e.g. a malformed event quoted in the message) may echo a secret.
				if (error instanceof Error) error.message = redactSecrets(error.message, [this.config.apiKey, ...(call.secrets ?? [])]);
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a consumer's own error goes on as it is; runItems maps it to a NodeOperationError of the item
				throw error;
			}
		}
	}
}
