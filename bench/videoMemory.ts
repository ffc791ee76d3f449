/**
 * Memory benchmark: the Video node saves an N MB video into n8n binary data (filesystem mode) with
 * RSS growth well under the file's size. The emulator runs here; the node runs in a child process
 * (bench/videoMemoryChild.ts) so its RSS is the node's alone.
 *
 *   npx tsx bench/videoMemory.ts --mb 200 [--route url|content|both]
 *
 * Exits non-zero when a route's growth reaches 64 MB or a run fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_KEY, startEmulator } from '../test/emulator';
import { runMemoryChild } from './lib/memoryChild';
import type { ChildMessage, ChildReport, ParentMessage, VideoRoute } from './videoMemoryChild';

export type { ChildReport, VideoRoute } from './videoMemoryChild';

export const MAX_GROWTH_BYTES = 64 * 1024 * 1024;
export const CHILD_TIMEOUT_MS = 120_000;
/** Small enough to be quick, big enough to go through every buffer the big file does. */
const WARM_UP_BYTES = 1024 * 1024;
const MB = 1024 * 1024;
const CHILD = join(__dirname, 'videoMemoryChild.ts');
/** `url`: the job's output is a CDN URL; `content`: output is null, so the node reads /content. */
const VIDEO_OUTPUT: Record<VideoRoute, 'url' | 'null'> = { url: 'url', content: 'null' };

export interface MeasureOptions {
	mb: number;
	route: VideoRoute;
	timeoutMs?: number;
}

/** One child run against a fresh emulator; rejects when the child fails, prints no report or times out. */
export async function measureVideoDownload({ mb, route, timeoutMs = CHILD_TIMEOUT_MS }: MeasureOptions): Promise<ChildReport> {
	const bytes = Math.round(mb * MB);
	const emulator = await startEmulator();
	const dir = await mkdtemp(join(tmpdir(), 'do-video-memory-'));
	try {
		const videoTimings = { queuedMs: 0, processingMs: 0 };
		emulator.control.configure({ videoTimings, videoBytes: WARM_UP_BYTES, videoOutput: VIDEO_OUTPUT[route] });
		return await runChild(timeoutMs, (send, message) => {
			if (message.type !== 'warmed') return;
			// The job takes its size when submitted, so switching now affects only the measured run.
			emulator.control.configure({ videoBytes: bytes });
			send({ type: 'measure' });
		}, { type: 'start', settings: { apiUrl: emulator.url, apiKey: DEFAULT_KEY, route, bytes, dir } });
	} finally {
		await emulator.close();
		await rm(dir, { recursive: true, force: true });
	}
}

function runChild(
	timeoutMs: number,
	onMessage: (send: (message: ParentMessage) => void, message: ChildMessage) => void,
	first: ParentMessage,
): Promise<ChildReport> {
	return runMemoryChild<ParentMessage, ChildMessage, ChildReport>(CHILD, first, onMessage, timeoutMs);
}

const toMb = (bytes: number) => (bytes / MB).toFixed(1);

export function formatTable(reports: ChildReport[]): string {
	const header = ['route', 'size MB', 'baseline MB', 'peak MB', 'growth MB', 'elapsed ms', 'download ms', 'MB/s', 'mp4'];
	const rows = reports.map((r) => [
		r.route,
		toMb(r.fileSize),
		toMb(r.baselineRss),
		toMb(r.peakRss),
		toMb(r.growth),
		String(r.elapsedMs),
		String(r.downloadMs),
		(r.fileSize / MB / (r.downloadMs / 1000)).toFixed(0),
		String(r.isMp4),
	]);
	const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
	return [header, ...rows].map((row) => row.map((cell, i) => cell.padStart(widths[i])).join('  ')).join('\n');
}

function parseArgs(argv: string[]): { mb: number; routes: VideoRoute[] } {
	let mb = 200;
	let route = 'both';
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = inline ?? argv[++i];
		if (flag === '--mb') mb = Number(value);
		else if (flag === '--route') route = value;
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	if (!(mb > 0)) throw new Error('--mb must be a positive number');
	if (route !== 'url' && route !== 'content' && route !== 'both') throw new Error('--route must be url, content or both');
	return { mb, routes: route === 'both' ? ['url', 'content'] : [route] };
}

async function main(): Promise<void> {
	const { mb, routes } = parseArgs(process.argv.slice(2));
	const reports: ChildReport[] = [];
	for (const route of routes) reports.push(await measureVideoDownload({ mb, route }));
	console.log(formatTable(reports));
	const bad = reports.filter((r) => r.growth >= MAX_GROWTH_BYTES || r.fileSize !== r.bytes || !r.isMp4);
	for (const r of bad) console.error(`FAIL ${r.route}: growth ${toMb(r.growth)} MB, file ${r.fileSize} of ${r.bytes} bytes, mp4 ${r.isMp4}`);
	process.exitCode = bad.length > 0 ? 1 : 0;
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error.stack ?? error.message);
		process.exitCode = 1;
	});
}
