/**
 * Memory benchmark: the Batch node's Get Results on a batch whose output file is N MB (default 150),
 * downloaded from the emulator's presigned link. The emulator and the batch live here; the node runs
 * in a child process (bench/batchMemoryChild.ts) so its RSS is the node's alone.
 *
 * - `files` output streams the file into n8n's binary store: RSS growth must stay under 64 MB.
 * - `simplified` output splits it into one item per request; their answers are the node's output and
 *   n8n holds them anyway, so growth may reach the answers' size, plus at most 64 MB — never the file
 *   on top of them.
 *
 *   npx tsx bench/batchMemory.ts --mb 150 [--output files|simplified|both]
 *
 * Exits non-zero when a run breaks its bound or fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_KEY, startEmulator, type Emulator } from '../test/emulator';
import type { ChildMessage, ChildReport, ParentMessage, ResultsOutput } from './batchMemoryChild';
import { runMemoryChild } from './lib/memoryChild';

export type { ChildReport, ResultsOutput } from './batchMemoryChild';

export const MAX_GROWTH_BYTES = 64 * 1024 * 1024;
export const CHILD_TIMEOUT_MS = 150_000;
const MB = 1024 * 1024;
/** Characters of each request's prompt; the emulator's answer echoes it, so each result line is a bit longer. */
const PROMPT_CHARS = 30_000;
const CHILD = join(__dirname, 'batchMemoryChild.ts');
const AUTH = { authorization: `Bearer ${DEFAULT_KEY}`, 'content-type': 'application/json' };

async function post(emulator: Emulator, path: string, body: unknown): Promise<Record<string, string>> {
	const res = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });
	if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
	return (await res.json()) as Record<string, string>;
}

/** A completed chat batch of `lines` requests made over HTTP, and the size of its output file. */
async function completedBatch(emulator: Emulator, lines: number): Promise<{ batchId: string; outputBytes: number }> {
	const filler = 'A sturdy, quiet, easy to clean desk lamp with a warm light. '.repeat(Math.ceil(PROMPT_CHARS / 60)).slice(0, PROMPT_CHARS);
	const chunks = Array.from({ length: lines }, (_, index) =>
		Buffer.from(`${JSON.stringify({ custom_id: `item-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'openai-gpt-4o', messages: [{ role: 'user', content: `${index}: ${filler}` }] } })}\n`),
	);
	const intent = await post(emulator, '/v1/batches/files', { file_name: 'memory.jsonl' });
	const put = await fetch(intent.upload_url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.concat(chunks) });
	if (!put.ok) throw new Error(`upload answered ${put.status}`);
	await put.arrayBuffer();
	const request = { file_id: intent.file_id, provider: 'openai', endpoint: '/v1/chat/completions', completion_window: '24h', request_id: intent.file_id };
	const { batch_id: batchId } = await post(emulator, '/v1/batches', request);
	for (;;) {
		const res = await fetch(`${emulator.url}/v1/batches/${batchId}/results`, { headers: AUTH });
		if (res.status === 200) {
			const { output_file_url: url } = (await res.json()) as { output_file_url: string };
			let outputBytes = 0;
			for await (const chunk of (await fetch(url)).body!) outputBytes += (chunk as Uint8Array).length;
			return { batchId, outputBytes };
		}
		await res.arrayBuffer();
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

export interface MeasureOptions {
	mb: number;
	output: ResultsOutput;
	timeoutMs?: number;
}

export interface BatchMemoryReport extends ChildReport {
	/** The output file the batch made, as served. */
	outputBytes: number;
}

/** One child run against a fresh emulator; rejects when the child fails, prints no report or times out. */
export async function measureBatchResults({ mb, output, timeoutMs = CHILD_TIMEOUT_MS }: MeasureOptions): Promise<BatchMemoryReport> {
	const emulator = await startEmulator();
	const dir = await mkdtemp(join(tmpdir(), 'do-batch-memory-'));
	try {
		emulator.control.configure({ batchTimings: { validatingMs: 0, inProgressMs: 0, finalizingMs: 0 } });
		const warmUp = await completedBatch(emulator, 20);
		const big = await completedBatch(emulator, Math.ceil((mb * MB) / PROMPT_CHARS));
		const settings = { apiUrl: emulator.url, apiKey: DEFAULT_KEY, warmUpBatchId: warmUp.batchId, batchId: big.batchId, output, dir };
		const report = await runMemoryChild<ParentMessage, ChildMessage, ChildReport>(
			CHILD,
			{ type: 'start', settings },
			(send, message) => {
				if (message.type === 'warmed') send({ type: 'measure' });
			},
			timeoutMs,
		);
		return { ...report, outputBytes: big.outputBytes };
	} finally {
		await emulator.close();
		await rm(dir, { recursive: true, force: true });
	}
}

/** Whether a run kept its bound (see the header). */
export function withinBound(report: BatchMemoryReport): boolean {
	const allowance = report.output === 'files' ? 0 : report.answerBytes;
	return report.growth < allowance + MAX_GROWTH_BYTES;
}

const toMb = (bytes: number) => (bytes / MB).toFixed(1);

function formatTable(reports: BatchMemoryReport[]): string {
	const header = ['output', 'file MB', 'items', 'answers MB', 'baseline MB', 'peak MB', 'growth MB', 'elapsed ms'];
	const rows = reports.map((r) => [
		r.output,
		toMb(r.outputBytes),
		String(r.items),
		r.output === 'files' ? '-' : toMb(r.answerBytes),
		toMb(r.baselineRss),
		toMb(r.peakRss),
		toMb(r.growth),
		String(r.elapsedMs),
	]);
	const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
	return [header, ...rows].map((row) => row.map((cell, i) => cell.padStart(widths[i])).join('  ')).join('\n');
}

function parseArgs(argv: string[]): { mb: number; outputs: ResultsOutput[] } {
	let mb = 150;
	let output = 'both';
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = inline ?? argv[++i];
		if (flag === '--mb') mb = Number(value);
		else if (flag === '--output') output = value;
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	if (!(mb > 0)) throw new Error('--mb must be a positive number');
	if (output !== 'files' && output !== 'simplified' && output !== 'both') throw new Error('--output must be files, simplified or both');
	return { mb, outputs: output === 'both' ? ['files', 'simplified'] : [output] };
}

async function main(): Promise<void> {
	const { mb, outputs } = parseArgs(process.argv.slice(2));
	const reports: BatchMemoryReport[] = [];
	for (const output of outputs) reports.push(await measureBatchResults({ mb, output }));
	console.log(formatTable(reports));
	const bad = reports.filter((r) => !withinBound(r));
	for (const r of bad) console.error(`FAIL ${r.output}: growth ${toMb(r.growth)} MB`);
	process.exitCode = bad.length > 0 ? 1 : 0;
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error.stack ?? error.message);
		process.exitCode = 1;
	});
}
