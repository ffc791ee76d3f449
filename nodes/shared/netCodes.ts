/**
 * One place that knows what low-level network failures mean: which code an error carries, which
 * timer fired, whether the request can have reached the server. Retry policy, transport and error
 * messages all read these tables, so they cannot disagree.
 */

export type TimeoutPhase = 'connect' | 'headers' | 'body';

export type Headers = Record<string, string | string[] | undefined>;

/** undici's own timers. */
const TIMEOUT_PHASES: Record<string, TimeoutPhase> = {
	UND_ERR_CONNECT_TIMEOUT: 'connect',
	UND_ERR_HEADERS_TIMEOUT: 'headers',
	UND_ERR_BODY_TIMEOUT: 'body',
};

/** Nothing was sent: the host could not be resolved or refused the connection. */
export const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** An open connection broke; the request may or may not have reached the server. */
export const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** Codes that prove the request bytes never left this process. */
export const NEVER_SENT_CODES = new Set([...UNREACHABLE_CODES, 'UND_ERR_CONNECT_TIMEOUT']);

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** The error code of `error`, its `cause` chain, or (Node's happy-eyeballs) its first per-address error. */
export function errorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; isObject(current) && depth < 5; depth++) {
		if (typeof current.code === 'string') return current.code;
		if (Array.isArray(current.errors) && isObject(current.errors[0]) && typeof current.errors[0].code === 'string') {
			return current.errors[0].code;
		}
		current = current.cause;
	}
	return undefined;
}

export function timeoutPhase(error: unknown): TimeoutPhase | undefined {
	const code = errorCode(error);
	return code ? TIMEOUT_PHASES[code] : undefined;
}

/** First value of a response header, case-insensitively, trimmed; undefined when absent or blank. */
export function headerValue(headers: Headers, name: string): string | undefined {
	const wanted = name.toLowerCase();
	let value = headers[wanted];
	if (value === undefined) {
		const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === wanted);
		value = key === undefined ? undefined : headers[key];
	}
	const first = Array.isArray(value) ? value[0] : value;
	return first?.trim() ? first.trim() : undefined;
}
