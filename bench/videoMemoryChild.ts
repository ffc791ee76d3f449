/**
 * The measured side of bench/videoMemory.ts, in its own process so nothing else (jest, the emulator)
 * shares its RSS. It runs the Video node's Generate against the parent's emulator with a binary store
 * that writes to disk like n8n's filesystem mode, and prints one JSON line with the figures.
 *
 * Protocol over IPC: the parent sends `start` (settings); the child runs a small warm-up video and
 * answers `warmed`; the parent switches the emulator to the big size and sends `measure`; the child
 * measures, prints its report on stdout and exits.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

// `.js`, not bare `.node`: tsx would resolve the bare name to DigitalOceanVideo.node.json (the codex).
import { DigitalOceanVideo } from '../nodes/DigitalOceanVideo/DigitalOceanVideo.node.js';
import { fakeExecuteContext } from '../test/unit/helpers/fakeContext';
import { filesystemStore } from './lib/filesystemStore';
import { nextMessage, sampleRss } from './lib/memoryChild';

export type VideoRoute = 'url' | 'content';

export interface ChildSettings {
	apiUrl: string;
	apiKey: string;
	route: VideoRoute;
	bytes: number;
	dir: string;
}

export type ParentMessage = { type: 'start'; settings: ChildSettings } | { type: 'measure' };
export type ChildMessage = { type: 'warmed' };

export interface ChildReport {
	route: VideoRoute;
	bytes: number;
	baselineRss: number;
	peakRss: number;
	growth: number;
	samples: number;
	/** The whole execute(): submit, the first poll (about 1 s in), the download. */
	elapsedMs: number;
	/** Only the file: from prepareBinaryData's call until the file is on disk. */
	downloadMs: number;
	fileSize: number;
	isMp4: boolean;
	binaryId: string;
	downloadedFrom: unknown;
	mimeType: string;
}

const DOWNLOADED_FROM: Record<VideoRoute, string> = { url: 'output URL', content: 'content endpoint' };
/** The node's default cap is 500 MB; bigger runs raise it rather than test the cap. */
const DEFAULT_MAX_MB = 500;

function pathOf(dir: string, binary: IBinaryData): string {
	return join(dir, String(binary.id).slice('filesystem-v2:'.length));
}

async function headOf(path: string): Promise<Buffer> {
	const file = await open(path, 'r');
	try {
		const head = Buffer.alloc(12);
		const { bytesRead } = await file.read(head, 0, head.length, 0);
		return head.subarray(0, bytesRead);
	} finally {
		await file.close();
	}
}

async function generate(settings: ChildSettings): Promise<{ item: INodeExecutionData; downloadMs: number }> {
	let downloadMs = -1;
	const maxFileSize = Math.max(DEFAULT_MAX_MB, Math.ceil(settings.bytes / 1048576));
	const ctx = fakeExecuteContext({
		node: new DigitalOceanVideo(),
		params: {
			model: { __rl: true, mode: 'id', value: 'wan2.2-t2v-a14b' },
			prompt: 'A paper boat drifting down a rainy street',
			waitTimeout: 60,
			options: maxFileSize > DEFAULT_MAX_MB ? { maxFileSize } : {},
		},
		credentials: { apiKey: settings.apiKey, baseUrl: settings.apiUrl },
	});
	// The fake context's own store buffers the whole file (n8n's default mode); this one writes to disk.
	ctx.helpers.prepareBinaryData = filesystemStore(settings.dir, (ms) => (downloadMs = ms)) as typeof ctx.helpers.prepareBinaryData;
	const [[item, ...rest]] = await new DigitalOceanVideo().execute.call(ctx);
	if (!item || rest.length > 0) throw new Error(`expected one output item, got ${rest.length + (item ? 1 : 0)}`);
	const binary = item.binary?.data;
	if (!binary?.id) throw new Error(`no filesystem binary in the output: ${JSON.stringify(item.json)}`);
	if (item.json.downloadedFrom !== DOWNLOADED_FROM[settings.route]) {
		throw new Error(`downloaded from ${String(item.json.downloadedFrom)}, expected ${DOWNLOADED_FROM[settings.route]}`);
	}
	return { item, downloadMs };
}

async function measure(settings: ChildSettings): Promise<ChildReport> {
	const { result, figures } = await sampleRss(async () => await generate(settings));
	const binary = result.item.binary!.data;
	const path = pathOf(settings.dir, binary);
	const fileSize = (await stat(path)).size;
	const head = await headOf(path);
	return {
		route: settings.route,
		bytes: settings.bytes,
		...figures,
		downloadMs: Math.round(result.downloadMs),
		fileSize,
		isMp4: head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp',
		binaryId: String(binary.id),
		downloadedFrom: result.item.json.downloadedFrom,
		mimeType: binary.mimeType,
	};
}

async function main(): Promise<void> {
	if (!process.send) throw new Error('run me through bench/videoMemory.ts (needs an IPC channel)');
	const start = await nextMessage<ParentMessage>();
	if (start.type !== 'start') throw new Error(`expected start, got ${start.type}`);
	const { settings } = start;
	// Warm-up: loads every module and fills undici's and fs's pools, which says nothing about file size.
	await generate(settings);
	const measuring = nextMessage<ParentMessage>();
	process.send({ type: 'warmed' } satisfies ChildMessage);
	const next = await measuring;
	if (next.type !== 'measure') throw new Error(`expected measure, got ${next.type}`);
	const report = await measure(settings);
	process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
