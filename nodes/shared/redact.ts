/**
 * Keeps secrets (the Model Access Key) out of anything a user or a log can see: error messages,
 * descriptions, output items.
 */

export const REDACTED = '[redacted]';

/** Secrets shorter than this are ignored: redacting "a" or "abc" would mangle every message. */
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces every occurrence of each secret with `[redacted]`, including the forms a secret takes
 * inside a URL (percent-encoded) and inside JSON text (escaped). `Bearer <secret>` therefore becomes
 * `Bearer [redacted]`.
 */
export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
	let result = text;
	for (const variant of secretVariants(secrets)) {
		result = result.split(variant).join(REDACTED);
	}
	return result;
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactDeep<T>(value: T, secrets: Array<string | undefined>): T {
	if (typeof value === 'string') return redactSecrets(value, secrets) as T;
	if (Array.isArray(value)) return value.map((entry) => redactDeep(entry, secrets) as unknown) as T;
	if (value !== null && typeof value === 'object') {
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) {
			// defineProperty, not assignment: a key "__proto__" (e.g. echoed metadata) stays a plain key.
			Object.defineProperty(copy, redactSecrets(key, secrets), {
				value: redactDeep(entry, secrets),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		return copy as T;
	}
	return value;
}

function secretVariants(secrets: Array<string | undefined>): string[] {
	const variants = new Set<string>();
	for (const secret of secrets) {
		if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
		variants.add(secret);
		variants.add(encodeURIComponent(secret));
		variants.add(JSON.stringify(secret).slice(1, -1));
	}
	// Longest first, so a secret that contains another secret is replaced whole.
	return [...variants].sort((a, b) => b.length - a.length);
}
