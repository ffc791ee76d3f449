import {
	backoffDelayMs,
	defaultRetryMode,
	isRetryableNetworkError,
	isRetryableStatus,
	mayResendAfterHeaders,
	rateLimitResetMs,
	resetValueMs,
	serverRetryDelayMs,
} from '../../nodes/shared/retry';

describe('serverRetryDelayMs', () => {
	const now = Date.parse('2026-11-22T10:00:00Z');
	it('reads retry-after-ms first', () => {
		expect(serverRetryDelayMs({ 'retry-after-ms': '250', 'retry-after': '9' }, 429, now)).toBe(250);
	});
	it('reads retry-after in seconds and as an HTTP date', () => {
		expect(serverRetryDelayMs({ 'retry-after': '2' }, 503, now)).toBe(2000);
		expect(serverRetryDelayMs({ 'retry-after': 'Sun, 22 Nov 2026 10:00:05 GMT' }, 429, now)).toBe(5000);
		expect(serverRetryDelayMs({ 'retry-after': 'Sun, 22 Nov 2026 09:00:00 GMT' }, 429, now)).toBe(0);
	});
	it('reads ratelimit-reset as an epoch or as seconds, only for a 429', () => {
		expect(serverRetryDelayMs({ 'ratelimit-reset': String(now / 1000 + 30) }, 429, now)).toBe(30_000);
		expect(serverRetryDelayMs({ 'ratelimit-reset': '4' }, 429, now)).toBe(4000);
		expect(serverRetryDelayMs({ 'ratelimit-reset': String(now / 1000 + 3600) }, 500, now)).toBeUndefined();
	});
	it('ignores garbage', () => {
		expect(serverRetryDelayMs({ 'retry-after': 'soon' }, 429, now)).toBeUndefined();
		expect(serverRetryDelayMs({}, 429, now)).toBeUndefined();
	});
	it('without retry-after, reads the x-ratelimit-reset-* family of a 429 (not of a 503)', () => {
		const headers = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s' };
		expect(serverRetryDelayMs(headers, 429, now)).toBe(360_000);
		expect(serverRetryDelayMs(headers, 503, now)).toBeUndefined();
		expect(serverRetryDelayMs({ ...headers, 'retry-after': '2' }, 429, now)).toBe(2000);
	});
});

describe('rate-limit reset headers', () => {
	const now = Date.parse('2026-11-22T10:00:00Z');
	it('reads Go durations, plain seconds and epochs in seconds or ms', () => {
		expect(resetValueMs('20ms', now)).toBe(20);
		expect(resetValueMs('1s', now)).toBe(1000);
		expect(resetValueMs('6m0s', now)).toBe(360_000);
		expect(resetValueMs('1h2m3.5s', now)).toBe(3_723_500);
		expect(resetValueMs('0.25', now)).toBe(250);
		expect(resetValueMs(String(now / 1000 + 7), now)).toBe(7000);
		expect(resetValueMs(String(now + 1500), now)).toBe(1500);
		expect(resetValueMs(String(now / 1000 - 5), now)).toBe(0);
		for (const bad of ['', 'soon', '5 minutes', '-3', '1x', 'ms']) expect(resetValueMs(bad, now)).toBeUndefined();
	});
	it('waits for the exhausted limit, even when another resets much later', () => {
		expect(
			rateLimitResetMs(
				{
					'ratelimit-remaining': '12',
					'ratelimit-reset': String(now / 1000 + 3000),
					'x-ratelimit-remaining-requests': '0',
					'x-ratelimit-reset-requests': '1.5s',
					'x-ratelimit-remaining-tokens-per-minute': '749000',
					'x-ratelimit-reset-tokens-per-minute': '37s',
					'x-ratelimit-remaining-tokens-per-day': '7999000',
					'x-ratelimit-reset-tokens-per-day': '13h2m3s',
				},
				now,
			),
		).toBe(1500);
	});
	it('with several exhausted limits, waits for the last of them', () => {
		const headers = {
			'x-ratelimit-remaining-requests': '0',
			'x-ratelimit-reset-requests': '1.5s',
			'x-ratelimit-remaining-tokens-per-minute': '0',
			'x-ratelimit-reset-tokens-per-minute': '42s',
			'ratelimit-remaining': '0',
			'ratelimit-reset': String(now / 1000 + 2),
		};
		expect(rateLimitResetMs(headers, now)).toBe(42_000);
	});
	it('lets a finer reset inside the second of a whole-second epoch count, not one outside it', () => {
		const epoch = String(now / 1000 + 10);
		const both = (requests: string) => ({
			'ratelimit-remaining': '0',
			'ratelimit-reset': epoch,
			'x-ratelimit-remaining-requests': '0',
			'x-ratelimit-reset-requests': requests,
		});
		expect(rateLimitResetMs(both('9.3s'), now)).toBe(9300);
		expect(rateLimitResetMs(both('8.9s'), now)).toBe(10_000);
		expect(rateLimitResetMs(both('12s'), now)).toBe(12_000);
	});
	it('when nothing says which is exhausted, waits for the longest of those not known to have room', () => {
		expect(rateLimitResetMs({ 'x-ratelimit-reset-requests': '3s', 'x-ratelimit-reset-tokens': '250ms' }, now)).toBe(3000);
		expect(
			rateLimitResetMs({ 'x-ratelimit-reset-requests': '3s', 'x-ratelimit-remaining-tokens-per-day': '5', 'x-ratelimit-reset-tokens-per-day': '9h0m0s' }, now),
		).toBe(3000);
		expect(rateLimitResetMs({ 'x-ratelimit-remaining-requests': '4', 'x-ratelimit-reset-requests': '3s' }, now)).toBeUndefined();
		expect(rateLimitResetMs({ 'RateLimit-Reset': '4' }, now)).toBe(4000);
	});
});

