import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ChatStreamReader } from '../../nodes/shared/chatCompletion';
import { StreamErrorEvent, type Received, type StreamReader } from '../../nodes/shared/answerStream';
import { InferenceClient, normalizeBaseUrl } from '../../nodes/shared/transport';
import { abortableSleep, CancelledError } from '../../nodes/shared/sleep';
import { parseSseJson, type SseEvent } from '../../nodes/shared/sse';
import { PACKAGE_VERSION } from '../../nodes/shared/version';
import { DEFAULT_KEY } from '../emulator';
import { TEST_NODE } from './helpers/fakeContext';
import { SECOND_KEY, useEmulator } from './helpers/useEmulator';

const CHAT = '/v1/chat/completions';
const chatBody = { model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: 'Hello there' }] };

const emulator = useEmulator();

function client(overrides: Partial<ConstructorParameters<typeof InferenceClient>[0]> = {}) {
	return new InferenceClient({
		node: TEST_NODE,
		baseUrl: emulator.url,
		apiKey: DEFAULT_KEY,
		backoff: { baseMs: 20, capMs: 100 },
		...overrides,
	});
}

const chatRequests = () => emulator.control.requests().filter((request) => request.path === CHAT);

describe('transport basics', () => {
	it('normalizes base URLs with a trailing slash or /v1', () => {
		expect(normalizeBaseUrl('https://inference.do-ai.run/v1/')).toBe('https://inference.do-ai.run');
		expect(normalizeBaseUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
		expect(normalizeBaseUrl('')).toBe('https://inference.do-ai.run');
	});

	it('sends the key only as a Bearer header, with JSON and a versioned User-Agent', async () => {
		const reply = await client().json({ path: CHAT, body: chatBody });
		expect(reply.status).toBe(200);
		expect(reply.requestId).toMatch(/[0-9a-f-]{36}/);
		const [logged] = chatRequests();
		expect(logged.headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
		expect(logged.headers['user-agent']).toBe(`n8n-nodes-digitalocean-inference/${PACKAGE_VERSION}`);
		expect(logged.headers['content-type']).toBe('application/json');
		expect(logged.body).toEqual(chatBody);
	});

	it('maps a 401 to a NodeApiError that never contains the key', async () => {
		const wrongKey = 'wrong-key-that-must-stay-secret';
		const error = await client({ apiKey: wrongKey }).json({ path: CHAT, body: chatBody }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(error.message).toMatch(/Model Access Key/);
		expect(JSON.stringify(error)).not.toContain(wrongKey);
		expect(String(error.stack)).not.toContain(wrongKey);
		expect(String(error.description)).not.toContain(wrongKey);
	});
});

describe('retries', () => {
	it('retries a 429 after the retry-after wait (>= 2 s) and succeeds', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '2' }, path: CHAT }]);
		const started = Date.now();
		const reply = await client().json({ path: CHAT, body: chatBody });
		const elapsed = Date.now() - started;
		expect(reply.status).toBe(200);
		expect(elapsed).toBeGreaterThanOrEqual(2000);
		expect(chatRequests().map((request) => request.status)).toEqual([429, 200]);
	});

	it('honours retry-after-ms', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, headers: { 'retry-after-ms': '600' }, path: CHAT }]);
		const started = Date.now();
		await client().json({ path: CHAT, body: chatBody });
		expect(Date.now() - started).toBeGreaterThanOrEqual(600);
		expect(chatRequests()).toHaveLength(2);
	});

	it('retries 5xx with backoff, then surfaces the last error when retries run out', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 500, path: CHAT },
			{ kind: 'status', status: 502, path: CHAT },
			{ kind: 'status', status: 503, path: CHAT },
		]);
		const error = await client({ maxRetries: 2 }).json({ path: CHAT, body: chatBody }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('503');
		expect(chatRequests()).toHaveLength(3);
	});

	it('does not retry a 400', async () => {
		const error = await client().json({ path: CHAT, body: { model: 'llama3.3-70b-instruct' } }).catch((e) => e);
		expect(error.httpCode).toBe('400');
		expect(chatRequests()).toHaveLength(1);
	});

	it('retries a safe request (a GET) after a reset mid-response', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: '/v1/models' }]);
		const reply = await client().json({ method: 'GET', path: '/v1/models' });
		expect(reply.status).toBe(200);
		expect(emulator.control.requests().filter((request) => request.path === '/v1/models')).toHaveLength(2);
	});

	it.each([
		['cut mid-body', 'reset-mid-body', /^[\d,]+ bytes of the reply had arrived/],
		['reset right after its headers', 'reset-after-headers', /^The reply's headers had arrived/],
	] as const)('does not repeat a billable POST (the default) whose 2xx reply was %s: the work was done', async (_, kind, arrived) => {
		emulator.control.enqueueFaults([{ kind, path: CHAT }]);
		const error = await client().json({ path: CHAT, body: chatBody }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The connection was reset while the answer was arriving');
		expect(error.description).toMatch(arrived);
		expect(error.description).toContain('The request was not repeated, so as not to be billed twice');
		expect(chatRequests()).toHaveLength(1);
	});

	it('repeats a billable POST whose reply broke when the user turned on Retry Broken Answers', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const reply = await client({ retryBrokenAnswers: true }).json({ path: CHAT, body: chatBody });
		expect(reply.status).toBe(200);
		expect(chatRequests()).toHaveLength(2);
	});

	it('repeats a billable POST whose connection broke before the reply headers', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-before-headers', path: CHAT }]);
		const reply = await client().json({ path: CHAT, body: chatBody });
		expect(reply.status).toBe(200);
		expect(chatRequests().map((request) => request.status)).toEqual([0, 200]);
	});

	it('does not retry a before-send-only request after a reset mid-response', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const error = await client().json({ path: CHAT, body: chatBody, retry: 'before-send-only' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(chatRequests()).toHaveLength(1);
	});

	it('does not retry a before-send-only request after a reset before headers', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-before-headers', path: CHAT }]);
		const error = await client().json({ path: CHAT, body: chatBody, retry: 'before-send-only' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(chatRequests()).toHaveLength(1);
	});

	it('still retries a before-send-only request on an explicit 429', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '0' }, path: CHAT }]);
		const reply = await client().json({ path: CHAT, body: chatBody, retry: 'before-send-only' });
		expect(reply.status).toBe(200);
		expect(chatRequests()).toHaveLength(2);
	});

	it('retries a before-send-only request when the connection was refused', async () => {
		const closedPort = await new Promise<number>((resolve) => {
			const server: Server = createServer();
			server.listen(0, '127.0.0.1', () => {
				const { port } = server.address() as AddressInfo;
				server.close(() => resolve(port));
			});
		});
		const logs: string[] = [];
		const error = await client({ baseUrl: `http://127.0.0.1:${closedPort}`, maxRetries: 2, log: (m) => logs.push(m) })
			.json({ path: CHAT, body: chatBody, retry: 'before-send-only' })
			.catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/reach|connect|refused/i);
		expect(logs.filter((line) => /connection failure/.test(line))).toHaveLength(2);
	});

	it('pauses every request to the origin after a 429 (one shared gate)', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '1' }, path: CHAT }]);
		const started = Date.now();
		const first = client().json({ path: CHAT, body: chatBody });
		await abortableSleep(150);
		const secondStarted = Date.now();
		await client().json({ path: '/v1/models', method: 'GET' });
		// The second request was issued after the 429 and waited for the origin to reopen.
		expect(Date.now() - secondStarted).toBeGreaterThanOrEqual(700);
		await first;
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
	});

	it('does not pause another key (another quota) after a 429', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '2' }, path: CHAT }]);
		const first = client().json({ path: CHAT, body: chatBody });
		await abortableSleep(150);
		const otherStarted = Date.now();
		await client({ apiKey: SECOND_KEY }).json({ path: '/v1/models', method: 'GET' });
		expect(Date.now() - otherStarted).toBeLessThan(1000);
		await first;
	});

	it('fails at once on a 429 asking for a longer wait than it will sleep, and leaves no pause behind', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '3600' }, path: CHAT }]);
		const started = Date.now();
		const error = await client().json({ path: CHAT, body: chatBody }).catch((e) => e);
		expect(error.httpCode).toBe('429');
		expect(String(error.description)).toMatch(/3600/);
		await client().json({ path: CHAT, body: chatBody });
		expect(Date.now() - started).toBeLessThan(1500);
		expect(chatRequests().map((request) => request.status)).toEqual([429, 200]);
	});
});

