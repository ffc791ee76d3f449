/**
 * Submit: all input items become one batch. Every item is read and checked first; only then is the
 * file uploaded (free) and the batch created (billed), with a request_id derived from the content so a
 * repeat returns the same batch. With "Continue On Fail" an item that fails its checks becomes an error
 * item and the others are submitted; a failure of the batch as a whole becomes one error item.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from '../shared/errors';
import { cancelledError, errorItem, isCancellation } from '../shared/items';
import type { InferenceClient } from '../shared/transport';
import { asItemInputError, InputError } from '../shared/validation';
import { createBatch, uploadBatchFile } from './batchApi';
import { BatchFileBuilder, BatchLimitError, batchRequestId, type BatchApi, type BatchFile } from './batchFile';
import { inputSourceOf } from './batchPairing';
import { readBatchSettings, readCustomId, readRequestBody } from './batchRequest';

interface Collected {
	builder: BatchFileBuilder;
	included: number[];
	failed: INodeExecutionData[];
}

/** Reads and checks one item into the file; a limit of the file as a whole comes out as BatchLimitError. */
async function addItem(ctx: IExecuteFunctions, builder: BatchFileBuilder, itemIndex: number): Promise<void> {
	const { body, customId } = await asItemInputError(ctx, itemIndex, async () => ({
		body: await readRequestBody(ctx, itemIndex, builder.api),
		customId: readCustomId(ctx, itemIndex),
	}));
	try {
		builder.add(itemIndex, customId, body);
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a limit of the whole file is reported by collectItems, not for this item
		if (error instanceof BatchLimitError || !(error instanceof InputError)) throw error;
		throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: error.description });
	}
}

async function collectItems(ctx: IExecuteFunctions, api: BatchApi): Promise<Collected> {
	const collected: Collected = { builder: new BatchFileBuilder(api), included: [], failed: [] };
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			await addItem(ctx, collected.builder, itemIndex);
			collected.included.push(itemIndex);
		} catch (error) {
			if (isCancellation(ctx, error)) throw cancelledError(ctx);
			// Too many or too large requests is the batch's problem, not this item's: the whole run stops.
			if (error instanceof BatchLimitError) throw new NodeOperationError(ctx.getNode(), error.message, { description: error.description });
			if (!ctx.continueOnFail()) throw withItemIndex(ctx.getNode(), error, itemIndex);
			collected.failed.push(errorItem(error, itemIndex));
		}
	}
	return collected;
}

/** A create that may have reached DigitalOcean: the user should know a repeat cannot pay twice. */
function withRepeatHint(error: unknown, requestId: string): unknown {
	const status = error instanceof NodeApiError ? Number(error.httpCode) : NaN;
	if (!(error instanceof NodeApiError) || (status >= 400 && status < 500)) return error;
	const hint = `Running the node again with the same items is safe: request ID ${requestId} returns this batch if DigitalOcean created it, and creates it otherwise.`;
	error.description = error.description ? `${error.description} ${hint}` : hint;
	return error;
}

async function submitFile(ctx: IExecuteFunctions, client: InferenceClient, file: BatchFile): Promise<INodeExecutionData['json']> {
	const settings = readBatchSettings(ctx);
	const requestId = batchRequestId(file, settings);
	const fileId = await uploadBatchFile(client, ctx.getNode(), file, `n8n-batch-${requestId}.jsonl`);
	const batch = await createBatch(client, file, { fileId, requestId, metadata: settings.metadata }).catch((error: unknown) => {
		throw withRepeatHint(error, requestId);
	});
	if (batch.batchId === null) {
		throw new NodeOperationError(ctx.getNode(), 'DigitalOcean accepted the batch but returned no batch ID', {
			description: `Run the node again with the same input: request ID ${requestId} makes DigitalOcean return this batch instead of creating another.`,
		});
	}
	const inputSource = inputSourceOf(ctx);
	return {
		...batch,
		requestId: batch.requestId ?? requestId,
		fileId: batch.inputFileId ?? fileId,
		lines: file.lines,
		bytes: file.bytes,
		// Same request_id as an earlier Submit: DigitalOcean returned that batch (with its own input file).
		reused: batch.inputFileId !== null && batch.inputFileId !== fileId,
		...(inputSource ? { inputSource } : {}),
	};
}

export async function submitBatch(ctx: IExecuteFunctions, client: InferenceClient): Promise<INodeExecutionData[]> {
	const api = ctx.getNodeParameter('api', 0, 'chat') as BatchApi;
	const { builder, included, failed } = await collectItems(ctx, api);
	if (included.length === 0 && failed.length > 0) return failed;
	const pairedItem = included.map((item) => ({ item }));
	try {
		const file = builder.finish();
		return [{ json: await submitFile(ctx, client, file), pairedItem }, ...failed];
	} catch (error) {
		if (isCancellation(ctx, error)) throw cancelledError(ctx);
		const reported = error instanceof InputError ? new NodeOperationError(ctx.getNode(), error.message, { description: error.description }) : error;
		if (!ctx.continueOnFail()) throw reported;
		return [{ ...errorItem(reported, 0), pairedItem }, ...failed];
	}
}
