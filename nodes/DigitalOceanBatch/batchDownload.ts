/**
 * Get Results: downloads a finished batch's result files from their presigned URLs (without the key,
 * through the download policy), streamed and read one line at a time, and splits them back into one
 * item per request — the output file's answers and the error file's failures, matched by custom_id
 * and put back in the order submitted (the files come in any order). Only what the items hold is kept
 * (the Simplified json, or the raw line), never the file. "Files" output streams both files into n8n's
 * binary store instead, whatever their size.
 *
 * A failed request is not a failed run: it becomes an item with its message under `error` (and
 * `customId`) in its place among the others. With "On Error: Continue (using error output)" it also
 * carries n8n's item error, so n8n moves it to the error output — where n8n keeps only the error's
 * message as json, so the message names the custom ID, and the pairing still leads to the item.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cancelSignalOf } from '../shared/client';
import { readLines } from '../shared/jsonLines';
import { maxBytesOf } from '../shared/jobOperations';
import { cancelledError } from '../shared/items';
import { saveMedia, type SavedMedia } from '../shared/mediaDownload';
import { backoffDelayMs, isRetryableNetworkError } from '../shared/retry';
import { abortableSleep } from '../shared/sleep';
import type { InferenceClient } from '../shared/transport';
import { getBatch, getResultLinks } from './batchApi';
import { failedBatchError, readBatchId } from './batchOperations';
import { passInputSource, resultPairing } from './batchPairing';
import { DEFAULT_MAX_RESULTS_MB } from './batchProperties';
import { failedLineJson, readResultLine, simplifyResultBody, submissionOrder } from './batchResults';
import type { ResultLinks } from './batchShapes';

type OutputMode = 'simplified' | 'raw' | 'files';

interface ResultsOptions {
	ifNotReady?: 'fail' | 'status';
	maxFileSize?: number;
}

interface FileToRead {
	url: string;
	/** "the output file of batch …": names the file in errors, never its signed URL. */
	label: string;
}

interface Reading {
	ctx: IExecuteFunctions;
	client: InferenceClient;
	itemIndex: number;
	batchId: string;
	maxBytes: number;
	retries: number;
	raw: boolean;
}

/** One result's item json(s) and whether it failed. */
interface ResultEntry {
	jsons: IDataObject[];
	error?: string;
}

function entryOf(reading: Reading, value: unknown, lineNumber: number, file: FileToRead): [string, ResultEntry] {
	const result = readResultLine(value);
	if (result === undefined) {
		throw new NodeOperationError(reading.ctx.getNode(), `Line ${lineNumber} of ${file.label} is not a batch result`, {
			itemIndex: reading.itemIndex,
			description: 'Each line should carry a custom_id and a response or result. Check the file with the Files output.',
		});
	}
	const { customId } = result;
	const base = { customId };
	if (!result.ok) {
		const jsons = [reading.raw ? (value as IDataObject) : { ...base, ...failedLineJson(result), batchId: reading.batchId }];
		return [customId, { jsons, error: result.message }];
	}
	if (reading.raw) return [customId, { jsons: [value as IDataObject] }];
	return [customId, { jsons: simplifyResultBody(result.body, result.requestId).map((json) => ({ ...base, ...json, batchId: reading.batchId })) }];
}

/** Reads one file into `entries`; a download that breaks off is started over (`retries` times). */
async function readFile(reading: Reading, file: FileToRead, entries: Map<string, ResultEntry>): Promise<void> {
	const { ctx, client, itemIndex } = reading;
	const signal = cancelSignalOf(ctx);
	for (let attempt = 0; ; attempt++) {
		const found = new Map<string, ResultEntry>();
		const download = await client.download(file.url, { maxBytes: reading.maxBytes, itemIndex, path: `/<${file.label}>` });
		try {
			for await (const { line, lineNumber } of readLines(download.stream)) {
				if (line.trim() === '') continue;
				let value: unknown;
				try {
					value = JSON.parse(line);
				} catch {
					throw new NodeOperationError(ctx.getNode(), `Line ${lineNumber} of ${file.label} is not valid JSON`, { itemIndex });
				}
				const [customId, entry] = entryOf(reading, value, lineNumber, file);
				const earlier = found.get(customId) ?? entries.get(customId);
				found.set(customId, earlier ? { jsons: [...earlier.jsons, ...entry.jsons], error: earlier.error ?? entry.error } : entry);
			}
			for (const [customId, entry] of found) entries.set(customId, entry);
			return;
		} catch (error) {
			download.stream.destroy();
			if (signal?.aborted) throw cancelledError(ctx);
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- what cannot be retried goes on as it is (runItems maps it for the item)
			if (!isRetryableNetworkError(error, 'safe') || attempt >= reading.retries) throw error;
			ctx.logger?.debug(`[DigitalOcean] Download of ${file.label} broke off; starting it again`, { attempt });
			await abortableSleep(backoffDelayMs(attempt), signal);
		}
	}
}

