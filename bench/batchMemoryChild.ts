/**
 * The measured side of bench/batchMemory.ts, in its own process so nothing else (jest, the emulator)
 * shares its RSS: the Batch node's Get Results on a batch the parent prepared, as items (Simplified) or
 * as files written to disk like n8n's filesystem binary mode. Prints one JSON line with the figures.
 *
 * Protocol over IPC: the parent sends `start`; the child fetches the small warm-up batch and answers
 * `warmed`; the parent sends `measure`; the child measures the big batch, prints its report and exits.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

// `.js`, not bare `.node`: tsx would resolve the bare name to DigitalOceanBatch.node.json (the codex).
import { DigitalOceanBatch } from '../nodes/DigitalOceanBatch/DigitalOceanBatch.node.js';
import { fakeExecuteContext } from '../test/unit/helpers/fakeContext';
import { filesystemStore } from './lib/filesystemStore';
import { nextMessage, sampleRss, type RssFigures } from './lib/memoryChild';

export type ResultsOutput = 'simplified' | 'files';

export interface ChildSettings {
	apiUrl: string;
	apiKey: string;
	warmUpBatchId: string;
	batchId: string;
	output: ResultsOutput;
	dir: string;
}

export type ParentMessage = { type: 'start'; settings: ChildSettings } | { type: 'measure' };
export type ChildMessage = { type: 'warmed' };

export interface ChildReport extends RssFigures {
	output: ResultsOutput;
	items: number;
	/** Simplified: the results came out as item-0, item-1, … in order. */
	inOrder: boolean;
	/** Simplified: the bytes of the answers in the items (what the node must hold to return them). */
	answerBytes: number;
	/** Files: the size of the output file written to disk. */
	fileBytes: number;
}

async function getResults(settings: ChildSettings, batchId: string): Promise<INodeExecutionData[]> {
	const ctx = fakeExecuteContext({
		node: new DigitalOceanBatch(),
		params: { operation: 'getResults', output: settings.output, resultsOptions: { maxFileSize: 1024 } },
		items: [{ json: { batchId } }],
		credentials: { apiKey: settings.apiKey, baseUrl: settings.apiUrl },
	});
	// The fake context's own store buffers the whole file (n8n's default mode); this one writes to disk.
	ctx.helpers.prepareBinaryData = filesystemStore(settings.dir, () => undefined) as typeof ctx.helpers.prepareBinaryData;
	const [items] = await new DigitalOceanBatch().execute.call(ctx);
	return items;
}

async function measure(settings: ChildSettings): Promise<ChildReport> {
	const { result: items, figures } = await sampleRss(async () => await getResults(settings, settings.batchId));
	const report: ChildReport = { output: settings.output, ...figures, items: items.length, inOrder: false, answerBytes: 0, fileBytes: 0 };
	if (settings.output === 'files') {
		const id = String(items[0]?.binary?.data?.id ?? '');
		report.fileBytes = (await stat(join(settings.dir, id.slice('filesystem-v2:'.length)))).size;
	} else {
		report.inOrder = items.every((item, index) => item.json.customId === `item-${index}` && typeof item.json.content === 'string');
		report.answerBytes = items.reduce((sum, item) => sum + Buffer.byteLength(String(item.json.content)), 0);
	}
	return report;
}

async function main(): Promise<void> {
	if (!process.send) throw new Error('run me through bench/batchMemory.ts (needs an IPC channel)');
	const start = await nextMessage<ParentMessage>();
	if (start.type !== 'start') throw new Error(`expected start, got ${start.type}`);
	const { settings } = start;
	// Warm-up: loads every module and fills undici's and fs's pools, which says nothing about file size.
	await getResults(settings, settings.warmUpBatchId);
	const measuring = nextMessage<ParentMessage>();
	process.send({ type: 'warmed' } satisfies ChildMessage);
	if ((await measuring).type !== 'measure') throw new Error('expected measure');
	const report = await measure(settings);
	process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
