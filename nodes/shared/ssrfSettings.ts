/**
 * n8n's SSRF protection settings, read from the same environment variables with the same meaning
 * (n8n 2.41 `@n8n/config` SsrfProtectionConfig and `@n8n/backend-network`): the blocked and allowed IP
 * ranges (CIDR; `default` in the blocked list expands to the built-in list), the allowed and blocked
 * host names (exact, or `*.example.com` for any subdomain), each also readable from `<NAME>_FILE`.
 * One difference, on purpose: n8n leaves the protection off unless N8N_SSRF_PROTECTION_ENABLED is
 * true; for job media (URLs that come from a job's result, not from the user) it is on unless that
 * variable is false.
 */
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';

/** n8n's built-in list, plus what n8n's next major adds (CGNAT 100.64/10, IPv6 transition ranges). */
export const DEFAULT_BLOCKED_RANGES: readonly string[] = Object.freeze([
	'10.0.0.0/8',
	'172.16.0.0/12',
	'192.168.0.0/16',
	'127.0.0.0/8',
	'::1/128',
	'169.254.0.0/16',
	'fe80::/10',
	'fc00::/7',
	'fd00::/8',
	'0.0.0.0/8',
	'192.0.0.0/24',
	'192.0.2.0/24',
	'198.18.0.0/15',
	'198.51.100.0/24',
	'203.0.113.0/24',
	'100.64.0.0/10',
	'::/128',
	'64:ff9b::/96',
	'64:ff9b:1::/48',
	'2001::/32',
	'2002::/16',
]);

export const SSRF_ENV = {
	enabled: 'N8N_SSRF_PROTECTION_ENABLED',
	blockedRanges: 'N8N_SSRF_BLOCKED_IP_RANGES',
	allowedRanges: 'N8N_SSRF_ALLOWED_IP_RANGES',
	allowedHostnames: 'N8N_SSRF_ALLOWED_HOSTNAMES',
	blockedHostnames: 'N8N_SSRF_BLOCKED_HOSTNAMES',
} as const;

/** A list of CIDR ranges that can name the range an address fell in (for the error message). */
export class IpRanges {
	private readonly entries: Array<{ cidr: string; list: BlockList }> = [];

	constructor(cidrs: readonly string[]) {
		for (const raw of cidrs) {
			const cidr = raw.trim();
			const [network, prefix, extra] = cidr.split('/');
			const family = isIP(network ?? '');
			// Like n8n: CIDR notation only; an invalid entry is skipped.
			if (!family || extra !== undefined || !/^\d{1,3}$/.test(prefix ?? '')) continue;
			if (Number(prefix) > (family === 4 ? 32 : 128)) continue;
			const list = new BlockList();
			list.addSubnet(network, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
			this.entries.push({ cidr, list });
		}
	}

	/** The first range holding `ip` (IPv4-mapped IPv6 addresses match IPv4 ranges too). */
	find(ip: string): string | undefined {
		const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
		return this.entries.find((entry) => entry.list.check(ip, family))?.cidr;
	}
}

/** Host name patterns: `example.com` matches itself, `*.example.com` any subdomain (not the bare domain). */
export class HostnamePatterns {
	private readonly patterns: string[];

	constructor(patterns: readonly string[]) {
		this.patterns = patterns.map(normalizeHostname).filter(Boolean);
	}

	matches(hostname: string): boolean {
		const host = normalizeHostname(hostname);
		return this.patterns.some((pattern) =>
			pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern,
		);
	}
}

/** Lower case, no trailing dot, no IPv6 brackets. */
export function normalizeHostname(hostname: string): string {
	const trimmed = hostname.trim().toLowerCase().replace(/\.$/, '');
	return trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
}

export interface SsrfSettings {
	/** The raw values these settings were read from: equal fingerprints, equal settings. */
	fingerprint: string;
	enabled: boolean;
	blocked: IpRanges;
	allowed: IpRanges;
	allowedHostnames: HostnamePatterns;
	blockedHostnames: HostnamePatterns;
}

type Env = Record<string, string | undefined>;

/** n8n's readEnv: the variable itself, else the file named by `<NAME>_FILE`. */
function readEnv(env: Env, name: string): string | undefined {
	if (name in env) return env[name];
	const file = env[`${name}_FILE`];
	if (!file) return undefined;
	try {
		return readFileSync(file, 'utf8').trim();
	} catch {
		return undefined;
	}
}

/** Surrounding quotes and spaces go, as n8n's normalizeEnvValue does. */
function unquote(value: string): string {
	return value.trim().replace(/^(['"])(.*)\1$/, '$2');
}

function commaList(value: string | undefined): string[] {
	return (value ?? '').split(',').filter((entry) => entry.trim() !== '');
}

/** `true`/`1` and `false`/`0` (any case), like n8n's boolean env values; anything else keeps the default. */
function readEnabled(value: string | undefined): boolean {
	const word = value?.trim().toLowerCase();
	if (word === 'false' || word === '0') return false;
	return true;
}

export function readSsrfSettings(env: Env = process.env): SsrfSettings {
	const raw = Object.values(SSRF_ENV).map((name) => readEnv(env, name));
	const blockedValue = readEnv(env, SSRF_ENV.blockedRanges);
	const blocked =
		blockedValue === undefined
			? DEFAULT_BLOCKED_RANGES
			: commaList(unquote(blockedValue)).flatMap((entry) => (entry.trim().toLowerCase() === 'default' ? DEFAULT_BLOCKED_RANGES : [entry]));
	return {
		fingerprint: JSON.stringify(raw),
		enabled: readEnabled(readEnv(env, SSRF_ENV.enabled)),
		blocked: new IpRanges(blocked),
		allowed: new IpRanges(commaList(readEnv(env, SSRF_ENV.allowedRanges))),
		allowedHostnames: new HostnamePatterns(commaList(readEnv(env, SSRF_ENV.allowedHostnames))),
		blockedHostnames: new HostnamePatterns(commaList(readEnv(env, SSRF_ENV.blockedHostnames))),
	};
}
