/**
 * Which proxy a request goes through, read from the environment exactly as n8n's own HTTP stack does
 * (`proxy-from-env`, used by n8n's request helpers and HTTP Request node): `<scheme>_proxy`
 * (HTTPS_PROXY for https URLs, HTTP_PROXY for http), else ALL_PROXY; lower-case names win over upper
 * case; npm's `npm_config_*` forms count too. NO_PROXY lists hosts that go direct: `*` for all,
 * `host` (exact), `.example.com` or `*.example.com` (any name ending so), each optionally `:port`.
 * The environment is read per request, as n8n does.
 */

type Env = Record<string, string | undefined>;

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function getEnv(env: Env, name: string): string {
	return env[name.toLowerCase()] || env[name.toUpperCase()] || '';
}

function bypassesProxy(env: Env, hostname: string, port: number): boolean {
	const noProxy = (getEnv(env, 'npm_config_no_proxy') || getEnv(env, 'no_proxy')).toLowerCase();
	if (!noProxy) return false;
	if (noProxy === '*') return true;
	return noProxy.split(/[,\s]/).some((entry) => {
		if (!entry) return false;
		const withPort = /^(.+):(\d+)$/.exec(entry);
		const entryHost = withPort ? withPort[1] : entry;
		if (withPort && Number(withPort[2]) !== port) return false;
		if (!/^[.*]/.test(entryHost)) return hostname === entryHost;
		return hostname.endsWith(entryHost.replace(/^\*/, ''));
	});
}

/** The proxy URL for `origin` (e.g. `https://inference.do-ai.run`), or undefined to connect directly. */
export function proxyForOrigin(origin: string, env: Env = process.env): string | undefined {
	let url: URL;
	try {
		url = new URL(origin);
	} catch {
		return undefined;
	}
	const scheme = url.protocol.replace(/:$/, '');
	// `host` minus the port keeps an IPv6 literal's brackets, as proxy-from-env compares it.
	const hostname = url.host.replace(/:\d*$/, '').toLowerCase();
	const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
	if (!hostname || bypassesProxy(env, hostname, port)) return undefined;
	const proxy =
		getEnv(env, `npm_config_${scheme}_proxy`) || getEnv(env, `${scheme}_proxy`) || getEnv(env, 'npm_config_proxy') || getEnv(env, 'all_proxy');
	if (!proxy) return undefined;
	// A proxy given without a scheme takes the request's, as proxy-from-env does.
	return proxy.includes('://') ? proxy : `${scheme}://${proxy}`;
}
