/**
 * The only code in this package that talks HTTP. Built on undici: one pooled keep-alive dispatcher per
 * process, finite timeouts, the execution's cancel signal on every request and sleep, retries with
 * backoff that honour the server's hints, one shared pause per origin after a 429, and errors mapped
 * to NodeApiError without ever exposing the key.
 */
import { Transform, type Readable } from 'node:stream';
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { httpError, networkError, streamErrorStatus } from './errors';
import { errorCode, headerValue, timeoutPhase, type TimeoutPhase } from './netCodes';
import { gateKey, pauseGate, waitForGate } from './rateGate';
import { redactSecrets } from './redact';
import { backoffDelayMs, isRetryableNetworkError, isRetryableStatus, serverRetryDelayMs, type RetryMode } from './retry';
import { abortableSleep, CancelledError } from './sleep';
import { parseSse, type SseEvent } from './sse';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

export type { RetryMode } from './retry';

export const DEFAULT_BASE_URL = 'https://inference.do-ai.run';
export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_MAX_RETRIES = 3;
const CONNECT_TIMEOUT_MS = 30_000;
/** A server asking us to wait longer than this gets its error surfaced instead of a silent stall. */
const MAX_SERVER_WAIT_MS = 120_000;
/** Error bodies are read only this far: enough for any JSON error, bounded for HTML error pages. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

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
	/** Backoff tuning for tests; production uses the defaults. */
	backoff?: { baseMs: number; capMs: number };
}

