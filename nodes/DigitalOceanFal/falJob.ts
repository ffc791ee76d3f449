/**
 * fal requests on DigitalOcean (§9 of the contract): POST /v1/async-invoke (200 or 202, any 2xx is
 * accepted), polled at GET /v1/async-invoke/{id}/status; the full record with the model's output is
 * read from GET /v1/async-invoke/{id} when the status endpoint does not carry it. Every media file in
 * the output is downloaded into binary data (the media host never gets the key), or only listed.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mediaFileName, numberedField } from '../shared/binary';
import { passOn } from '../shared/errors';
import type { JobState } from '../shared/jobs';
import { jobErrorText, maxBytesOf, requireJobId, type JobDriver } from '../shared/jobOperations';
import { saveMedia } from '../shared/mediaDownload';
import { InputError } from '../shared/validation';
import type { InferenceClient } from '../shared/transport';
import { buildFalRequest } from './falRequest';
import { decodeDataUrl, displayUrl, findMedia, type MediaRef } from './falMedia';
import { DEFAULT_MAX_FILE_MB, type FalOutputOptions } from './falProperties';

export interface FalJob {
	request_id?: string;
	model_id?: string;
	status?: string;
	output?: unknown;
	error?: unknown;
	created_at?: string | null;
	started_at?: string | null;
	completed_at?: string | null;
}

const INVOKE_PATH = '/v1/async-invoke';
/** The docs disagree (COMPLETE in prose, COMPLETED in JSON); both mean done. */
const DONE_STATUSES = new Set(['COMPLETED', 'COMPLETE', 'SUCCEEDED', 'SUCCESS', 'OK']);
const FAILED_STATUSES = new Set(['FAILED', 'ERROR', 'CANCELLED', 'CANCELED']);

export function falState(job: FalJob): JobState {
	const status = String(job.status ?? '').toUpperCase();
	if (DONE_STATUSES.has(status)) return 'done';
	if (FAILED_STATUSES.has(status)) return 'failed';
	return 'pending';
}

/** The first word of a media type names the file when the user gave no name: image, audio, video. */
function defaultBase(mimeType: string): string {
	const kind = mimeType.split('/')[0];
	return ['image', 'audio', 'video'].includes(kind) ? kind : 'file';
}

export function createFalDriver(ctx: IExecuteFunctions, client: InferenceClient, retries: number): JobDriver<FalJob> {
	const jobPath = (jobId: string) => `${INVOKE_PATH}/${encodeURIComponent(jobId)}`;

	const get = async (path: string, jobId: string, itemIndex: number): Promise<FalJob> => {
		try {
			const reply = await client.json<FalJob>({ method: 'GET', path, itemIndex });
			return { ...reply.data, request_id: reply.data.request_id ?? jobId };
		} catch (error) {
			if (error instanceof NodeApiError && String(error.httpCode) === '404') {
				throw new NodeOperationError(ctx.getNode(), `The fal request ${jobId} was not found`, {
					itemIndex,
					description: 'Check the Job ID: it must come from a Submit with the same Model Access Key.',
				});
			}
			throw passOn(ctx.getNode(), error, itemIndex);
		}
	};

	const saveOne = async (ref: MediaRef, k: number, count: number, itemIndex: number, options: FalOutputOptions) => {
		const fileNameFor = (mimeType: string) =>
			mediaFileName(options.fileName?.trim() || defaultBase(mimeType), mimeType, count > 1 ? k : undefined);
		const inline = decodeDataUrl(ref.url);
		if (inline) {
			const fileName = fileNameFor(inline.mimeType);
			const binary = await ctx.helpers.prepareBinaryData(inline.bytes, fileName, inline.mimeType);
			return { binary, fileName, mimeType: inline.mimeType, fileSize: inline.bytes.length };
		}
		const maxBytes = maxBytesOf(options, DEFAULT_MAX_FILE_MB);
		const source = {
			open: async () => await client.download(ref.url, { maxBytes, itemIndex }),
			label: `${ref.path} of the fal result`,
			url: ref.url,
			declaredMime: ref.declaredType,
		};
		return await saveMedia(ctx, source, { itemIndex, retries, fileNameFor });
	};

	const deliver = async (finished: FalJob, itemIndex: number, facts: IDataObject): Promise<INodeExecutionData[]> => {
		const jobId = String(finished.request_id);
		// The status route may answer only the status; the full record has the output.
		const job = finished.output === undefined || finished.output === null ? await get(jobPath(jobId), jobId, itemIndex) : finished;
		const options = ctx.getNodeParameter('options', itemIndex, {}) as FalOutputOptions;
		const media = findMedia(job.output);
		const json: IDataObject = { ...facts, output: (job.output ?? null) as IDataObject };
		if (options.downloadMedia === false || media.length === 0) {
			json.files = media.map((ref) => ({ path: ref.path, url: displayUrl(ref.url), mimeType: ref.declaredType ?? null }));
			return [{ json }];
		}
		const field = (options.binaryPropertyName ?? 'data').trim();
		if (field === '') throw new InputError('"Put Output in Field" is empty', 'Enter the name of the binary field, e.g. data.');
		const binary: Record<string, IBinaryData> = {};
		const files: IDataObject[] = [];
		for (const [k, ref] of media.entries()) {
			const saved = await saveOne(ref, k, media.length, itemIndex, options);
			const target = numberedField(field, k);
			binary[target] = saved.binary;
			files.push({ field: target, path: ref.path, url: displayUrl(ref.url), fileName: saved.fileName, mimeType: saved.mimeType, fileSize: saved.fileSize });
		}
		json.files = files;
		return [{ json, binary }];
	};

	return {
		noun: 'fal request',
		submit: async (itemIndex) => {
			const body = await buildFalRequest(ctx, itemIndex);
			// Paid: never sent twice. Only failures before the request left are retried.
			const reply = await client.json<FalJob>({ path: INVOKE_PATH, body, itemIndex, retry: 'before-send-only' });
			const id = requireJobId(ctx, reply.data.request_id, 'fal request', reply, itemIndex);
			return { ...reply.data, request_id: id, model_id: reply.data.model_id ?? body.model_id, status: reply.data.status ?? 'QUEUED' };
		},
		poll: async (jobId, itemIndex) => await get(`${jobPath(jobId)}/status`, jobId, itemIndex),
		idOf: (job) => String(job.request_id),
		statusOf: (job) => String(job.status ?? 'UNKNOWN'),
		stateOf: falState,
		errorOf: (job) => jobErrorText(job.error),
		describe: (job) => ({
			model: job.model_id ?? null,
			createdAt: job.created_at ?? null,
			startedAt: job.started_at ?? null,
			completedAt: job.completed_at ?? null,
		}),
		deliver,
	};
}
