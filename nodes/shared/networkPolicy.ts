/**
 * Where a job's media may be downloaded from. Media URLs come from job results, not from the user, so a
 * result pointing into the private network (the cloud metadata address, an internal service) is
 * refused before any connection, following n8n's SSRF settings (ssrfSettings.ts). The Base URL's own
 * host is always allowed: the user chose it (a local emulator, a private gateway). Every redirect hop is
 * checked the same way, and host names are checked again at connect time on the addresses they resolve
 * to, so a name that resolves to a private address (or changes its answer) cannot slip past.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

import { proxyForOrigin } from './proxyEnv';
import { normalizeHostname, readSsrfSettings, SSRF_ENV, type SsrfSettings } from './ssrfSettings';

/** Raised when a download is refused; `description` says how to allow it. Never holds a URL's query. */
export class DownloadRefusedError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'DownloadRefusedError';
	}
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** `localhost` and `*.localhost` always mean this machine (RFC 6761), whoever resolves them. */
const LOOPBACK_NAME = /(^|\.)localhost$/;
const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];

export class DownloadPolicy {
	private readonly trustedHost: string;

	/** Equal keys, equal policies: downloads under one key can share a connection pool. */
	readonly key: string;

	constructor(
		private readonly apiUrl: URL,
		private readonly settings: SsrfSettings = readSsrfSettings(),
	) {
		this.trustedHost = normalizeHostname(apiUrl.hostname);
		this.key = `${apiUrl.protocol}//${this.trustedHost} ${settings.fingerprint}`;
	}

	/**
	 * Checks what is known before connecting: the scheme, plain http, and the host's name or IP literal.
	 * A host name is checked again on its addresses at connect time (`lookup`) — except through a proxy,
	 * which resolves it itself: then `localhost` names count as loopback here. `redirected` words the
	 * error for a hop the server redirected to.
	 */
	checkUrl(url: URL, redirected = false): void {
		if (url.protocol !== 'https:' && url.protocol !== 'http:') {
			throw new DownloadRefusedError(
				redirected
					? `The media URL redirected to a ${url.protocol} URL; only http(s) redirects are followed`
					: `Only http(s) media URLs can be downloaded (got ${url.protocol})`,
				'The job result or its media host pointed somewhere n8n must not read. Nothing was downloaded.',
			);
		}
		const host = normalizeHostname(url.hostname);
		if (url.protocol === 'http:' && this.apiUrl.protocol !== 'http:') {
			throw new DownloadRefusedError(
				`${redirected ? 'Refused to follow a redirect' : 'Refused to download'} over plain http from ${host}`,
				"Media is downloaded over plain http only when the credential's Base URL is http too (e.g. a local emulator); otherwise the file must come over https.",
			);
		}
		if (!this.settings.enabled || this.allowsName(host)) return;
		if (this.settings.blockedHostnames.matches(host)) {
			throw this.refusal(host, `${host} is listed in ${SSRF_ENV.blockedHostnames}`, redirected);
		}
		if (isIP(host)) this.checkAddress(host, host, redirected);
		else if (LOOPBACK_NAME.test(host) && proxyForOrigin(url.origin)) {
			for (const address of LOOPBACK_ADDRESSES) this.checkAddress(host, address, redirected);
		}
	}

	/** For undici's `connect.lookup`: resolves as usual, then refuses if any address is blocked. */
	readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
		if (!this.settings.enabled || this.allowsName(normalizeHostname(hostname))) {
			dnsLookup(hostname, options, callback as never);
			return;
		}
		dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
			if (error) return callback(error, options.all ? [] : '');
			try {
				for (const { address } of addresses) this.checkAddress(normalizeHostname(hostname), address, false);
			} catch (refusal) {
				return callback(refusal as DownloadRefusedError, options.all ? [] : '');
			}
			if (options.all) callback(null, addresses);
			else callback(null, addresses[0].address, addresses[0].family);
		});
	};

	private allowsName(host: string): boolean {
		return host === this.trustedHost || this.settings.allowedHostnames.matches(host);
	}

	private checkAddress(host: string, address: string, redirected: boolean): void {
		if (this.settings.allowed.find(address)) return;
		const range = this.settings.blocked.find(address);
		if (!range) return;
		const what = host === address ? `${host} is` : `${host} resolves to ${address},`;
		throw this.refusal(host, `${what} a private, loopback or link-local address (blocked range ${range})`, redirected, range);
	}

	private refusal(host: string, reason: string, redirected: boolean, range?: string): DownloadRefusedError {
		const allowRange = range ? ` or the range in ${SSRF_ENV.allowedRanges}` : '';
		return new DownloadRefusedError(
			`${redirected ? 'Refused to follow a redirect to' : 'Refused to download from'} ${host}: ${reason}`,
			`Media URLs come from the job's result, so n8n does not fetch them from private networks. If ${host} is a host you trust, allow it in n8n's environment: add it to ${SSRF_ENV.allowedHostnames}${allowRange}, or set ${SSRF_ENV.enabled}=false to turn the check off. Nothing was downloaded.`,
		);
	}
}
