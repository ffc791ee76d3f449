import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { NodeApiError } from 'n8n-workflow';

import {
	InferenceClient,
	IncompleteStreamError,
	normalizeBaseUrl,
	StreamErrorEvent,
} from '../../nodes/shared/transport';
import { abortableSleep, CancelledError } from '../../nodes/shared/sleep';
import { parseSseJson } from '../../nodes/shared/sse';
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

	it('retries a safe request after a reset mid-response', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const reply = await client().json({ path: CHAT, body: chatBody });
		expect(reply.status).toBe(200);
		expect(chatRequests()).toHaveLength(2);
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

	async function readAll(events: AsyncIterable<{ data: string }>) {
		const chunks: Array<{ choices: Array<{ finish_reason?: string }> }> = [];
		for await (const event of events) chunks.push(parseSseJson(event as never));
		if (!chunks.some((chunk) => chunk.choices.some((choice) => choice.finish_reason))) {
			throw new IncompleteStreamError();
		}
		return chunks;
	}

	it('yields the events of an SSE reply', async () => {
		const chunks = await client().stream({ path: CHAT, body: streamBody }, readAll);
		expect(chunks.length).toBeGreaterThan(2);
		expect(chunks[chunks.length - 1].choices).toEqual([]);
		expect(chatRequests()[0].headers.accept).toBe('text/event-stream');
	});

	it('starts a safe stream over when it was truncated', async () => {
		emulator.control.enqueueFaults([{ kind: 'truncate-stream', path: CHAT }]);
		const chunks = await client().stream({ path: CHAT, body: streamBody }, readAll);
		expect(chunks.length).toBeGreaterThan(2);
		expect(chatRequests()).toHaveLength(2);
	});

	it('starts a safe stream over when the connection broke mid-stream', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		await client().stream({ path: CHAT, body: streamBody }, readAll);
		expect(chatRequests()).toHaveLength(2);
	});

	it('maps an error event inside a stream like the same HTTP error, retrying transient ones', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'stream-error', path: CHAT, error: { message: 'Model overloaded', type: 'overloaded_error' } },
		]);
		const chunks = await client().stream({ path: CHAT, body: streamBody }, async (events) => {
			const seen: unknown[] = [];
			for await (const event of events) {
				const chunk = parseSseJson<{ error?: unknown }>(event);
				if (chunk.error) throw new StreamErrorEvent(chunk.error);
				seen.push(chunk);
			}
			return seen;
		});
		expect(chunks.length).toBeGreaterThan(2);
		expect(chatRequests()).toHaveLength(2);

		emulator.control.reset();
		emulator.control.enqueueFaults([
			{ kind: 'stream-error', path: CHAT, error: { message: 'Context too long', type: 'invalid_request_error' } },
		]);
		const error = await client()
			.stream({ path: CHAT, body: streamBody }, async (events) => {
				for await (const event of events) {
					const chunk = parseSseJson<{ error?: unknown }>(event);
					if (chunk.error) throw new StreamErrorEvent(chunk.error);
				}
			})
			.catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.message).toMatch(/Context too long/);
		expect(chatRequests()).toHaveLength(1);
	});

	it('scrubs secrets from a consumer error that quotes the stream (e.g. a malformed event)', async () => {
		const secret = 'mcp-token-that-must-not-leak';
		const error = await client()
			.stream({ path: CHAT, body: streamBody, secrets: [secret] }, async () => {
				throw new Error(`Unexpected event: {"authorization":"Bearer ${secret}"}`);
			})
			.catch((e) => e);
		expect(error.message).toContain('Unexpected event');
		expect(error.message).not.toContain(secret);
		expect(error.message).not.toContain(DEFAULT_KEY);
	});

	it('reports a stream that keeps breaking once retries run out', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'truncate-stream', path: CHAT },
			{ kind: 'truncate-stream', path: CHAT },
		]);
		const error = await client({ maxRetries: 1 }).stream({ path: CHAT, body: streamBody }, readAll).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(chatRequests()).toHaveLength(2);
	});

	it('times out when a stream goes silent', async () => {
		emulator.control.configure({ streamChunkDelayMs: 1500 });
		const error = await client({ timeoutMs: 300, maxRetries: 0 })
			.stream({ path: CHAT, body: streamBody }, readAll)
			.catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/timed out/i);
	});
});
