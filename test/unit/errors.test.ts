import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { request } from 'undici';

import {
	httpError,
	isAbortError,
	networkError,
	parseErrorBody,
	requestIdOf,
	withItemIndex,
	type HttpFailure,
} from '../../nodes/shared/errors';
import { redactDeep, redactSecrets } from '../../nodes/shared/redact';

const node: INode = {
	id: 'node-1',
	name: 'DigitalOcean Chat',
	type: 'n8n-nodes-digitalocean-inference.digitalOceanChat',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const KEY = 'sk-test-secret-key-123';
const URL_CHAT = 'https://inference.do-ai.run/v1/chat/completions';

function failure(status: number, bodyText: string, extra: Partial<HttpFailure> = {}): HttpFailure {
	return { status, bodyText, headers: {}, method: 'POST', url: URL_CHAT, secrets: [KEY], ...extra };
}

const json = (value: unknown) => JSON.stringify(value);

/** Every string reachable from the error, own non-enumerable properties (stack, cause) included. */
function allStrings(value: unknown, seen = new Set<unknown>()): string[] {
	if (typeof value === 'string') return [value];
	if (value === null || typeof value !== 'object' || seen.has(value)) return [];
	seen.add(value);
	return Object.getOwnPropertyNames(value).flatMap((name) => [
		name,
		...allStrings((value as Record<string, unknown>)[name], seen),
	]);
}

function expectNoSecret(error: Error, secret = KEY): void {
	expect(error.message).not.toContain(secret);
	expect((error as NodeApiError).description ?? '').not.toContain(secret);
	expect(error.stack ?? '').not.toContain(secret);
	expect(JSON.stringify(error)).not.toContain(secret);
	for (const text of allStrings(error)) expect(text).not.toContain(secret);
}

describe('parseErrorBody', () => {
	it('parses the DigitalOcean shape', () => {
		expect(
			parseErrorBody(json({ id: 'unauthorized', message: 'Unable to authenticate you.', request_id: 'req-9' })),
		).toEqual({ message: 'Unable to authenticate you.', code: 'unauthorized', requestId: 'req-9' });
	});

	it('parses the OpenAI shape with param, preferring a specific code over the type', () => {
		expect(
			parseErrorBody(
				json({ error: { message: 'Invalid temperature', type: 'invalid_request_error', code: null, param: 'temperature' } }),
			),
		).toEqual({ message: 'Invalid temperature', code: 'invalid_request_error', param: 'temperature' });
		expect(
			parseErrorBody(
				json({ error: { message: 'Too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: null } }),
			),
		).toEqual({ message: 'Too long', code: 'context_length_exceeded' });
	});

	it('parses the Anthropic shape', () => {
		expect(
			parseErrorBody(
				json({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens must be positive' } }),
			),
		).toEqual({ message: 'max_tokens must be positive', code: 'invalid_request_error' });
	});

	it('parses {detail} as text and in the FastAPI list form', () => {
		expect(parseErrorBody(json({ detail: 'Model not found' }))).toEqual({ message: 'Model not found' });
		expect(
			parseErrorBody(
				json({ detail: [{ loc: ['body', 'max_tokens'], msg: 'must be positive', type: 'value_error' }] }),
			),
		).toEqual({ message: 'max_tokens: must be positive', param: 'max_tokens' });
	});

	it('parses plain text, collapsing whitespace', () => {
		expect(parseErrorBody('upstream connect error\n  or disconnect', 'text/plain')).toEqual({
			message: 'upstream connect error or disconnect',
		});
	});

	it('summarises HTML by its title, never the page', () => {
		expect(
			parseErrorBody('<!DOCTYPE html><html><head><title>502 Bad &amp; Gateway</title></head><body><h1>x</h1></body></html>'),
		).toEqual({ message: '502 Bad & Gateway', isHtml: true });
		expect(parseErrorBody('<html><body>oops</body></html>')).toEqual({ isHtml: true });
		expect(parseErrorBody('<p>oops</p>', 'text/html; charset=utf-8')).toEqual({ isHtml: true });
	});

	it('returns nothing for an empty body', () => {
		expect(parseErrorBody('')).toEqual({});
		expect(parseErrorBody('  \n')).toEqual({});
	});

	it('parses JSON whatever the content type says', () => {
		expect(parseErrorBody(json({ message: 'bad' }), 'text/html')).toEqual({ message: 'bad' });
		expect(parseErrorBody(json({ message: 'bad' }), 'text/plain')).toEqual({ message: 'bad' });
	});

	it('shows an unknown JSON shape as short JSON, and a JSON string as text', () => {
		expect(parseErrorBody('{"foo":"bar"}')).toEqual({ message: '{"foo":"bar"}' });
		expect(parseErrorBody('"just text"')).toEqual({ message: 'just text' });
	});

	it('truncates a very long message', () => {
		const parsed = parseErrorBody('x'.repeat(2000));
		expect(parsed.message).toBe(`${'x'.repeat(500)}…`);
	});
});

describe('requestIdOf', () => {
	it('prefers the x-request-id header, then the body', () => {
		expect(requestIdOf({ 'x-request-id': 'hdr' }, { requestId: 'body' })).toBe('hdr');
		expect(requestIdOf({ 'x-request-id': ['first', 'second'] })).toBe('first');
		expect(requestIdOf({}, { requestId: 'body' })).toBe('body');
		expect(requestIdOf({ 'X-Request-Id': 'mixed' })).toBe('mixed');
		expect(requestIdOf({})).toBeUndefined();
	});
});

describe('httpError', () => {
	const AUTH_HINT =
		'Create or copy a Model Access Key in the DigitalOcean control panel (Agent Platform → Serverless Inference → Model Access Keys) ' +
		"and paste it into the credential. Also check the credential's Base URL (normally https://inference.do-ai.run).";
	const NOT_FOUND_HINT =
		'Check the model ID (choose it "From List" to see the models your key can use) or, for jobs, the job ID: ' +
		"finished jobs expire after a while. Also check the credential's Base URL.";
	const TRANSIENT_HINT = 'This is usually transient: try again later, or raise the Max Retries request option.';
	const RATE_HINT = 'Wait and run again, lower the Concurrency request option, or raise Max Retries so the node waits out the limit.';

	it('401 with a DO body: key hint, provider message and request id from the body', () => {
		const error = httpError(
			node,
			failure(401, json({ id: 'unauthorized', message: 'Unable to authenticate you.', request_id: 'req-body' })),
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Authorization failed – check your Model Access Key');
		expect(error.description).toBe(`${AUTH_HINT} The service said: "Unable to authenticate you." Request ID: req-body`);
		expect(error.httpCode).toBe('401');
		expect(error.context.requestId).toBe('req-body');
	});

	it('403: key scope, model access and VPC hint', () => {
		const error = httpError(
			node,
			failure(403, json({ id: 'forbidden', message: 'You do not have access for the attempted action.' })),
		);
		expect(error.message).toBe('Access denied – the key is not allowed to use this model or resource');
		expect(error.description).toBe(
			'Check the scope of the Model Access Key, that your account or team has access to this model, ' +
				'and any VPC or IP restrictions on the endpoint. The service said: "You do not have access for the attempted action."',
		);
		expect(error.httpCode).toBe('403');
	});

	it('404 with {detail}: provider message in the message, model/job hint, request id from the header', () => {
		const error = httpError(
			node,
			failure(404, json({ detail: 'Model llama-9 not found' }), { headers: { 'x-request-id': 'req-hdr' } }),
		);
		expect(error.message).toBe('Not found – Model llama-9 not found');
		expect(error.description).toBe(`${NOT_FOUND_HINT} Request ID: req-hdr`);
		expect(error.httpCode).toBe('404');
		expect(error.context.requestId).toBe('req-hdr');
	});

	it('404 with an empty body', () => {
		const error = httpError(node, failure(404, ''));
		expect(error.message).toBe('Not found – no details given (HTTP 404)');
		expect(error.description).toBe(NOT_FOUND_HINT);
		expect(error.context.requestId).toBeUndefined();
	});

	it('400 with an OpenAI body names the parameter', () => {
		const error = httpError(
			node,
			failure(
				400,
				json({ error: { message: 'temperature must be at most 2', type: 'invalid_request_error', code: null, param: 'temperature' } }),
			),
		);
		expect(error.message).toBe('Bad request – temperature must be at most 2 (parameter: temperature)');
		expect(error.description).toBe(
			'Check the value of "temperature": the model or endpoint rejected it. Not every model supports every option.',
		);
		expect(error.httpCode).toBe('400');
	});

	it('400 with an Anthropic body', () => {
		const error = httpError(
			node,
			failure(400, json({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens must be positive' } })),
		);
		expect(error.message).toBe('Bad request – max_tokens must be positive');
		expect(error.description).toBe(
			"Check the node's parameters and options: the model or endpoint rejected a value. Not every model supports every option.",
		);
	});

	it('422 with a FastAPI detail list names the parameter', () => {
		const error = httpError(
			node,
			failure(422, json({ detail: [{ loc: ['body', 'input'], msg: 'field required', type: 'missing' }] })),
		);
		expect(error.message).toBe('Bad request – input: field required (parameter: input)');
		expect(error.httpCode).toBe('422');
	});

	it('413 says the request is too large', () => {
		const error = httpError(node, failure(413, 'Request Entity Too Large', { headers: { 'content-type': 'text/plain' } }));
		expect(error.message).toBe('Bad request – Request Entity Too Large');
		expect(error.description).toBe(
			'The request is too large: send less input (shorter text, fewer or smaller images or files).',
		);
		expect(error.httpCode).toBe('413');
	});

	it('400 with JSON sent as text/html is still read as JSON', () => {
		const error = httpError(node, failure(400, json({ message: 'bad input' }), { headers: { 'content-type': 'text/html' } }));
		expect(error.message).toBe('Bad request – bad input');
	});

	it('429: provider message, retry advice and the retry-after value', () => {
		const error = httpError(
			node,
			failure(429, json({ id: 'too_many_requests', message: 'API rate limit exceeded.' }), {
				headers: { 'retry-after': '20', 'x-request-id': 'r-429' },
			}),
		);
		expect(error.message).toBe('Rate limit reached – API rate limit exceeded.');
		expect(error.description).toBe(
			`${RATE_HINT} The server asked to wait 20 s before retrying. Request ID: r-429`,
		);
		expect(error.httpCode).toBe('429');
	});

	it('429 without retry-after, and with retry-after-ms or an HTTP date', () => {
		expect(httpError(node, failure(429, '')).description).toBe(RATE_HINT);
		expect(httpError(node, failure(429, '', { headers: { 'retry-after-ms': '1500' } })).description).toBe(
			`${RATE_HINT} The server asked to wait 1.5 s before retrying.`,
		);
		expect(
			httpError(node, failure(429, '', { headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' } })).description,
		).toBe(`${RATE_HINT} The server asked to wait until Wed, 21 Oct 2026 07:28:00 GMT before retrying.`);
	});

	it('408 and 504 are timeouts', () => {
		const hint =
			'The model took too long to answer. Try again, send less input or lower the maximum output tokens, ' +
			'use streaming, or use an asynchronous operation for long jobs.';
		const e504 = httpError(node, failure(504, ''));
		expect(e504.message).toBe('The request timed out at the server (HTTP 504)');
		expect(e504.description).toBe(hint);
		expect(e504.httpCode).toBe('504');
		expect(httpError(node, failure(408, 'timeout')).message).toBe('The request timed out at the server (HTTP 408)');
	});

	it('500 with a DO body: transient hint and the provider message', () => {
		const error = httpError(node, failure(500, json({ id: 'server_error', message: 'Unexpected server-side error' })));
		expect(error.message).toBe('DigitalOcean Serverless Inference had a temporary problem (HTTP 500)');
		expect(error.description).toBe(`${TRANSIENT_HINT} The service said: "Unexpected server-side error".`);
		expect(error.httpCode).toBe('500');
	});

	it('503 after retries says how many attempts were made', () => {
		const error = httpError(node, failure(503, '', { attempts: 4 }));
		expect(error.message).toBe('DigitalOcean Serverless Inference had a temporary problem (HTTP 503)');
		expect(error.description).toBe(`It still failed after 4 attempts. ${TRANSIENT_HINT}`);
	});

	it('502 with an HTML page: summarised by its title, never dumped', () => {
		const page = `<html><head><title>502 Bad Gateway</title></head><body>${'<p>nginx</p>'.repeat(50)}</body></html>`;
		const error = httpError(node, failure(502, page, { headers: { 'content-type': 'text/html' } }));
		expect(error.message).toBe('DigitalOcean Serverless Inference had a temporary problem (HTTP 502)');
		expect(error.description).toBe(`${TRANSIENT_HINT} The server returned an HTML page titled "502 Bad Gateway".`);
		expect(JSON.stringify(error.errorResponse)).not.toContain('nginx');
	});

	it('HTML without a title', () => {
		const error = httpError(node, failure(404, '<html><body>gone</body></html>', { headers: { 'content-type': 'text/html' } }));
		expect(error.message).toBe('Not found – the server returned an HTML page (status 404)');
		expect(error.description).toBe(`${NOT_FOUND_HINT} The server returned an HTML page (status 404).`);
	});

	it('plain text body', () => {
		const error = httpError(node, failure(500, 'internal error', { headers: { 'content-type': 'text/plain' } }));
		expect(error.description).toBe(`${TRANSIENT_HINT} The service said: "internal error".`);
	});

	it('other 4xx and unexpected statuses', () => {
		const e402 = httpError(node, failure(402, json({ id: 'payment_required', message: 'Add a payment method' })));
		expect(e402.message).toBe('The request was rejected (HTTP 402) – Add a payment method');
		expect(e402.description).toBe("Check the node's parameters and the credential.");
		const e302 = httpError(node, failure(302, ''));
		expect(e302.message).toBe('Unexpected response from DigitalOcean Serverless Inference (HTTP 302)');
		expect(e302.httpCode).toBe('302');
	});

	it("keeps its own message although NodeApiError rewrites messages containing Node error codes", () => {
		// "preexisting" contains EEXIST: NodeApiError alone would say "The file or directory already exists".
		const error = httpError(node, failure(400, json({ message: 'cannot overwrite a preexisting tool' })));
		expect(error.message).toBe('Bad request – cannot overwrite a preexisting tool');
	});

	it('keeps a minimal, sanitised errorResponse: no headers, parsed body', () => {
		const body = { error: { message: 'bad', type: 'invalid_request_error', param: 'n' } };
		const error = httpError(
			node,
			failure(400, json(body), { headers: { 'x-request-id': 'r1', 'set-cookie': 'session=abc' } }),
		);
		expect(error.errorResponse).toEqual({
			status: 400,
			method: 'POST',
			url: URL_CHAT,
			message: 'bad',
			code: 'invalid_request_error',
			param: 'n',
			requestId: 'r1',
			body,
		});
		expect(JSON.stringify(error)).not.toContain('session=abc');
	});

	it('sets itemIndex when given', () => {
		expect(httpError(node, failure(500, ''), 2).context.itemIndex).toBe(2);
		expect(httpError(node, failure(500, '')).context.itemIndex).toBeUndefined();
	});

	describe('never carries the API key', () => {
		const cases: Array<[string, HttpFailure]> = [
			['DO body message', failure(401, json({ id: 'unauthorized', message: `Key ${KEY} is invalid`, request_id: KEY }))],
			['OpenAI body', failure(400, json({ error: { message: `bad key Bearer ${KEY}`, param: KEY, code: KEY } }))],
			['Anthropic body', failure(400, json({ type: 'error', error: { type: 'x', message: `echo: ${KEY}` } }))],
			['detail', failure(404, json({ detail: `no model for ${KEY}` }))],
			['JSON key name', failure(400, json({ message: 'x', [KEY]: 'y' }))],
			['plain text', failure(500, `Authorization: Bearer ${KEY}`)],
			[
				'HTML title and page',
				failure(502, `<html><head><title>Denied ${KEY}</title></head><body>${KEY}</body></html>`, {
					headers: { 'content-type': 'text/html' },
				}),
			],
			['url', failure(404, '', { url: `https://inference.do-ai.run/v1/models?key=${KEY}` })],
			['url-encoded in url', failure(404, '', { url: `https://x.test/?k=${encodeURIComponent(`${KEY}/`)}`, secrets: [`${KEY}/`] })],
			['request id header', failure(429, '', { headers: { 'x-request-id': KEY, 'retry-after': KEY } })],
		];
		it('not even a prefix of it where a long message is cut', () => {
			const error = httpError(node, failure(500, `${'x'.repeat(490)}${KEY}`));
			expect(allStrings(error).join('\n')).not.toContain(KEY.slice(0, 8));
			expect(error.description).toContain('[redacted]');
		});

		it.each(cases)('%s', (_name, f) => {
			const error = httpError(node, f);
			// Touch the stack only now: V8 formats it lazily from the final message.
			expectNoSecret(error, f.secrets[0]);
			expect(error.message + (error.description ?? '') + JSON.stringify(error.errorResponse)).toContain('[redacted]');
		});
	});
});

describe('networkError', () => {
	const ctx = { method: 'POST', url: URL_CHAT, secrets: [KEY] };
	const withCode = (message: string, code: string, name = 'Error') =>
		Object.assign(new Error(message), { code, name });

	it('connection refused', () => {
		const error = networkError(node, withCode('connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED'), ctx, 1);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Could not reach DigitalOcean Serverless Inference at https://inference.do-ai.run');
		expect(error.description).toBe(
			"Nothing accepted the connection (ECONNREFUSED). Check the credential's Base URL, your network, firewall and proxy (HTTP_PROXY / HTTPS_PROXY) settings.",
		);
		expect(error.httpCode).toBeNull();
		expect(error.context.itemIndex).toBe(1);
	});

	it('DNS failure', () => {
		const error = networkError(node, withCode('getaddrinfo ENOTFOUND nope.invalid', 'ENOTFOUND'), {
			...ctx,
			url: 'https://nope.invalid/v1/models',
		});
		expect(error.message).toBe('Could not reach DigitalOcean Serverless Inference at https://nope.invalid');
		expect(error.description).toBe(
			"The host name could not be resolved (ENOTFOUND). Check the credential's Base URL and your DNS or proxy settings.",
		);
	});

	it('connection reset (also undici socket errors and fetch-style causes)', () => {
		const expected =
			'The connection to https://inference.do-ai.run closed before the reply was complete (ECONNRESET). ' +
			'This is usually transient: try again, or raise the Max Retries request option. If it keeps happening, check proxies or firewalls between n8n and the service.';
		const error = networkError(node, withCode('read ECONNRESET', 'ECONNRESET'), ctx);
		expect(error.message).toBe('The connection was reset');
		expect(error.description).toBe(expected);
		expect(networkError(node, withCode('other side closed', 'UND_ERR_SOCKET', 'SocketError'), ctx).message).toBe(
			'The connection was reset',
		);
		const fetchStyle = new TypeError('fetch failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') });
		expect(networkError(node, fetchStyle, ctx).description).toBe(expected);
	});

	it('reads the code of an AggregateError (happy-eyeballs connect)', () => {
		const aggregate = new AggregateError([withCode('connect ECONNREFUSED ::1:1', 'ECONNREFUSED')], 'connect failed');
		expect(networkError(node, aggregate, ctx).message).toBe(
			'Could not reach DigitalOcean Serverless Inference at https://inference.do-ai.run',
		);
	});

	it('timeouts name the phase and the duration', () => {
		const headers = networkError(node, withCode('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT', 'HeadersTimeoutError'), {
			...ctx,
			timeoutMs: 30_000,
		});
		expect(headers.message).toBe('The request timed out after 30 s (waiting for response headers)');
		expect(headers.description).toBe(
			"The model took longer to start answering than the timeout allows. Raise the Timeout option in the node's options, send less input, or use streaming.",
		);

		const body = networkError(node, new Error('aborted'), { ...ctx, timedOut: 'body', timeoutMs: 2500 });
		expect(body.message).toBe('The request timed out after 2.5 s (waiting for response body)');
		expect(body.description).toBe(
			"The server stopped sending data for longer than the timeout (for streaming: the gap between events). Raise the Timeout option in the node's options, or try again.",
		);

		const connect = networkError(node, withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT'), {
			...ctx,
			timeoutMs: 10_000,
		});
		expect(connect.message).toBe('The request timed out after 10 s (waiting for connect)');
		expect(connect.description).toBe(
			"https://inference.do-ai.run did not accept a connection in time. Check the credential's Base URL, your network and any proxy.",
		);

		const signalTimeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
		expect(networkError(node, signalTimeout as Error, ctx).message).toBe(
			'The request timed out (waiting for response headers)',
		);
	});

	it('the transport’s own timedOut wins over the error', () => {
		const error = networkError(node, new DOMException('aborted', 'AbortError') as Error, {
			...ctx,
			timedOut: 'headers',
			timeoutMs: 60_000,
		});
		expect(error.message).toBe('The request timed out after 60 s (waiting for response headers)');
	});

	it('TLS problems', () => {
		const error = networkError(node, withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), ctx);
		expect(error.message).toBe('Could not make a secure connection to https://inference.do-ai.run');
		expect(error.description).toBe(
			'TLS/certificate problem (SELF_SIGNED_CERT_IN_CHAIN): self-signed certificate in certificate chain. A proxy that intercepts HTTPS needs its CA in NODE_EXTRA_CA_CERTS.',
		);
	});

	it('anything else, with the key redacted', () => {
		const error = networkError(node, new Error(`weird failure for ${KEY}`), ctx);
		expect(error.message).toBe('Network error while calling DigitalOcean Serverless Inference at https://inference.do-ai.run');
		expect(error.description).toBe(
			"weird failure for [redacted]. Check the credential's Base URL and your network, then try again.",
		);
		expectNoSecret(error);
	});

	it('keeps its message although the error message contains a Node error code', () => {
		// NodeApiError alone would turn this into its generic ECONNREFUSED text.
		const error = networkError(node, withCode('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED'), ctx);
		expect(error.message).toBe('Could not reach DigitalOcean Serverless Inference at https://inference.do-ai.run');
	});

	it('an invalid url still gives a message', () => {
		const error = networkError(node, withCode('connect ECONNREFUSED', 'ECONNREFUSED'), { ...ctx, url: 'not a url' });
		expect(error.message).toBe("Could not reach DigitalOcean Serverless Inference at the credential's Base URL");
	});

	describe('against real sockets', () => {
		let server: net.Server;
		let port: number;
		beforeAll(async () => {
			// Resets every connection as soon as the request arrives.
			server = net.createServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			port = (server.address() as AddressInfo).port;
		});
		afterAll(async () => {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		});

		async function failureOf(url: string, signal?: AbortSignal): Promise<Error> {
			try {
				const response = await request(url, { signal, headers: { authorization: `Bearer ${KEY}` } });
				await response.body.text();
			} catch (error) {
				return error as Error;
			}
			throw new Error('expected the request to fail');
		}

		it('undici connection refused', async () => {
			const closed = net.createServer();
			await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
			const closedPort = (closed.address() as AddressInfo).port;
			await new Promise<void>((resolve) => closed.close(() => resolve()));
			const url = `http://127.0.0.1:${closedPort}/v1/models`;
			const error = networkError(node, await failureOf(url), { ...ctx, url });
			expect(error.message).toBe(`Could not reach DigitalOcean Serverless Inference at http://127.0.0.1:${closedPort}`);
			expectNoSecret(error);
		});

		it('undici connection reset', async () => {
			const url = `http://127.0.0.1:${port}/v1/chat/completions`;
			const error = networkError(node, await failureOf(url), { ...ctx, url });
			expect(error.message).toBe('The connection was reset');
			expectNoSecret(error);
		});

		it('undici abort is recognised by isAbortError', async () => {
			const sockets = new Set<net.Socket>();
			const silent = net.createServer((socket) => sockets.add(socket)); // never answers
			await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
			const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
			try {
				const controller = new AbortController();
				const pending = failureOf(url, controller.signal);
				controller.abort();
				const aborted = await pending;
				expect(isAbortError(aborted)).toBe(true);

				const withReason = new AbortController();
				const pendingReason = failureOf(url, withReason.signal);
				withReason.abort(new Error('execution cancelled'));
				const reasonError = await pendingReason;
				expect(isAbortError(reasonError)).toBe(false); // only the signal can tell
				expect(isAbortError(reasonError, withReason.signal)).toBe(true);
			} finally {
				for (const socket of sockets) socket.destroy();
				await new Promise<void>((resolve) => silent.close(() => resolve()));
			}
		});
	});
});

describe('isAbortError', () => {
	it('recognises abort errors and not timeouts or others', () => {
		expect(isAbortError(new DOMException('aborted', 'AbortError'))).toBe(true);
		expect(isAbortError(Object.assign(new Error('x'), { code: 'ABORT_ERR' }))).toBe(true);
		expect(isAbortError(Object.assign(new Error('x'), { code: 'UND_ERR_ABORTED' }))).toBe(true);
		expect(isAbortError(new DOMException('timeout', 'TimeoutError'))).toBe(false);
		expect(isAbortError(new Error('x'))).toBe(false);
		expect(isAbortError(undefined)).toBe(false);
		expect(isAbortError('AbortError')).toBe(false);
	});
});

describe('withItemIndex', () => {
	it('sets context.itemIndex on an existing NodeApiError and returns the same object', () => {
		const original = httpError(node, failure(500, ''));
		const result = withItemIndex(node, original, 4);
		expect(result).toBe(original);
		expect(result.context.itemIndex).toBe(4);
		// What it works around: re-wrapping hands back the original and ignores itemIndex.
		const rewrapped = new NodeApiError(node, httpError(node, failure(500, '')) as never, { itemIndex: 9 });
		expect(rewrapped.context.itemIndex).toBeUndefined();
	});

	it('sets context.itemIndex on an existing NodeOperationError', () => {
		const original = new NodeOperationError(node, 'Prompt is empty', { description: 'Fill in the prompt' });
		const result = withItemIndex(node, original, 2);
		expect(result).toBe(original);
		expect(result.context.itemIndex).toBe(2);
		expect(result.message).toBe('Prompt is empty');
		expect(result.description).toBe('Fill in the prompt');
	});

	it('wraps a plain Error as a NodeOperationError, keeping message and description', () => {
		const plain = Object.assign(new Error('Something broke'), { description: 'details here' });
		const result = withItemIndex(node, plain, 3);
		expect(result).toBeInstanceOf(NodeOperationError);
		expect(result.message).toBe('Something broke');
		expect(result.description).toBe('details here');
		expect(result.context.itemIndex).toBe(3);
		expect(result.cause).toBe(plain);
	});

	it('wraps non-Error values', () => {
		expect(withItemIndex(node, 'just a string', 0).message).toBe('just a string');
		const fromObject = withItemIndex(node, { weird: true }, 1);
		expect(fromObject).toBeInstanceOf(NodeOperationError);
		expect(fromObject.message).toBe('Unexpected error: {"weird":true}');
		expect(fromObject.context.itemIndex).toBe(1);
	});
});

describe('redactSecrets', () => {
	it('replaces every occurrence, Bearer forms, URL-encoded and JSON-escaped forms', () => {
		expect(redactSecrets(`a ${KEY} b ${KEY}`, [KEY])).toBe('a [redacted] b [redacted]');
		expect(redactSecrets(`Authorization: Bearer ${KEY}`, [KEY])).toBe('Authorization: Bearer [redacted]');
		const odd = 'ab/c+d"e';
		expect(redactSecrets(`?k=${encodeURIComponent(odd)}`, [odd])).toBe('?k=[redacted]');
		expect(redactSecrets(JSON.stringify({ k: odd }), [odd])).toBe('{"k":"[redacted]"}');
	});

	it('ignores empty, missing and short secrets', () => {
		expect(redactSecrets('abc abc', ['', undefined, 'abc'])).toBe('abc abc');
	});

	it('replaces a longer secret whole when it contains a shorter one', () => {
		expect(redactSecrets('key-1234-extra', ['key-1234', 'key-1234-extra'])).toBe('[redacted]');
	});

	it('redactDeep copies and redacts nested values and keys', () => {
		const input = { a: [KEY, { [KEY]: `x${KEY}` }], n: 1, z: null };
		expect(redactDeep(input, [KEY])).toEqual({ a: ['[redacted]', { '[redacted]': 'x[redacted]' }], n: 1, z: null });
		expect(input.a[0]).toBe(KEY);
	});
});
