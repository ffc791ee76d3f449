/**
 * The connection pools behind the transport. API requests share one keep-alive pool per process; job
 * media downloads use pools whose DNS lookup applies the download policy (networkPolicy.ts), one per
 * API host and policy. Both send a request through the proxy the environment names for its URL
 * (proxyEnv.ts: HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY, as n8n reads them). Through a proxy the
 * proxy resolves the target's name, so only the name or IP literal is checked (networkPolicy checkUrl).
 */
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

import type { DownloadPolicy } from './networkPolicy';
import { proxyForOrigin } from './proxyEnv';

export const CONNECT_TIMEOUT_MS = 30_000;

const POOL_OPTIONS = { keepAliveTimeout: 30_000, connections: 64 };

let sharedDispatcher: Dispatcher | undefined;
const proxyAgents = new Map<string, ProxyAgent>();
const downloadDispatchers = new Map<string, Dispatcher>();

function proxyAgent(uri: string): ProxyAgent {
	let agent = proxyAgents.get(uri);
	if (!agent) {
		agent = new ProxyAgent({ ...POOL_OPTIONS, uri, proxyTls: { timeout: CONNECT_TIMEOUT_MS } });
		proxyAgents.set(uri, agent);
	}
	return agent;
}

function originOf(value: unknown): string {
	try {
		return new URL(String(value)).origin;
	} catch {
		return '';
	}
}

/** `direct`, except that a request whose URL the environment sends through a proxy goes to that proxy. */
function withEnvProxies(direct: Agent): Dispatcher {
	return direct.compose((dispatch) => (options, handler) => {
		const proxy = proxyForOrigin(originOf(options.origin));
		return proxy ? proxyAgent(proxy).dispatch(options, handler) : dispatch(options, handler);
	});
}

/** The process-wide pool for API requests. */
export function getDispatcher(): Dispatcher {
	sharedDispatcher ??= withEnvProxies(new Agent({ ...POOL_OPTIONS, connect: { timeout: CONNECT_TIMEOUT_MS } }));
	return sharedDispatcher;
}

/** The pool for media downloads under `policy` (one per policy key: API host and settings). */
export function downloadDispatcher(policy: DownloadPolicy): Dispatcher {
	let dispatcher = downloadDispatchers.get(policy.key);
	if (!dispatcher) {
		dispatcher = withEnvProxies(new Agent({ ...POOL_OPTIONS, connect: { timeout: CONNECT_TIMEOUT_MS, lookup: policy.lookup } }));
		downloadDispatchers.set(policy.key, dispatcher);
	}
	return dispatcher;
}

/**
 * `api` for requests to the API's own origin, the policy's download pool for any other origin, so a
 * download's every hop is checked wherever it leads.
 */
export function routeDownloads(api: Dispatcher, apiOrigin: string, download: () => Dispatcher): Dispatcher {
	return api.compose((dispatch) => (options, handler) =>
		originOf(options.origin) === apiOrigin ? dispatch(options, handler) : download().dispatch(options, handler),
	);
}