describe('429 without retry-after: the rate-limit reset headers', () => {
	it('waits for the exhausted limit\'s x-ratelimit-reset-requests, not the day\'s token window that has room', async () => {
		emulator.control.enqueueFaults([
			{
				kind: 'status',
				status: 429,
				path: CHAT,
				headers: {
					'ratelimit-reset': '',
					'x-ratelimit-remaining-requests': '0',
					'x-ratelimit-reset-requests': '1.2s',
					'x-ratelimit-remaining-tokens-per-day': '7999000',
					'x-ratelimit-reset-tokens-per-day': '13h2m3s',
				},
			},
		]);
		const reply = await client().json({ path: CHAT, body: chatBody });
		expect(reply.status).toBe(200);
		const [refused, answered] = chatRequests();
		expect(answered.time - refused.time).toBeGreaterThanOrEqual(1200);
		expect(answered.time - refused.time).toBeLessThan(2500);
	});

	it('in the emulator\'s observed mode (no retry-after on its 429s) waits until the quota has room, then succeeds', async () => {
		emulator.control.configure({ rateLimitHeaders: 'observed', quota: { limit: 2, windowMs: 1500, retryAfterSec: 60 } });
		const logs: Array<Record<string, unknown> | undefined> = [];
		const c = client({ log: (_m, meta) => logs.push(meta) });
		await c.json({ path: CHAT, body: chatBody });
		await c.json({ path: CHAT, body: chatBody });
		const third = await c.json({ path: CHAT, body: chatBody });
		expect(third.status).toBe(200);
		const [first, , refused, answered] = chatRequests();
		expect(refused.status).toBe(429);
		expect(answered.status).toBe(200);
		// It waited for the first request to leave the window, not 60 s (the unused retryAfterSec) nor a backoff guess.
		expect(answered.time).toBeGreaterThanOrEqual(first.time + 1500);
		expect(answered.time - refused.time).toBeLessThan(2500);
		expect(logs.find((meta) => meta?.status === 429)?.waitMs).toBeGreaterThan(300);
	});
});

