/**
 * Retry policy of the transport: which failures are transient, and how long to wait before the next
 * attempt (server hints first, then capped exponential backoff with full jitter).
 */
import { errorCode, headerValue, NEVER_SENT_CODES, RESET_CODES, type Headers } from './netCodes';

/** `safe`: retry any transient failure. `before-send-only`: the request may create a paid job, so retry
 *  only when it certainly never reached the server (connection refused, connect timeout, DNS) or the
 *  server explicitly refused it with a 429. */
export type RetryMode = 'safe' | 'before-send-only';

export const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504]);

/** Network failures worth another attempt when the request is `safe` to repeat. */
const TRANSIENT_CODES = new Set([...NEVER_SENT_CODES, ...RESET_CODES]);

export function isRetryableStatus(status: number, mode: RetryMode): boolean {
	return mode === 'safe' ? RETRYABLE_STATUSES.has(status) : status === 429;
}

export function isRetryableNetworkError(error: unknown, mode: RetryMode): boolean {
	const code = errorCode(error);
	if (!code) return false;
	return mode === 'safe' ? TRANSIENT_CODES.has(code) : NEVER_SENT_CODES.has(code);
}

/**
 * The wait the server asked for, in ms: `retry-after-ms`, `retry-after` (seconds or an HTTP date), or —
 * for a 429 only, since DO sends it on every reply — `ratelimit-reset` (DO documents a unix epoch;
 * small values are read as seconds from now).
 */
export function serverRetryDelayMs(headers: Headers, status: number, now = Date.now()): number | undefined {
	const retryAfterMs = Number(headerValue(headers, 'retry-after-ms'));
	if (headerValue(headers, 'retry-after-ms') !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
		return retryAfterMs;
	}
	const retryAfter = headerValue(headers, 'retry-after');
	if (retryAfter !== undefined && retryAfter.trim() !== '') {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
		const date = Date.parse(retryAfter);
		if (!Number.isNaN(date)) return Math.max(0, date - now);
	}
	if (status !== 429) return undefined;
	const reset = Number(headerValue(headers, 'ratelimit-reset'));
	if (headerValue(headers, 'ratelimit-reset') !== undefined && Number.isFinite(reset) && reset >= 0) {
		return reset > 1e9 ? Math.max(0, reset * 1000 - now) : reset * 1000;
	}
	return undefined;
}

export interface BackoffPolicy {
	baseMs: number;
	capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 8_000 };

/** Full jitter: a random wait in [0, min(cap, base·2^attempt)] so parallel clients spread out. */
export function backoffDelayMs(attempt: number, policy = DEFAULT_BACKOFF, random = Math.random): number {
	const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
	return Math.round(random() * ceiling);
}
