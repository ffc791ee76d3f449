/**
 * DigitalOcean's batch routes (`/v1/batches…`) and the presigned upload. What may be repeated after a
 * failure: everything here costs nothing or is idempotent — file intents and uploads are free, polls
 * and downloads only read, and create carries the batch's request_id, with which DigitalOcean returns
 * the batch already created instead of a second one. So create is retried like a GET, a dropped
 * connection included (`safe`), which is what keeps a retried Submit from paying twice.
 */
import { Readable } from 'node:stream';

import type { IDataObject, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { InferenceClient } from '../shared/transport';
import { definedOnly } from '../shared/validation';
import { API_TARGETS, type BatchFile } from './batchFile';
import { batchPageOf, resultLinksOf, summarizeBatch, type BatchPage, type BatchSummary, type ResultLinks } from './batchShapes';

export const BATCHES_PATH = '/v1/batches';

/**
 * The content type of the upload. The spec prefers application/octet-stream (a presigned URL may be
 * signed without a type, so a custom one can break the signature); the Go client sends
 * application/x-ndjson and the how-to's curl application/jsonl.
 */
export const UPLOAD_CONTENT_TYPE = 'application/octet-stream';

export function batchPath(batchId: string, suffix = ''): string {
	return `${BATCHES_PATH}/${encodeURIComponent(batchId)}${suffix}`;
}

function isStatus(error: unknown, status: number): error is NodeApiError {
	return error instanceof NodeApiError && Number(error.httpCode) === status;
}

export async function getBatch(client: InferenceClient, batchId: string, itemIndex: number): Promise<BatchSummary> {
	const reply = await client.json({ method: 'GET', path: batchPath(batchId), itemIndex });
	return summarizeBatch(reply.data);
}

interface FileIntent {
	fileId: string;
	uploadUrl: string;
}

async function createFileIntent(client: InferenceClient, node: INode, fileName: string): Promise<FileIntent> {
	const reply = await client.json<IDataObject>({ path: `${BATCHES_PATH}/files`, body: { file_name: fileName }, retry: 'safe' });
	const { file_id: fileId, upload_url: uploadUrl } = reply.data;
	if (typeof fileId !== 'string' || fileId === '' || typeof uploadUrl !== 'string' || uploadUrl === '') {
		throw new NodeOperationError(node, 'DigitalOcean answered the file upload request without a file ID or upload URL', {
			description: `Request ID ${reply.requestId ?? 'unknown'}. Nothing was submitted; try again later.`,
		});
	}
	return { fileId, uploadUrl };
}

async function putFile(client: InferenceClient, intent: FileIntent, file: BatchFile): Promise<void> {
	const payload = { open: () => Readable.from(file.chunks), length: file.bytes, contentType: UPLOAD_CONTENT_TYPE };
	await client.upload(intent.uploadUrl, payload, { path: '/<upload_url>' });
}

/**
 * Uploads the file: a file intent, then the bytes to its presigned URL (no key). An upload URL lives
 * about 15 minutes; one refused with 403 (expired or signature mismatch) is replaced by a new intent
 * once, as the spec advises.
 */
export async function uploadBatchFile(client: InferenceClient, node: INode, file: BatchFile, fileName: string): Promise<string> {
	for (let attempt = 0; ; attempt++) {
		const intent = await createFileIntent(client, node, fileName);
		try {
			await putFile(client, intent, file);
			return intent.fileId;
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the transport's NodeApiError goes on as it is
			if (!isStatus(error, 403)) throw error;
			if (attempt === 0) continue;
			throw new NodeOperationError(node, 'The storage refused the batch file upload twice (403)', {
				description:
					'The presigned upload URL had expired or its signature did not match. Nothing was submitted; run the node again, and check for a proxy that changes PUT requests.',
			});
		}
	}
}

export interface CreateBatchInput {
	fileId: string;
	requestId: string;
	metadata?: Record<string, string>;
}

export async function createBatch(client: InferenceClient, file: BatchFile, input: CreateBatchInput): Promise<BatchSummary> {
	const { provider, endpoint } = API_TARGETS[file.api];
	const body = definedOnly({
		file_id: input.fileId,
		provider,
		endpoint,
		completion_window: '24h',
		request_id: input.requestId,
		metadata: input.metadata,
	});
	const reply = await client.json({ path: BATCHES_PATH, body, retry: 'safe' });
	return summarizeBatch(reply.data);
}

/** Asks to cancel; a 409 (finished, or not yet handed to the provider) comes back as undefined. */
export async function cancelBatch(client: InferenceClient, batchId: string, itemIndex: number): Promise<BatchSummary | undefined> {
	try {
		// Only a certainly-unsent request is repeated: a 409 is an answer, not a hiccup.
		const reply = await client.json({ path: batchPath(batchId, '/cancel'), retry: 'before-send-only', itemIndex });
		return summarizeBatch(reply.data);
	} catch (error) {
		if (isStatus(error, 409)) return undefined;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the transport's NodeApiError goes on as it is
		throw error;
	}
}

/** The results' download links, or undefined while they are not ready (412, or result_available false). */
export async function getResultLinks(client: InferenceClient, batchId: string, itemIndex: number): Promise<ResultLinks | undefined> {
	try {
		const reply = await client.json({ method: 'GET', path: batchPath(batchId, '/results'), itemIndex });
		const links = resultLinksOf(reply.data);
		return links.available ? links : undefined;
	} catch (error) {
		if (isStatus(error, 412)) return undefined;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the transport's NodeApiError goes on as it is
		throw error;
	}
}

export interface ListQuery {
	after?: string;
	limit: number;
	status?: string;
}

export async function listBatches(client: InferenceClient, query: ListQuery, itemIndex: number): Promise<BatchPage> {
	const reply = await client.json({
		method: 'GET',
		path: BATCHES_PATH,
		query: { after: query.after, limit: String(query.limit), status: query.status },
		itemIndex,
	});
	return batchPageOf(reply.data);
}