describe('timeouts and cancellation', () => {
	it('fires the timeout when headers are slow', async () => {
		emulator.control.enqueueFaults([{ kind: 'slow-headers', ms: 3000, path: CHAT }]);
		const started = Date.now();
		const error = await client({ timeoutMs: 400, maxRetries: 0 }).json({ path: CHAT, body: chatBody }).catch((e) => e);
		expect(Date.now() - started).toBeLessThan(2500);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/timed out/i);
	});

	it('cancel aborts an in-flight request within 1 s', async () => {
		emulator.control.enqueueFaults([{ kind: 'hang', path: CHAT }]);
		const controller = new AbortController();
		const pending = client({ signal: controller.signal }).json({ path: CHAT, body: chatBody }).catch((e) => e);
		await abortableSleep(200);
		const abortedAt = Date.now();
		controller.abort();
		const error = await pending;
		expect(Date.now() - abortedAt).toBeLessThan(1000);
		expect(error).toBeInstanceOf(CancelledError);
	});

	it('cancel ends a sleep within 1 s', async () => {
		const controller = new AbortController();
		const started = Date.now();
		const sleeping = abortableSleep(60_000, controller.signal).catch((e) => e);
		setTimeout(() => controller.abort(), 100);
		expect(await sleeping).toBeInstanceOf(CancelledError);
		expect(Date.now() - started).toBeLessThan(1000);
	});

	it('cancel ends a retry wait within 1 s', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '30' }, path: CHAT }]);
		const controller = new AbortController();
		const pending = client({ signal: controller.signal }).json({ path: CHAT, body: chatBody }).catch((e) => e);
		await abortableSleep(300);
		const abortedAt = Date.now();
		controller.abort();
		expect(await pending).toBeInstanceOf(CancelledError);
		expect(Date.now() - abortedAt).toBeLessThan(1000);
	});
});