export interface CallOptions {
	method?: 'GET' | 'POST' | 'DELETE';
	/** Path below the base URL, e.g. `/v1/chat/completions`. */
	path: string;
	/** An absolute URL instead (downloads); only the API's own origin ever gets the key. */
	url?: string;
	query?: Record<string, string | undefined>;
	body?: unknown;
	headers?: Record<string, string>;
	retry?: RetryMode;
	itemIndex?: number;
	/** Secrets inside the body (e.g. an MCP authorization) that errors must never repeat. */
	secrets?: string[];
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

export interface StreamMeta extends ReplyMeta {
	/** Becomes true once the stream's `data: [DONE]` arrived (after the events are consumed). */
	sse: { sawDone: boolean };
}

export interface JsonReply<T> extends ReplyMeta {
	data: T;
}

/** Thrown by stream consumers when a stream ended before its final event; `safe` calls retry it. */
export class IncompleteStreamError extends Error {
	constructor(message = 'The response stream ended before the answer was complete') {
		super(message);
		this.name = 'IncompleteStreamError';
	}
}

/** Thrown by stream consumers for an error the server reported inside a stream that had started fine. */
export class StreamErrorEvent extends Error {
	constructor(readonly payload: unknown) {
		super('The server reported an error while streaming');
		this.name = 'StreamErrorEvent';
	}
}

let sharedDispatcher: Dispatcher | undefined;

function proxyConfigured(): boolean {
	const env = process.env;
	return Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
}

/** One keep-alive pool per process; EnvHttpProxyAgent honours HTTP(S)_PROXY / NO_PROXY when set. */
export function getDispatcher(): Dispatcher {
	if (!sharedDispatcher) {
		const options = {
			keepAliveTimeout: 30_000,
			connections: 64,
			connect: { timeout: CONNECT_TIMEOUT_MS },
		};
		sharedDispatcher = proxyConfigured() ? new EnvHttpProxyAgent(options) : new Agent(options);
	}
	return sharedDispatcher;
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

	constructor(
		private readonly config: TransportConfig,
		private readonly dispatcher: Dispatcher = getDispatcher(),
	) {
		this.baseUrl = normalizeBaseUrl(config.baseUrl);
		this.origin = new URL(this.baseUrl).origin;
		this.scope = gateKey(this.origin, config.apiKey);
		this.timeoutMs = config.timeoutMs && config.timeoutMs > 0 ? config.timeoutMs : DEFAULT_TIMEOUT_MS;
		this.maxRetries = Math.max(0, config.maxRetries ?? DEFAULT_MAX_RETRIES);
	}

	/** A JSON request; non-2xx replies become NodeApiError after the retries allowed by `retry`. */
	async json<T = unknown>(call: CallOptions): Promise<JsonReply<T>> {
		return await this.send(call, 'application/json', async (response, meta) => {
			const text = await response.body.text();
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
	 * A streaming (SSE) request. `consume` reads the events and returns the result; if the stream breaks
	 * (connection reset, or `consume` throws IncompleteStreamError) a `safe` call starts over, so
	 * `consume` must build its result only from the events it is given.
	 */
	async stream<T>(
		call: CallOptions,
		consume: (events: AsyncIterable<SseEvent>, meta: StreamMeta) => Promise<T>,
	): Promise<T> {
		return await this.send(call, 'text/event-stream', async (response, meta) => {
			const sse = { sawDone: false };
			return await consume(parseSse(response.body, sse), { ...meta, sse });
		});
	}

	/**
	 * Streams a file (a job's media). Same retries and timeouts as other GETs; the Authorization header
	 * goes only to the API's own origin, never to a media host. More than `maxBytes` is an error, checked
	 * against Content-Length up front and counted while streaming.
	 */
	async download(url: string, options: { maxBytes?: number; itemIndex?: number; path?: string } = {}): Promise<Download> {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			throw new NodeOperationError(this.config.node, 'The media URL is not a valid URL', { itemIndex: options.itemIndex });
		}
		if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
			throw new NodeOperationError(this.config.node, `Only http(s) media URLs can be downloaded (got ${parsed.protocol})`, {
				itemIndex: options.itemIndex,
			});
		}
		const call: CallOptions = { method: 'GET', path: options.path ?? parsed.pathname, url: parsed.href, itemIndex: options.itemIndex };
		return await this.streamedBody(call, options.maxBytes);
	}

	/**
	 * A request whose reply is a file (e.g. POST /v1/audio/speech): the body comes back as a stream with
	 * its content type, capped at `maxBytes` like `download()`. Non-2xx replies are mapped as usual.
	 */
	async binary(call: CallOptions, options: { maxBytes?: number } = {}): Promise<Download> {
		return await this.streamedBody(call, options.maxBytes);
	}

	private async streamedBody(call: CallOptions, maxBytesOption?: number): Promise<Download> {
		const maxBytes = maxBytesOption ?? Number.MAX_SAFE_INTEGER;
		const options = { itemIndex: call.itemIndex };
		return await this.send(call, '*/*', async (response, meta) => {
			const contentLength = Number(headerValue(response.headers, 'content-length'));
			const tooLarge = () =>
				new NodeOperationError(this.config.node, `The file is larger than the limit of ${Math.round(maxBytes / 1048576)} MB`, {
					itemIndex: options.itemIndex,
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
		});
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
		onSuccess: (response: Dispatcher.ResponseData, meta: ReplyMeta) => Promise<T>,
	): Promise<T> {
		const { signal, node } = this.config;
		const mode: RetryMode = call.retry ?? 'safe';
		const method = call.method ?? 'POST';
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
					body,
					signal,
					headersTimeout: this.timeoutMs,
					bodyTimeout: this.timeoutMs,
				});
			} catch (error) {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the internal cancel signal; runItems and runBatches report it as a NodeOperationError
				if (cancelled()) throw new CancelledError();
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
			const fail = (status: number, bodyText: string) =>
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
					},
					call.itemIndex,
				);

			if (response.statusCode < 200 || response.statusCode >= 300) {
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

			try {
				return await onSuccess(response, meta);
			} catch (error) {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the internal cancel signal; runItems and runBatches report it as a NodeOperationError
				if (cancelled()) throw new CancelledError();
				response.body.destroy();
				if (error instanceof StreamErrorEvent) {
					const status = streamErrorStatus(error.payload);
					if (attempt < this.maxRetries && isRetryableStatus(status, mode)) {
						this.config.log?.('Retrying after an error event in the stream', { attempt, status });
						await abortableSleep(this.backoff(attempt), signal);
						continue;
					}
					throw fail(status, JSON.stringify({ error: error.payload }));
				}
				const brokenStream =
					error instanceof IncompleteStreamError || isRetryableNetworkError(error, 'safe');
				if (brokenStream && mode === 'safe' && attempt < this.maxRetries) {
					this.config.log?.('Retrying after the response broke off', { attempt, code: errorCode(error) });
					await abortableSleep(this.backoff(attempt), signal);
					continue;
				}
				if (brokenStream || timeoutPhase(error)) {
					throw networkError(node, error, this.errorContext(call, timeoutPhase(error)), call.itemIndex);
				}
				// A consumer's own error (e.g. a malformed event quoted in the message) may echo a secret.
				if (error instanceof Error) error.message = redactSecrets(error.message, [this.config.apiKey, ...(call.secrets ?? [])]);
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a consumer's own error goes on as it is; runItems maps it to a NodeOperationError of the item
				throw error;
			}
		}
	}
}
