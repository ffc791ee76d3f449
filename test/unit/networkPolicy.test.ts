/**
 * The download policy on its own: n8n's SSRF env names and meaning, the checks made before connecting,
 * the connect-time lookup (on a real listener: nothing may reach it), and n8n's proxy env semantics.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { downloadDispatcher } from '../../nodes/shared/dispatchers';
import { DownloadPolicy, DownloadRefusedError } from '../../nodes/shared/networkPolicy';
import { proxyForOrigin } from '../../nodes/shared/proxyEnv';
import { DEFAULT_BLOCKED_RANGES, readSsrfSettings } from '../../nodes/shared/ssrfSettings';

const policy = (env: Record<string, string> = {}, base = 'https://inference.do-ai.run') => new DownloadPolicy(new URL(base), readSsrfSettings(env));
const refusal = (check: () => void): DownloadRefusedError | undefined => {
	try {
		check();
		return undefined;
	} catch (error) {
		expect(error).toBeInstanceOf(DownloadRefusedError);
		return error as DownloadRefusedError;
	}
};
const refused = (url: string, env: Record<string, string> = {}, base?: string) => refusal(() => policy(env, base).checkUrl(new URL(url)));

describe('before connecting: scheme, plain http, IP literals', () => {
	it.each([
		['http://169.254.169.254/latest/meta-data/', '169.254.0.0/16'],
		['https://10.0.0.1/x.mp4', '10.0.0.0/8'],
		['https://172.16.5.4/x', '172.16.0.0/12'],
		['https://192.168.1.10/x', '192.168.0.0/16'],
		['https://100.64.1.1/x', '100.64.0.0/10'],
		['https://127.0.0.1:8080/x', '127.0.0.0/8'],
		['https://0.0.0.0/x', '0.0.0.0/8'],
		['https://[::1]/x', '::1/128'],
		['https://[fe80::1]/x', 'fe80::/10'],
		['https://[fd12::1]/x', 'fc00::/7'],
		['https://[::ffff:127.0.0.1]/x', '127.0.0.0/8'],
		['https://[::ffff:169.254.169.254]/x', '169.254.0.0/16'],
		['https://2130706433/x', '127.0.0.0/8'],
	])('%s is refused (range %s), with the env names that allow it', (url, range) => {
		const error = refused(url.replace(/^http:/, 'https:'))!;
		expect(error.message).toMatch(/^Refused to download from /);
		expect(error.message).toContain(`blocked range ${range}`);
		expect(error.description).toContain('N8N_SSRF_ALLOWED_HOSTNAMES');
		expect(error.description).toContain('N8N_SSRF_ALLOWED_IP_RANGES');
		expect(error.description).toContain('N8N_SSRF_PROTECTION_ENABLED=false');
	});

	it('public addresses and names pass; names are judged on their addresses at connect time', () => {
		for (const url of ['https://v3b.fal.media/files/a.jpg', 'https://93.184.216.34/x', 'https://[2606:4700::6810:84e5]/x', 'https://intranet.corp/x']) {
			expect(refused(url)).toBeUndefined();
		}
	});

	it("the Base URL's own host always passes (the emulator case), on any port", () => {
		expect(refused('http://127.0.0.1:9999/files/x.jpg', {}, 'http://127.0.0.1:8787')).toBeUndefined();
		expect(refused('http://localhost:9999/files/x.jpg', {}, 'http://localhost:8787')).toBeUndefined();
		expect(refused('http://10.0.0.7/x', {}, 'http://10.0.0.7:8000')).toBeUndefined();
		expect(refused('http://127.0.0.2/x', {}, 'http://127.0.0.1:8787')?.message).toContain('127.0.0.2');
	});

	it('only http(s); plain http only when the Base URL is http', () => {
		expect(refused('file:///etc/passwd')?.message).toBe('Only http(s) media URLs can be downloaded (got file:)');
		expect(refusal(() => policy().checkUrl(new URL('ftp://cdn.example/x'), true))?.message).toBe(
			'The media URL redirected to a ftp: URL; only http(s) redirects are followed',
		);
		expect(refused('http://cdn.example/x.mp4')?.message).toBe('Refused to download over plain http from cdn.example');
		expect(refused('http://cdn.example/x.mp4', {}, 'http://127.0.0.1:8787')).toBeUndefined();
		// Off does not lift the http rule: it is about the Base URL, not about private networks.
		expect(refused('http://cdn.example/x.mp4', { N8N_SSRF_PROTECTION_ENABLED: 'false' })).toBeDefined();
	});
});

describe("n8n's SSRF env names and meaning", () => {
	it('N8N_SSRF_PROTECTION_ENABLED: on unless false/0 (any case); true/1/garbage keep it on', () => {
		for (const off of ['false', 'FALSE', '0', ' false ']) expect(refused('https://10.0.0.1/x', { N8N_SSRF_PROTECTION_ENABLED: off })).toBeUndefined();
		for (const on of ['true', '1', 'yes', '']) expect(refused('https://10.0.0.1/x', { N8N_SSRF_PROTECTION_ENABLED: on })).toBeDefined();
	});

	it('N8N_SSRF_ALLOWED_IP_RANGES wins over the blocked ranges; CIDR only, as n8n parses it', () => {
		expect(refused('https://10.1.2.3/x', { N8N_SSRF_ALLOWED_IP_RANGES: '10.1.0.0/16, 192.168.0.0/24' })).toBeUndefined();
		expect(refused('https://10.2.0.1/x', { N8N_SSRF_ALLOWED_IP_RANGES: '10.1.0.0/16' })).toBeDefined();
		expect(refused('https://10.1.2.3/x', { N8N_SSRF_ALLOWED_IP_RANGES: '10.1.2.3' })).toBeDefined();
		expect(refused('https://10.1.2.3/x', { N8N_SSRF_ALLOWED_IP_RANGES: '10.1.2.3/32' })).toBeUndefined();
	});

	it('N8N_SSRF_ALLOWED_HOSTNAMES: exact names and *.domain (not the bare domain), case and trailing dot ignored', async () => {
		const env = { N8N_SSRF_BLOCKED_HOSTNAMES: '*.corp', N8N_SSRF_ALLOWED_HOSTNAMES: '*.media.corp,Files.Corp' };
		expect(refused('https://a.media.corp/x', env)).toBeUndefined();
		expect(refused('https://A.Media.Corp./x', env)).toBeUndefined();
		expect(refused('https://files.corp/x', env)).toBeUndefined();
		expect(refused('https://media.corp/x', env)).toBeDefined();
		expect(refused('https://other.corp/x', env)).toBeDefined();
		expect(refused('https://169.254.169.254/x', { N8N_SSRF_ALLOWED_HOSTNAMES: '169.254.169.254' })).toBeUndefined();
		// An allowed name skips the address check at connect time too.
		const lookupError = (env: Record<string, string>) =>
			new Promise<unknown>((resolve) => policy(env).lookup('localhost', { all: true }, (error) => resolve(error)));
		expect(await lookupError({ N8N_SSRF_ALLOWED_HOSTNAMES: 'LOCALHOST.' })).toBeNull();
		expect(await lookupError({ N8N_SSRF_ALLOWED_HOSTNAMES: '*.localhost' })).toBeInstanceOf(DownloadRefusedError);
	});

	it('N8N_SSRF_BLOCKED_HOSTNAMES refuses by name unless the name is also allowed', () => {
		expect(refused('https://evil.example/x', { N8N_SSRF_BLOCKED_HOSTNAMES: '*.example' })?.message).toContain('N8N_SSRF_BLOCKED_HOSTNAMES');
		expect(refused('https://good.example/x', { N8N_SSRF_BLOCKED_HOSTNAMES: '*.example', N8N_SSRF_ALLOWED_HOSTNAMES: 'good.example' })).toBeUndefined();
	});

	it("N8N_SSRF_BLOCKED_IP_RANGES replaces the list; 'default' expands to the built-in one", () => {
		expect(refused('https://10.0.0.1/x', { N8N_SSRF_BLOCKED_IP_RANGES: '192.0.2.0/24' })).toBeUndefined();
		expect(refused('https://192.0.2.9/x', { N8N_SSRF_BLOCKED_IP_RANGES: '192.0.2.0/24' })).toBeDefined();
		expect(refused('https://10.0.0.1/x', { N8N_SSRF_BLOCKED_IP_RANGES: '"default,8.8.8.0/24"' })).toBeDefined();
		expect(refused('https://8.8.8.8/x', { N8N_SSRF_BLOCKED_IP_RANGES: 'default, 8.8.8.0/24' })).toBeDefined();
		expect(DEFAULT_BLOCKED_RANGES).toEqual(expect.arrayContaining(['169.254.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10', '::1/128']));
	});

	it('<NAME>_FILE is read when the variable itself is not set (Docker secrets), as n8n does', () => {
		const folder = mkdtempSync(join(tmpdir(), 'ssrf-env-'));
		try {
			writeFileSync(join(folder, 'allowed'), '10.9.0.0/16\n');
			expect(refused('https://10.9.1.1/x', { N8N_SSRF_ALLOWED_IP_RANGES_FILE: join(folder, 'allowed') })).toBeUndefined();
			expect(refused('https://10.9.1.1/x', { N8N_SSRF_ALLOWED_IP_RANGES: '', N8N_SSRF_ALLOWED_IP_RANGES_FILE: join(folder, 'allowed') })).toBeDefined();
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});
});

describe('at connect time: the addresses a name resolves to', () => {
	let server: Server;
	let connections = 0;
	let port = 0;
	beforeAll(async () => {
		server = createServer((_req, res) => res.end('reached'));
		server.on('connection', () => connections++);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as { port: number }).port;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => (connections = 0));

	it('a name that resolves to a blocked address is refused in the lookup, before any connection', async () => {
		const strict = policy();
		const error = await downloadDispatcher(strict)
			.request({ origin: `http://localhost:${port}`, path: '/x', method: 'GET' })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DownloadRefusedError);
		expect((error as Error).message).toMatch(/^Refused to download from localhost: localhost resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address/);
		expect(connections).toBe(0);
	});

	it('the same name connects when allowed (by name, by range, or with the check off)', async () => {
		const envs: Array<Record<string, string>> = [{ N8N_SSRF_ALLOWED_HOSTNAMES: 'localhost' }, { N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8,::1/128' }, { N8N_SSRF_PROTECTION_ENABLED: '0' }];
		for (const env of envs) {
			const reply = await downloadDispatcher(policy(env)).request({ origin: `http://localhost:${port}`, path: '/x', method: 'GET' });
			expect(await reply.body.text()).toBe('reached');
		}
		expect(connections).toBeGreaterThanOrEqual(1);
	});

	it('answers both lookup forms Node uses (all: true, and a single address)', async () => {
		const allowed = policy({ N8N_SSRF_PROTECTION_ENABLED: 'false' });
		const single = await new Promise<unknown[]>((resolve) => allowed.lookup('localhost', { family: 4 }, (...args) => resolve(args)));
		expect(single).toEqual([null, '127.0.0.1', 4]);
		const strict = policy();
		const all = await new Promise<unknown[]>((resolve) => strict.lookup('localhost', { family: 4 }, (...args) => resolve(args)));
		expect(all[0]).toBeInstanceOf(DownloadRefusedError);
	});
});

describe("proxies from the environment, read as n8n reads them (proxy-from-env)", () => {
	it('the scheme\'s own variable, else ALL_PROXY; lower case first; a proxy without a scheme takes the request\'s', () => {
		expect(proxyForOrigin('https://inference.do-ai.run', { ALL_PROXY: 'http://all:3128' })).toBe('http://all:3128');
		expect(proxyForOrigin('http://cdn.example', { all_proxy: 'all:3128' })).toBe('http://all:3128');
		expect(proxyForOrigin('https://x.example', { HTTPS_PROXY: 'http://s:1', ALL_PROXY: 'http://a:2' })).toBe('http://s:1');
		expect(proxyForOrigin('https://x.example', { HTTP_PROXY: 'http://h:1' })).toBeUndefined();
		expect(proxyForOrigin('http://x.example', { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:1' })).toBe('http://lower:1');
		expect(proxyForOrigin('https://x.example', {})).toBeUndefined();
	});

	it('NO_PROXY: *, exact host, .domain / *.domain suffixes, host:port', () => {
		const via = (origin: string, noProxy: string) => proxyForOrigin(origin, { ALL_PROXY: 'http://p:1', NO_PROXY: noProxy });
		expect(via('https://a.example', '*')).toBeUndefined();
		expect(via('https://a.example', 'a.example')).toBeUndefined();
		expect(via('https://b.a.example', 'a.example')).toBe('http://p:1');
		expect(via('https://b.a.example', '.a.example')).toBeUndefined();
		expect(via('https://b.a.example', '*.a.example')).toBeUndefined();
		expect(via('http://127.0.0.1:8787', '127.0.0.1:8787')).toBeUndefined();
		expect(via('http://127.0.0.1:9000', '127.0.0.1:8787')).toBe('http://p:1');
		expect(via('https://inference.do-ai.run', 'localhost, 127.0.0.1')).toBe('http://p:1');
	});
});