describe('streams', () => {
	const streamBody = { ...chatBody, stream: true, stream_options: { include_usage: true } };
	const stream = (c = client(), call: Partial<Parameters<InferenceClient['stream']>[0]> = {}) =>
		c.stream({ path: CHAT, body: streamBody, ...call }, () => new ChatStreamReader());

	/** A reader that counts nothing as content: every event is preamble to it. */
	class EventCounter implements StreamReader<number> {
		events = 0;
		read(event: SseEvent): void {
			const chunk = parseSseJson<{ error?: unknown }>(event);
			if (chunk.error) throw new StreamErrorEvent(chunk.error);
			this.events++;
		}
		received(): Received {
			return { text: 0, reasoning: 0, toolCalls: 0 };
		}
		complete(sawDone: boolean): boolean {
			return sawDone;
		}
		result(): number {
			return this.events;
		}
	}

	it('folds the events of an SSE reply with the reader', async () => {
		const reply = await stream();
		expect(reply.data.choices[0].message.content).toBe('Echo: Hello there');
		expect(reply.requestId).toBe(chatRequests()[0].id);
		expect(chatRequests()[0].headers.accept).toBe('text/event-stream');
	});

	it.each([
		['ended early', 'truncate-stream', 'The answer stream ended before the answer was complete'],
		['broke off', 'reset-mid-body', 'The connection was reset while the answer was arriving'],
	] as const)('does not repeat a billable stream that %s after text arrived; the error says how much', async (_, kind, message) => {
		emulator.control.enqueueFaults([{ kind, path: CHAT }]);
		const error = await stream().catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(message);
		expect(error.description).toMatch(/^\d+ characters of text had arrived when this happened\. The request was not repeated, so as not to be billed twice/);
		expect(chatRequests()).toHaveLength(1);
	});

	it('starts a stream over when it broke before its first event, or before any content', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'reset-after-headers', path: CHAT },
			{ kind: 'truncate-stream', frames: 1, path: CHAT },
		]);
		const reply = await stream();
		expect(reply.data.choices[0].message.content).toBe('Echo: Hello there');
		expect(chatRequests()).toHaveLength(3);
	});

	it('starts a stream over after content when the user turned on Retry Broken Answers, or the call is safe', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		await stream(client({ retryBrokenAnswers: true }));
		expect(chatRequests()).toHaveLength(2);
		emulator.control.enqueueFaults([{ kind: 'truncate-stream', path: CHAT }]);
		await stream(client(), { retry: 'safe' });
		expect(chatRequests()).toHaveLength(4);
	});

	it('accepts a stream that broke after every choice finished (only usage and [DONE] missing)', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: -2, path: CHAT }]);
		const reply = await stream();
		expect(reply.data.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Echo: Hello there' } });
		expect(reply.data.usage).toBeUndefined();
		expect(chatRequests()).toHaveLength(1);
	});

	it('maps an error event like the same HTTP error: retried before content, reported after it, never retried when permanent', async () => {
		const overloaded = { message: 'Model overloaded', type: 'overloaded_error' };
		emulator.control.enqueueFaults([{ kind: 'stream-error', frames: 1, path: CHAT, error: overloaded }]);
		const reply = await stream();
		expect(reply.data.choices[0].message.content).toBe('Echo: Hello there');
		expect(chatRequests()).toHaveLength(2);

		emulator.control.reset();
		emulator.control.enqueueFaults([{ kind: 'stream-error', path: CHAT, error: overloaded }]);
		const afterContent = await stream().catch((e) => e);
		expect(afterContent.httpCode).toBe('503');
		expect(afterContent.description).toMatch(/^\d+ characters of text had arrived when this happened\. The request was not repeated/);
		expect(afterContent.description).toContain('The service said: "Model overloaded"');
		expect(chatRequests()).toHaveLength(1);

		emulator.control.reset();
		emulator.control.enqueueFaults([{ kind: 'stream-error', frames: 0, path: CHAT, error: { message: 'Context too long', type: 'invalid_request_error' } }]);
		const error = await stream().catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.message).toMatch(/Context too long/);
		expect(chatRequests()).toHaveLength(1);
	});

	it('counts content by what the reader says, not by events: a reader that saw only preamble gets a repeat', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const reply = await client().stream({ path: CHAT, body: streamBody }, () => new EventCounter());
		expect(reply.data).toBeGreaterThan(2);
		expect(chatRequests()).toHaveLength(2);
	});

	it('scrubs secrets from a reader error that quotes the stream (e.g. a malformed event)', async () => {
		const secret = 'mcp-token-that-must-not-leak';
		const error = await client()
			.stream({ path: CHAT, body: streamBody, secrets: [secret] }, () => ({
				read: () => {
					throw new Error(`Unexpected event: {"authorization":"Bearer ${secret}"}`);
				},
				received: () => ({ text: 0, reasoning: 0, toolCalls: 0 }),
				complete: () => false,
				result: () => undefined,
			}))
			.catch((e) => e);
		expect(error.message).toContain('Unexpected event');
		expect(error.message).not.toContain(secret);
		expect(error.message).not.toContain(DEFAULT_KEY);
	});

	it('reports a stream that keeps breaking before any content once retries run out', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'reset-after-headers', path: CHAT },
			{ kind: 'reset-after-headers', path: CHAT },
		]);
		const error = await stream(client({ maxRetries: 1 })).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The connection was reset');
		expect(error.description).toContain('raise the Max Retries request option');
		expect(chatRequests()).toHaveLength(2);
	});

	it('times out when a stream goes silent', async () => {
		emulator.control.configure({ streamChunkDelayMs: 1500 });
		const error = await stream(client({ timeoutMs: 300, maxRetries: 0 })).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/timed out/i);
	});
});

describe('size caps', () => {
	it('stops a JSON reply beyond its cap, says which limit, and does not send the request again', async () => {
		const body = { model: 'openai-gpt-image-1', prompt: 'a lighthouse', n: 2, size: '1024x1024' };
		const error = await client({ limits: { jsonBytes: 1000 } })
			.json({ path: '/v1/images/generations', body })
			.catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The reply is larger than the limit of 1,000 bytes for JSON replies');
		expect(error.description).toMatch(/fewer or smaller images/);
		expect(emulator.control.requests().filter((request) => request.path === '/v1/images/generations')).toHaveLength(1);
	});

	it('stops a stream whose single event is beyond the cap, without a retry', async () => {
		const error = await client({ limits: { sseEventChars: 200 } })
			.stream({ path: CHAT, body: { ...chatBody, messages: [{ role: 'user', content: 'x'.repeat(400) }], stream: true } }, () => new ChatStreamReader())
			.catch((e) => e);
		expect(error.message).toBe('A streamed event is larger than the limit of 200 characters');
		expect(error.description).toMatch(/protect n8n's memory/);
		expect(chatRequests()).toHaveLength(1);
	});
});
