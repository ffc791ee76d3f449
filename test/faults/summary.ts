/** The fault suite's figures: one row per scenario, written to test-artifacts/faults/summary.json and printed as a table. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScenarioRow {
	scenario: string;
	items: number;
	/** Faults injected, by type: the plan, each fault aimed at one item; the test checks every one was consumed and left its trace in the emulator's log. */
	faults: Record<string, number>;
	/** Requests the emulator received for this scenario. */
	requests: number;
	retries: number;
	duplicates: number;
	lost: number;
	/** Items that ended as error items (continueOnFail), or the run's error. */
	failedItems: number;
	ms: number;
	notes?: Record<string, unknown>;
}

/** Table labels (the JSON keeps the long ones). */
const SHORT: Record<string, string> = {
	'reset before headers': 'reset-pre-hdr',
	'reset after headers': 'reset-post-hdr',
	'reset mid-stream': 'reset-mid-sse',
	'reset mid-body (JSON)': 'reset-mid-json',
	'truncated stream': 'truncated-sse',
	'slow headers': 'slow-hdr',
	'slow headers 2.5 s vs timeout 1 s': 'slow-hdr 2.5 s > timeout 1 s:',
	'reset before job': 'reset-pre-job',
	'reset after job': 'reset-post-job',
	'429 on submit': '429',
};

export const SUMMARY_DIR = join(__dirname, '..', '..', 'test-artifacts', 'faults');

export class Summary {
	readonly rows: ScenarioRow[] = [];

	readonly extra: Record<string, unknown> = {};

	constructor(readonly seed: number) {}

	add(row: ScenarioRow): void {
		this.rows.push(row);
	}

	write(totalMs: number): string {
		mkdirSync(SUMMARY_DIR, { recursive: true });
		const file = join(SUMMARY_DIR, 'summary.json');
		const body = { seed: this.seed, finishedAt: new Date().toISOString(), totalMs, node: process.version, scenarios: this.rows, ...this.extra };
		writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
		return file;
	}

	table(totalMs: number): string {
		const header = ['scenario', 'items', 'faults injected', 'requests', 'retries', 'dup', 'lost', 'failed', 'time'];
		const lines = this.rows.map((row) => [
			row.scenario,
			String(row.items),
			Object.entries(row.faults)
				.filter(([, count]) => count > 0)
				.map(([kind, count]) => `${SHORT[kind] ?? kind} ${count}`)
				.join(', ') || '-',
			String(row.requests),
			String(row.retries),
			String(row.duplicates),
			String(row.lost),
			String(row.failedItems),
			`${(row.ms / 1000).toFixed(1)} s`,
		]);
		const widths = header.map((title, column) => Math.min(column === 2 ? 120 : 60, Math.max(title.length, ...lines.map((line) => line[column].length))));
		const render = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ');
		return [
			`Fault suite (seed ${this.seed}, FAULT_SEED=${this.seed} repeats it) — ${(totalMs / 1000).toFixed(1)} s`,
			render(header),
			widths.map((width) => '-'.repeat(width)).join('-|-'),
			...lines.map(render),
			...Object.entries(this.extra).map(([name, value]) => `${name}: ${JSON.stringify(value)}`),
		].join('\n');
	}
}
