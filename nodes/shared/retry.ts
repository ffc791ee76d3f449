/**
 * Retry policy of the transport: which failures are transient, which may be sent again given what the
 * request costs, and how long to wait before the next attempt (server hints first, then capped
 * exponential backoff with full jitter).
 */
import { errorCode, headerValue, NEVER_SENT_CODES, RESET_CODES, type Headers } from './netCodes';

/**
 * What a repeat of the request may cost, and so when it may be sent again:
 * - `safe`: repeating costs nothing (GETs: model lists, job polls, downloads) — retry any transient
 *   failure, also a reply that broke off half-way.
 * - `billable`: the server does paid work for it (chat, responses, messages, embeddings, images,
 *   speech) — retry only while none of the answer has arrived: connection failures before the response
 *   headers, retryable statuses (the server said no), and for streams a break or an error event before
 *   the first event that carries part of the answer. Once the answer started arriving the work is
 *   billed, so it is not sent again unless the user asked for that (`resendStartedAnswers`).
 * - `before-send-only`: the request may create a paid job — retry only when it certainly never reached
 *   the server (connection refused, connect timeout, DNS) or the server explicitly refused it with a 429.
 */
export type RetryMode = 'safe' | 'billable' | 'before-send-only';

/** A GET only reads; anything else asks the server for (paid) work unless the caller says otherwise. */
export function defaultRetryMode(method: string): RetryMode {
	return method === 'GET' ? 'safe' : 'billable';
}

export const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504]);

/** Network failures worth another attempt when the request is `safe` to repeat. */
const TRANSIENT_CODES = new Set([...NEVER_SENT_CODES, ...RESET_CODES]);

export function isRetryableStatus(status: number, mode: RetryMode): boolean {
	return mode === 'before-send-only' ? status === 429 : RETRYABLE_STATUSES.has(status);
}

/** For a failure before the response headers: nothing of the answer arrived yet. */
export function isRetryableNetworkError(error: unknown, mode: RetryMode): boolean {
	const code = errorCode(error);
	if (!code) return false;
	return mode === 'before-send-only' ? NEVER_SENT_CODES.has(code) : TRANSIENT_CODES.has(code);
}

/**
 * Whether a reply that failed after its 2xx headers (a body cut short, a stream that broke off, ended
 * early or reported an error) may be sent again. `answerStarted`: part of the answer had arrived.
 */
export function mayResendAfterHeaders(mode: RetryMode, answerStarted: boolean, resendStartedAnswers = false): boolean {
	if (mode === 'safe') return true;
	if (mode === 'billable') return !answerStarted || resendStartedAnswers;
	return false;
}

/**
 * The wait the server asked for, in ms: `retry-after-ms`, `retry-after` (seconds or an HTTP date), or —
 * for a 429 only, since DO sends them on every reply — the reset time of the exhausted rate limit
 * (see `rateLimitResetMs`).
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
	return status === 429 ? rateLimitResetMs(headers, now) : undefined;
}

/** Each reset header and the header that says how much of that limit remains. */
const RESET_HEADER = /^(x-)?ratelimit-reset(-.+)?$/i;

interface ResetCandidate {
	wait: number;
	/** A unix time in whole seconds: the real reset lies up to a second before it. */
	wholeSecondEpoch: boolean;
}

/**
 * When the exhausted rate limit resets, in ms from now. DO documents `ratelimit-reset` (a unix epoch;
 * §11.2) and live replies carry OpenAI's family `x-ratelimit-reset-requests`,
 * `-tokens-per-minute`, `-tokens-per-day`, whose values are durations (`20ms`, `6m0s`, `1h2m3.5s`).
 * With several limits, the ones whose `…-remaining…` is 0 are what refused the request: wait for the
 * last of them. When no header says which is exhausted, wait for the longest of those not known to
 * have room left. An epoch in whole seconds that a finer reset falls within is the same moment rounded,
 * so the finer one counts (waiting up to a second longer on every 429 costs a tenth of a 10 s quota).
 */
export function rateLimitResetMs(headers: Headers, now = Date.now()): number | undefined {
	const exhausted: ResetCandidate[] = [];
	const unknown: ResetCandidate[] = [];
	for (const name of Object.keys(headers)) {
		const match = RESET_HEADER.exec(name);
		if (!match) continue;
		const value = headerValue(headers, name);
		const wait = resetValueMs(value, now);
		if (wait === undefined) continue;
		const candidate = { wait, wholeSecondEpoch: /^\d{10}$/.test(value ?? '') };
		const remaining = Number(headerValue(headers, `${match[1] ?? ''}ratelimit-remaining${match[2] ?? ''}`) ?? NaN);
		if (remaining === 0) exhausted.push(candidate);
		else if (!Number.isFinite(remaining)) unknown.push(candidate);
	}
	const candidates = exhausted.length > 0 ? exhausted : unknown;
	const refined = candidates.filter(
		(coarse) =>
			!coarse.wholeSecondEpoch ||
			!candidates.some((fine) => !fine.wholeSecondEpoch && fine.wait <= coarse.wait && fine.wait > coarse.wait - 1000),
	);
	return refined.length > 0 ? Math.max(...refined.map((candidate) => candidate.wait)) : undefined;
}

const DURATION = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * A reset value as ms from now: a Go-style duration (`1s`, `6m0s`, `20ms`, `1h2m3.5s`), plain seconds,
 * or a unix epoch in seconds (above 1e9) or milliseconds (above 1e12).
 */
export function resetValueMs(value: string | undefined, now = Date.now()): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim().toLowerCase();
	if (DURATION.test(text)) {
		let ms = 0;
		for (const [, amount, unit] of text.matchAll(DURATION_PART)) ms += Number(amount) * UNIT_MS[unit];
		return Math.round(ms);
	}
	const number = Number(text);
	if (text === '' || !Number.isFinite(number) || number < 0) return undefined;
	if (number > 1e12) return Math.max(0, Math.round(number - now));
	if (number > 1e9) return Math.max(0, Math.round(number * 1000 - now));
	return Math.round(number * 1000);
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