describe('retry classification', () => {
	it('retries 408/409/429/5xx when safe or billable, only 429 before-send-only', () => {
		for (const status of [408, 409, 429, 500, 502, 503, 504]) {
			expect(isRetryableStatus(status, 'safe')).toBe(true);
			expect(isRetryableStatus(status, 'billable')).toBe(true);
		}
		for (const status of [400, 401, 403, 404, 413, 422, 501]) expect(isRetryableStatus(status, 'safe')).toBe(false);
		expect(isRetryableStatus(429, 'before-send-only')).toBe(true);
		expect(isRetryableStatus(503, 'before-send-only')).toBe(false);
	});
	it('retries a reset only when safe, a refused connection always', () => {
		const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
		const refused = Object.assign(new Error('connect'), { cause: { code: 'ECONNREFUSED' } });
		expect(isRetryableNetworkError(reset, 'safe')).toBe(true);
		expect(isRetryableNetworkError(reset, 'billable')).toBe(true);
		expect(isRetryableNetworkError(reset, 'before-send-only')).toBe(false);
		expect(isRetryableNetworkError(refused, 'before-send-only')).toBe(true);
		expect(isRetryableNetworkError(new Error('plain'), 'safe')).toBe(false);
	});
	it('a GET is safe, anything else billable by default', () => {
		expect(defaultRetryMode('GET')).toBe('safe');
		expect(defaultRetryMode('POST')).toBe('billable');
		expect(defaultRetryMode('DELETE')).toBe('billable');
	});
	it('sends a reply that broke after its headers again only when nothing paid for had arrived, or the user asked', () => {
		expect(mayResendAfterHeaders('safe', true)).toBe(true);
		expect(mayResendAfterHeaders('billable', false)).toBe(true);
		expect(mayResendAfterHeaders('billable', true)).toBe(false);
		expect(mayResendAfterHeaders('billable', true, true)).toBe(true);
		expect(mayResendAfterHeaders('before-send-only', false, true)).toBe(false);
	});
	it('backs off exponentially with full jitter under a cap', () => {
		expect(backoffDelayMs(0, { baseMs: 500, capMs: 8000 }, () => 1)).toBe(500);
		expect(backoffDelayMs(3, { baseMs: 500, capMs: 8000 }, () => 1)).toBe(4000);
		expect(backoffDelayMs(10, { baseMs: 500, capMs: 8000 }, () => 1)).toBe(8000);
		expect(backoffDelayMs(10, { baseMs: 500, capMs: 8000 }, () => 0)).toBe(0);
	});
});
