/**
 * The operations on an existing batch, one input item each: Get Status, Wait for Completion (bounded,
 * cancellable, polling like the Video node's job wait), Cancel, and List (all pages, or up to a limit).
 * Every output describes the batch with the same keys (batchShapes.ts) and passes on the `inputSource`
 * of its input item, so Get Results further on can pair the results with the submitted items.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cancelSignalOf } from '../shared/client';
import { waitForJob } from '../shared/jobs';
import type { InferenceClient } from '../shared/transport';
import { InputError } from '../shared/validation';
import { cancelBatch, getBatch, listBatches } from './batchApi';
import { passInputSource } from './batchPairing';
import { batchErrorText, summarizeBatch, type BatchSummary } from './batchShapes';

/** The Batch ID parameter of item `itemIndex`, checked before any request. */
export function readBatchId(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('batchId', itemIndex, '') as unknown;
	const batchId = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	if (batchId === '') {
		throw new InputError('Batch ID is empty', 'Enter the ID a Submit or List operation output, e.g. the expression {{ $json.batchId }} after it.');
	}
	if (/[/?#\s]/.test(batchId)) throw new InputError(`Batch ID "${batchId}" is not a valid batch ID`, 'A batch ID has no slashes, spaces, ? or #.');
	return batchId;
}

/** The error for a batch that ended `failed`: it has no results, and its errors say why. */
export function failedBatchError(ctx: IExecuteFunctions, batch: BatchSummary, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Batch ${batch.batchId} failed: ${batchErrorText(batch) ?? 'DigitalOcean gave no reason'}`, {
		itemIndex,
		description: 'A failed batch has no results and is not billed. Fix the requests (the errors name their lines) and submit them again.',
	});
}

export async function getStatus(ctx: IExecuteFunctions, client: InferenceClient, itemIndex: number): Promise<INodeExecutionData[]> {
	const batch = await getBatch(client, readBatchId(ctx, itemIndex), itemIndex);
	return [{ json: { ...batch, ...passInputSource(ctx, itemIndex) } }];
}

export async function waitForCompletion(ctx: IExecuteFunctions, client: InferenceClient, itemIndex: number): Promise<INodeExecutionData[]> {
	const batchId = readBatchId(ctx, itemIndex);
	const timeoutSeconds = Math.max(1, ctx.getNodeParameter('waitTimeout', itemIndex, 900) as number);
	const pollSeconds = Math.max(1, ctx.getNodeParameter('pollInterval', itemIndex, 30) as number);
	const onTimeout = ctx.getNodeParameter('onTimeout', itemIndex, 'output') as 'fail' | 'output';
	const poll = async () => await getBatch(client, batchId, itemIndex);
	const first = await poll();
	let batch = first;
	let waited = { polls: 1, waitedSeconds: 0 };
	if (!first.finished) {
		const result = await waitForJob(poll, (job) => (job.finished ? 'done' : 'pending'), {
			timeoutMs: timeoutSeconds * 1000,
			signal: cancelSignalOf(ctx),
			initialIntervalMs: 1_000,
			maxIntervalMs: pollSeconds * 1000,
		});
		batch = result.job ?? first;
		waited = { polls: result.polls + 1, waitedSeconds: Math.round(result.waitedMs / 100) / 10 };
		if (result.outcome === 'timeout') {
			if (onTimeout === 'fail') {
				throw new NodeOperationError(ctx.getNode(), `Batch ${batchId} did not finish within ${timeoutSeconds} s (status: ${batch.status})`, {
					itemIndex,
					description: `It keeps running on DigitalOcean (batches finish within 24 hours). Check it later with Get Status or Wait for Completion and batch ID ${batchId}; it is not submitted again.`,
				});
			}
			return [{ json: { ...batch, timedOut: true, ...waited, ...passInputSource(ctx, itemIndex) } }];
		}
	}
	if (batch.status === 'failed') throw failedBatchError(ctx, batch, itemIndex);
	return [{ json: { ...batch, timedOut: false, ...waited, ...passInputSource(ctx, itemIndex) } }];
}

export async function cancel(ctx: IExecuteFunctions, client: InferenceClient, itemIndex: number): Promise<INodeExecutionData[]> {
	const batchId = readBatchId(ctx, itemIndex);
	const cancelled = await cancelBatch(client, batchId, itemIndex);
	if (cancelled) return [{ json: { ...cancelled, ...passInputSource(ctx, itemIndex) } }];
	const batch = await getBatch(client, batchId, itemIndex);
	throw new NodeOperationError(ctx.getNode(), `Batch ${batchId} cannot be cancelled (status: ${batch.status})`, {
		itemIndex,
		description: batch.finished
			? 'It has already finished. Its results, if any, can still be downloaded with Get Results.'
			: 'DigitalOcean cancels a batch only once it has been handed to the model provider. Try again in a minute.',
	});
}

/** Largest page the API serves. */
const MAX_PAGE = 100;

export async function list(ctx: IExecuteFunctions, client: InferenceClient, itemIndex: number): Promise<INodeExecutionData[]> {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(ctx.getNodeParameter('limit', itemIndex, 50) as number));
	const { status } = ctx.getNodeParameter('filters', itemIndex, {}) as { status?: string };
	const batches: INodeExecutionData[] = [];
	const cursors = new Set<string>();
	let after: string | undefined;
	for (;;) {
		const page = await listBatches(client, { after, limit: Math.min(MAX_PAGE, limit - batches.length), status }, itemIndex);
		for (const raw of page.batches.slice(0, limit - batches.length)) batches.push({ json: summarizeBatch(raw) });
		// A cursor seen before would loop forever: the server's paging is broken, stop with what arrived.
		if (batches.length >= limit || page.next === undefined || cursors.has(page.next)) return batches;
		cursors.add(page.next);
		after = page.next;
	}
}
