import { backoffDelayMs, isRetryableNetworkError, isRetryableStatus, serverRetryDelayMs } from '../../nodes/shared/retry';

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
});

describe('retry classification', () => {
	it('retries 408/409/429/5xx when safe, only 429 before-send-only', () => {
		for (const status of [408, 409, 429, 500, 502, 503, 504]) expect(isRetryableStatus(status, 'safe')).toBe(true);
		for (const status of [400, 401, 403, 404, 413, 422, 501]) expect(isRetryableStatus(status, 'safe')).toBe(false);
		expect(isRetryableStatus(429, 'before-send-only')).toBe(true);
		expect(isRetryableStatus(503, 'before-send-only')).toBe(false);
	});
	it('retries a reset only when safe, a refused connection always', () => {
		const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
		const refused = Object.assign(new Error('connect'), { cause: { code: 'ECONNREFUSED' } });
		expect(isRetryableNetworkError(reset, 'safe')).toBe(true);
		expect(isRetryableNetworkError(reset, 'before-send-only')).toBe(false);
		expect(isRetryableNetworkError(refused, 'before-send-only')).toBe(true);
		expect(isRetryableNetworkError(new Error('plain'), 'safe')).toBe(false);
	});
	it('backs off exponentially with full jitter under a cap', () => {
		expect(backoffDelayMs(0, { baseMs: 500, capMs: 8000 }, () => 1)).toBe(500);
		expect(backoffDelayMs(3, { baseMs: 500, capMs: 8000 }, () => 1)).toBe(4000);
		expect(backoffDelayMs(10, { baseMs: 500, capMs: 8000 }, () => 1)).toBe(8000);
		expect(backoffDelayMs(10, { baseMs: 500, capMs: 8000 }, () => 0)).toBe(0);
	});
});
