/**
 * Downloads through the transport against the emulator's CDN origin: redirects (hops, the key only on
 * the API's origin, http(s) only), the network policy (private addresses refused before any
 * connection, unless n8n's env allows them), and ALL_PROXY through a real local proxy.
 */
import { NodeOperationError } from 'n8n-workflow';

import { InferenceClient } from '../../nodes/shared/transport';
import { DEFAULT_KEY } from '../emulator';
import { TEST_NODE } from './helpers/fakeContext';
import { startTestProxy, type TestProxy } from './helpers/httpProxy';
import { useEmulator } from './helpers/useEmulator';

const emulator = useEmulator();
const cdnUrl = () => emulator.cdnUrl;
const cdnPort = () => Number(new URL(emulator.cdnUrl).port);

const ENV_NAMES = [
	'N8N_SSRF_PROTECTION_ENABLED',
	'N8N_SSRF_ALLOWED_HOSTNAMES',
	'N8N_SSRF_ALLOWED_IP_RANGES',
	'ALL_PROXY',
	'all_proxy',
	'NO_PROXY',
	'no_proxy',
];
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
afterEach(() => {
	for (const name of ENV_NAMES) {
		if (savedEnv[name] === undefined) delete process.env[name];
		else process.env[name] = savedEnv[name];
	}
});

const client = (baseUrl = emulator.url) => new InferenceClient({ node: TEST_NODE, baseUrl, apiKey: DEFAULT_KEY, maxRetries: 0 });
const cdnLog = () => emulator.control.cdnRequests();

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
	return Buffer.concat(chunks);
}

async function downloadError(url: string, from = client()): Promise<NodeOperationError> {
	const error = await from.download(url).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeOperationError);
	return error as NodeOperationError;
}

