/** Small numeric helpers shared by the bench scenarios (no dependencies). */

/** The median (mean of the two middle values for an even count); NaN for no values. */
export function median(values: number[]): number {
	const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (finite.length === 0) return NaN;
	const mid = Math.floor(finite.length / 2);
	return finite.length % 2 === 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

export function min(values: number[]): number {
	return values.length ? Math.min(...values) : NaN;
}

export function max(values: number[]): number {
	return values.length ? Math.max(...values) : NaN;
}

/** `1234.5` → `1,235` (digits after the point only when asked). */
export function fmt(value: number, digits = 0): string {
	if (!Number.isFinite(value)) return '–';
	return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds as seconds with 2 decimals ("1.23 s"), or ms below a second when `msBelowSecond`. */
export function seconds(ms: number, digits = 2): string {
	return Number.isFinite(ms) ? `${fmt(ms / 1000, digits)} s` : '–';
}

export const MB = 1024 * 1024;

export function mb(bytes: number, digits = 1): string {
	return Number.isFinite(bytes) ? `${fmt(bytes / MB, digits)} MB` : '–';
}

/** "median (min–max)" of a list, formatted by `f`. */
export function spread(values: number[], f: (v: number) => string): string {
	if (values.length <= 1) return f(median(values));
	return `${f(median(values))} (${f(min(values))}–${f(max(values))})`;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The p-th percentile by the nearest-rank method (p95 of 100 values is the 95th smallest); NaN for no values. */
export function percentile(values: number[], p: number): number {
	const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (finite.length === 0) return NaN;
	return finite[Math.min(finite.length, Math.max(1, Math.ceil((p / 100) * finite.length))) - 1];
}
