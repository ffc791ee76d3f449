/**
 * fal requests on DigitalOcean (§9 of the contract): POST /v1/async-invoke (200 or 202, any 2xx is
 * accepted), progress polled at GET /v1/async-invoke/{id}/status, and once that says the request
 * ended, the record with the model's output read from GET /v1/async-invoke/{id} — the route every
 * official SDK uses; the status route promises only `status`. When the status route answers 404 (or
 * is missing) for a request, that request is polled at GET /v1/async-invoke/{id} instead; it is "not
 * found" only when both routes say so. Every media file in the output is downloaded into binary data
 * (the media host never gets the key), or only listed.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mediaFileName, numberedField } from '../shared/binary';
import { passOn } from '../shared/errors';
import type { JobState } from '../shared/jobs';
import { jobErrorText, maxBytesOf, requireJobId, type JobDriver } from '../shared/jobOperations';
import { saveFoundMedia } from '../shared/mediaDownload';
import { displayUrl, findMedia, type MediaRef } from '../shared/mediaFinder';
import { InputError } from '../shared/validation';
import type { InferenceClient } from '../shared/transport';
import { buildFalRequest } from './falRequest';
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

/** A route that is not there answers 404 (or 405/501 on some gateways). */
const MISSING_ROUTE = new Set(['404', '405', '501']);

function statusOf(error: unknown): string | undefined {
	return error instanceof NodeApiError ? String(error.httpCode) : undefined;
}

/** What a result without media held, for the error: its top-level keys, or its kind. */
function describeOutput(output: unknown): string {
	if (output === null || output === undefined) return 'The result has no output.';
	if (Array.isArray(output)) return `The output is a list of ${output.length} entries without a URL.`;
	if (typeof output !== 'object') return `The output is a ${typeof output} without a URL.`;
	const keys = Object.keys(output);
	if (keys.length === 0) return 'The output is an empty object.';
	return `The output holds only the keys ${keys.slice(0, 12).join(', ')}${keys.length > 12 ? ', …' : ''}.`;
}

export function createFalDriver(ctx: IExecuteFunctions, client: InferenceClient, retries: number): JobDriver<FalJob> {
	const jobPath = (jobId: string) => `${INVOKE_PATH}/${encodeURIComponent(jobId)}`;
	/** Requests whose status route answered 404: polled at the record route for the rest of their wait. */
	const withoutStatusRoute = new Set<string>();

	const get = async (path: string, jobId: string, itemIndex: number): Promise<FalJob> => {
		const reply = await client.json<FalJob>({ method: 'GET', path, itemIndex });
		return { ...reply.data, request_id: reply.data.request_id ?? jobId };
	};

	const notFound = (jobId: string, itemIndex: number) =>
		new NodeOperationError(ctx.getNode(), `The fal request ${jobId} was not found`, {
			itemIndex,
			description: 'Check the Job ID: it must come from a Submit with the same Model Access Key.',
		});

	/** The full record (with output or error) from GET /v1/async-invoke/{id}. */
	const record = async (jobId: string, itemIndex: number, statusSaid?: FalJob): Promise<FalJob> => {
		try {
			return await get(jobPath(jobId), jobId, itemIndex);
		} catch (error) {
			if (statusOf(error) !== '404') throw passOn(ctx.getNode(), error, itemIndex);
			if (!statusSaid) throw notFound(jobId, itemIndex);
			throw new NodeOperationError(ctx.getNode(), `The fal request ${jobId} is ${String(statusSaid.status)}, but its result was not found`, {
				itemIndex,
				description: 'The status route knows the request, the result route does not (yet). Run Get Result with this Job ID in a moment.',
			});
		}
	};

	/** Progress from the status route; once it says the request ended, the full record. */
	const poll = async (jobId: string, itemIndex: number): Promise<FalJob> => {
		if (withoutStatusRoute.has(jobId)) return await record(jobId, itemIndex);
		let progress: FalJob;
		try {
			progress = await get(`${jobPath(jobId)}/status`, jobId, itemIndex);
		} catch (error) {
			if (!MISSING_ROUTE.has(statusOf(error) ?? '')) throw passOn(ctx.getNode(), error, itemIndex);
			// Never "not found" while the record route knows the request: it may be paid for.
			const full = await record(jobId, itemIndex);
			withoutStatusRoute.add(jobId);
			return full;
		}
		return falState(progress) === 'pending' ? progress : await record(jobId, itemIndex, progress);
	};

	const saveOne = async (ref: MediaRef, k: number, count: number, itemIndex: number, options: FalOutputOptions) =>
		await saveFoundMedia(ctx, client, ref, {
			itemIndex,
			retries,
			maxBytes: maxBytesOf(options, DEFAULT_MAX_FILE_MB),
			label: `${ref.path || 'the output'} of the fal result`,
			fileNameFor: (mimeType) => mediaFileName(options.fileName?.trim() || defaultBase(mimeType), mimeType, count > 1 ? k : undefined),
		});

	const deliver = async (finished: FalJob, itemIndex: number, facts: IDataObject): Promise<INodeExecutionData[]> => {
		// Polls end on the full record; a submission answered as already finished may lack the output.
		const job = finished.output === undefined || finished.output === null ? await record(String(finished.request_id), itemIndex, finished) : finished;
		const options = ctx.getNodeParameter('options', itemIndex, {}) as FalOutputOptions;
		const media = findMedia(job.output);
		const json: IDataObject = { ...facts, output: (job.output ?? null) as IDataObject };
		if (options.downloadMedia === false) {
			json.files = media.map((ref) => ({ path: ref.path, url: displayUrl(ref.url), mimeType: ref.declaredType ?? null }));
			return [{ json }];
		}
		if (media.length === 0) {
			throw new NodeOperationError(ctx.getNode(), `The fal request ${String(job.request_id)} finished, but its result holds no media URL`, {
				itemIndex,
				description: `${describeOutput(job.output)} A media file is found under a key that names a link or a kind of media (url, href, images, audio_file …). Turn off Options → Download Media to output the result as JSON without files.`,
			});
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
		poll,
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