describe('redirects', () => {
	it('follows up to 5 redirects to the presigned link; none of the hops gets the key', async () => {
		const file = await client().download(`${cdnUrl()}/hops/5/large-4096.mp4`);
		expect((await readAll(file.stream)).subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(cdnLog().map((r) => [r.path, r.status])).toEqual([
			...[5, 4, 3, 2, 1].map((n) => [`/hops/${n}/large-4096.mp4`, 302]),
			['/signed/large-4096.mp4', 200],
		]);
		expect(cdnLog().every((r) => r.headers.authorization === undefined)).toBe(true);
	});

	it('a sixth redirect is a clear error, and the file is not fetched', async () => {
		const error = await downloadError(`${cdnUrl()}/hops/6/large-4096.mp4`);
		expect(error.message).toBe('The media URL redirected more than 5 times');
		expect(cdnLog().map((r) => r.path)).toEqual([6, 5, 4, 3, 2, 1].map((n) => `/hops/${n}/large-4096.mp4`));
	});

	it.each([301, 302, 303, 307, 308])('follows a %i, relative Locations included', async (status) => {
		const file = await client().download(`${cdnUrl()}/goto?status=${status}&to=${encodeURIComponent('/files/large-64.mp4')}`);
		expect(await readAll(file.stream)).toHaveLength(64);
	});

	it.each(['file:///etc/passwd', 'ftp://127.0.0.1/x.mp4', 'data:video/mp4;base64,AAAA'])('refuses a redirect to %s before reading it', async (to) => {
		const error = await downloadError(`${cdnUrl()}/goto?to=${encodeURIComponent(to)}`);
		expect(error.message).toMatch(/^The media URL redirected to a (file|ftp|data): URL; only http\(s\) redirects are followed$/);
	});

	it('a redirect from a media host back to the API origin carries the key there, and only there', async () => {
		const file = await client().download(`${cdnUrl()}/goto?to=${encodeURIComponent(`${emulator.url}/v1/models`)}`);
		expect(JSON.parse((await readAll(file.stream)).toString('utf8')).object).toBe('list');
		expect(cdnLog()).toEqual([expect.objectContaining({ path: '/goto', status: 302 })]);
		expect(cdnLog()[0].headers.authorization).toBeUndefined();
		expect(emulator.control.requests().map((r) => [r.path, r.headers.authorization])).toEqual([['/v1/models', `Bearer ${DEFAULT_KEY}`]]);
	});

	it('never downgrades to plain http when the Base URL is https (checked before connecting)', async () => {
		// Nothing listens on the https Base URL: only the policy can answer.
		const error = await downloadError(`${cdnUrl()}/files/large-64.mp4`, client('https://127.0.0.1:1'));
		expect(error.message).toBe('Refused to download over plain http from 127.0.0.1');
		expect(error.description).toMatch(/Base URL is http too/);
		expect(cdnLog()).toEqual([]);
	});
});

describe('network policy (SSRF)', () => {
	it('a media URL on localhost (another port of the machine) is refused at connect time: nothing reaches the listener', async () => {
		const error = await downloadError(`http://localhost:${cdnPort()}/files/large-64.mp4`);
		expect(error.message).toMatch(/^Refused to download from localhost: localhost resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address/);
		expect(error.description).toContain('N8N_SSRF_ALLOWED_HOSTNAMES');
		expect(cdnLog()).toEqual([]);
	});

	it.each([
		['http://169.254.169.254/latest/meta-data/iam/', '169.254.0.0/16'],
		['http://10.0.0.1/video.mp4', '10.0.0.0/8'],
		['http://[::ffff:127.0.0.1]:9/x', '127.0.0.0/8'],
	])('%s is refused before connecting (range %s)', async (url, range) => {
		const started = Date.now();
		const error = await downloadError(url);
		expect(error.message).toContain(`blocked range ${range}`);
		// No connect attempt: an unroutable address would take the 30 s connect timeout.
		expect(Date.now() - started).toBeLessThan(1_000);
	});

	it("the Base URL's own host passes on another port (the emulator case)", async () => {
		const file = await client(emulator.url.replace('127.0.0.1', 'localhost')).download(`http://localhost:${cdnPort()}/files/large-64.mp4`);
		expect(await readAll(file.stream)).toHaveLength(64);
	});

	it.each([
		['N8N_SSRF_ALLOWED_HOSTNAMES', 'localhost'],
		['N8N_SSRF_ALLOWED_IP_RANGES', '127.0.0.0/8,::1/128'],
		['N8N_SSRF_PROTECTION_ENABLED', 'false'],
	])('%s=%s lets the same download through', async (name, value) => {
		process.env[name] = value;
		const file = await client().download(`http://localhost:${cdnPort()}/files/large-64.mp4`);
		expect(await readAll(file.stream)).toHaveLength(64);
		expect(cdnLog()).toHaveLength(1);
	});

	it('a redirect into a private address is refused at that hop', async () => {
		const error = await downloadError(`${cdnUrl()}/goto?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`);
		expect(error.message).toMatch(/^Refused to follow a redirect to 169\.254\.169\.254: .*blocked range 169\.254\.0\.0\/16/);
	});
});

describe('proxies', () => {
	let proxy: TestProxy;
	beforeAll(async () => {
		proxy = await startTestProxy();
	});
	afterAll(async () => proxy.close());
	beforeEach(() => (proxy.log.length = 0));

	it('ALL_PROXY carries API requests and downloads (as n8n honours it); NO_PROXY bypasses it', async () => {
		process.env.ALL_PROXY = proxy.url;
		const api = client();
		await api.json({ method: 'GET', path: '/v1/models' });
		const file = await api.download(`${cdnUrl()}/files/large-64.mp4`);
		expect(await readAll(file.stream)).toHaveLength(64);
		const apiHost = new URL(emulator.url).host;
		expect(proxy.log).toEqual([`CONNECT ${apiHost}`, `CONNECT 127.0.0.1:${cdnPort()}`]);
		expect(cdnLog().every((r) => r.headers.authorization === undefined)).toBe(true);

		process.env.NO_PROXY = '127.0.0.1';
		proxy.log.length = 0;
		await api.json({ method: 'GET', path: '/v1/models' });
		expect(proxy.log).toEqual([]);
	});

	it('through a proxy (which resolves names itself) a localhost media URL is refused by its name, and the proxy sees nothing', async () => {
		process.env.ALL_PROXY = proxy.url;
		const error = await downloadError(`http://localhost:${cdnPort()}/files/large-64.mp4`);
		expect(error.message).toMatch(/^Refused to download from localhost: localhost resolves to 127\.0\.0\.1/);
		expect(proxy.log).toEqual([]);
		expect(cdnLog()).toEqual([]);
	});
});
