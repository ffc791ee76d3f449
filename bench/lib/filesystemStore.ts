/**
 * n8n's filesystem binary mode for the memory benches: what a node hands `prepareBinaryData` is written
 * to disk, never held, so a bench's RSS shows only what the node itself keeps.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { IBinaryData } from 'n8n-workflow';

function prettyBytes(bytes: number): string {
	const units = ['B', 'kB', 'MB', 'GB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/**
 * n8n's filesystem binary mode (BinaryDataService.store → FsByteStore.write in n8n-core 2.x): the
 * stream goes to a temp file that is renamed into place, the size comes from the file, a metadata file
 * sits beside it, and `data` holds only the mode name — the bytes are never in memory.
 */
export function filesystemStore(dir: string, onStored: (ms: number) => void) {
	return async (data: Buffer | Readable, fileName?: string, mimeType?: string): Promise<IBinaryData> => {
		const started = performance.now();
		const fileId = `workflows/bench/executions/${randomUUID()}/binary_data/${randomUUID()}`;
		const path = join(dir, fileId);
		await mkdir(join(path, '..'), { recursive: true });
		const tempPath = `${path}.tmp.${process.pid}`;
		await pipeline(data, createWriteStream(tempPath));
		await rename(tempPath, path);
		const { size } = await stat(path);
		await writeFile(`${path}.metadata`, JSON.stringify({ fileName, mimeType, fileSize: size }));
		onStored(performance.now() - started);
		return {
			id: `filesystem-v2:${fileId}`,
			data: 'filesystem-v2',
			mimeType: mimeType ?? 'text/plain',
			fileName,
			fileExtension: fileName ? extname(fileName).slice(1) || undefined : undefined,
			fileSize: prettyBytes(size),
			bytes: size,
		};
	};
}

