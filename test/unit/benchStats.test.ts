import { median, percentile } from '../../bench/lib/stats';

describe('bench statistics', () => {
	it('takes the nearest-rank percentile: p95 of 100 values is the 95th smallest, of few values the largest', () => {
		const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
		expect(percentile(hundred, 95)).toBe(95);
		expect(percentile(hundred, 50)).toBe(50);
		expect(percentile(hundred, 100)).toBe(100);
		expect(percentile([3, 1, 2], 95)).toBe(3);
		expect(percentile([7], 95)).toBe(7);
	});

	it('leaves out what is not a number, and has no percentile of nothing', () => {
		expect(percentile([NaN, 5, Infinity, 1], 95)).toBe(5);
		expect(percentile([], 95)).toBeNaN();
		expect(median([NaN, 4, 2])).toBe(3);
	});
});