function filesOf(links: ResultLinks, batchId: string): FileToRead[] {
	const files: FileToRead[] = [];
	if (links.outputUrl) files.push({ url: links.outputUrl, label: `the output file of batch ${batchId}` });
	if (links.errorUrl) files.push({ url: links.errorUrl, label: `the error file of batch ${batchId}` });
	return files;
}

async function resultItems(reading: Reading, links: ResultLinks): Promise<INodeExecutionData[]> {
	const entries = new Map<string, ResultEntry>();
	for (const file of filesOf(links, reading.batchId)) await readFile(reading, file, entries);
	const pairing = resultPairing(reading.ctx, reading.itemIndex);
	// n8n moves an item that carries an error to the error output, and then keeps only its message as json.
	const routeErrors = reading.ctx.getNode().onError === 'continueErrorOutput';
	return submissionOrder(entries.keys()).flatMap((customId) => {
		const entry = entries.get(customId)!;
		const pairedItem = pairing(customId);
		const error =
			routeErrors && entry.error !== undefined
				? new NodeOperationError(reading.ctx.getNode(), `Request ${customId} failed: ${entry.error}`, { itemIndex: reading.itemIndex })
				: undefined;
		return entry.jsons.map((json) => (error ? { json, pairedItem, error } : { json, pairedItem }));
	});
}

/** "Files" output: the result files as binary data, streamed into n8n's binary store. */
async function resultFiles(reading: Reading, links: ResultLinks): Promise<INodeExecutionData[]> {
	const { ctx, client, itemIndex, batchId } = reading;
	const binary: INodeExecutionData['binary'] = {};
	const json: IDataObject = { batchId, expiresAt: links.expiresAt, outputFile: null, errorFile: null };
	const targets: Array<{ field: 'data' | 'errors'; key: string; url?: string; name: string; label: string }> = [
		{ field: 'data', key: 'outputFile', url: links.outputUrl, name: `batch-${batchId}-output.jsonl`, label: `the output file of batch ${batchId}` },
		{ field: 'errors', key: 'errorFile', url: links.errorUrl, name: `batch-${batchId}-errors.jsonl`, label: `the error file of batch ${batchId}` },
	];
	for (const target of targets) {
		if (!target.url) continue;
		const url = target.url;
		const saved: SavedMedia = await saveMedia(
			ctx,
			{
				open: async () => await client.download(url, { maxBytes: reading.maxBytes, itemIndex, path: `/<${target.label}>` }),
				label: target.label,
				declaredMime: 'application/jsonl',
			},
			{ itemIndex, fileNameFor: () => target.name, retries: reading.retries },
		);
		binary[target.field] = saved.binary;
		json[target.key] = { fileName: saved.fileName, mimeType: saved.mimeType, fileSize: saved.fileSize };
	}
	return [{ json, binary }];
}

async function notReady(reading: Reading, ifNotReady: ResultsOptions['ifNotReady']): Promise<INodeExecutionData[]> {
	const { ctx, client, itemIndex, batchId } = reading;
	const batch = await getBatch(client, batchId, itemIndex);
	if (batch.status === 'failed') throw failedBatchError(ctx, batch, itemIndex);
	if (ifNotReady === 'status') return [{ json: { ...batch, resultsReady: false, ...passInputSource(ctx, itemIndex) } }];
	const message = batch.finished
		? `Batch ${batchId} has finished (status: ${batch.status}) but its results are not available yet`
		: `Batch ${batchId} is still running (status: ${batch.status})`;
	throw new NodeOperationError(ctx.getNode(), message, {
		itemIndex,
		description:
			'Results can be downloaded once the batch has finished (within 24 hours). Put Wait for Completion before Get Results, or fetch them later, e.g. from a scheduled workflow that lists completed batches.',
	});
}

export async function getResults(ctx: IExecuteFunctions, client: InferenceClient, itemIndex: number, retries: number): Promise<INodeExecutionData[]> {
	const batchId = readBatchId(ctx, itemIndex);
	const output = ctx.getNodeParameter('output', itemIndex, 'simplified') as OutputMode;
	const options = ctx.getNodeParameter('resultsOptions', itemIndex, {}) as ResultsOptions;
	const reading: Reading = { ctx, client, itemIndex, batchId, retries, maxBytes: maxBytesOf(options, DEFAULT_MAX_RESULTS_MB), raw: output === 'raw' };
	const links = await getResultLinks(client, batchId, itemIndex);
	if (!links) return await notReady(reading, options.ifNotReady);
	return output === 'files' ? await resultFiles(reading, links) : await resultItems(reading, links);
}
