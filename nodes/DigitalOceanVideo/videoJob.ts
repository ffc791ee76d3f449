/**
 * Video generation jobs (§8 of the contract): submit, poll, and fetch the MP4. Where the file comes
 * from is undocumented, so both routes work: a URL in `output` (a string, `.url`, `.video_url`, or
 * `[0].url`) is downloaded without the key unless it is on the API's own origin; otherwise
 * `GET /v1/video/generations/{id}/content` is read with the key. Results are purged 2 hours after
 * completion, so a vanished job or file gets an error that says so.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mediaFileName, readOutputTarget } from '../shared/binary';
import { passOn } from '../shared/errors';
import type { JobState } from '../shared/jobs';
import { jobErrorText, maxBytesOf, requireJobId, type JobDriver } from '../shared/jobOperations';
import { saveMedia, type MediaSource } from '../shared/mediaDownload';
import type { InferenceClient } from '../shared/transport';
import { DEFAULT_FILE_NAME, DEFAULT_MAX_FILE_MB, type VideoOptions } from './videoOptions';
import { buildVideoRequest } from './videoRequest';

export interface VideoJob {
	id?: string;
	status?: string;
	model?: string;
	output?: unknown;
	error?: unknown;
	size?: string;
	seconds?: number | string;
	created_at?: number;
	completed_at?: number;
	expires_at?: number;
}

const VIDEO_PATH = '/v1/video/generations';
const DONE_STATUSES = new Set(['completed', 'complete', 'succeeded', 'success', 'done']);
const FAILED_STATUSES = new Set(['failed', 'error', 'cancelled', 'canceled', 'expired']);
const GONE_STATUSES = new Set(['404', '410']);

export function videoState(job: VideoJob): JobState {
	const status = String(job.status ?? '').toLowerCase();
	if (DONE_STATUSES.has(status)) return 'done';
	if (FAILED_STATUSES.has(status)) return 'failed';
	return 'pending';
}

function isHttpUrl(value: unknown): value is string {
	return typeof value === 'string' && /^https?:\/\//i.test(value);
}

/** The MP4's URL in a finished job's `output`: a string, `.url`, `.video_url`, or `[0].url`. */
export function videoUrlOf(output: unknown): string | undefined {
	if (isHttpUrl(output)) return output;
	if (Array.isArray(output)) return isHttpUrl(output[0]) ? output[0] : videoUrlOf((output[0] as IDataObject | undefined)?.url);
	if (typeof output === 'object' && output !== null) {
		const { url, video_url: videoUrl } = output as { url?: unknown; video_url?: unknown };
		if (isHttpUrl(url)) return url;
		if (isHttpUrl(videoUrl)) return videoUrl;
	}
	return undefined;
}

function isoFromUnix(seconds: unknown): string | null {
	return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

/** 404/410 mean purged; a presigned media URL past its time answers 403 (S3's AccessDenied). */
function isGone(error: unknown, signedUrl = false): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const status = String(error.httpCode);
	return GONE_STATUSES.has(status) || (signedUrl && status === '403');
}

function expiredError(ctx: IExecuteFunctions, jobId: string, itemIndex: number, what: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `The video job ${jobId} ${what}`, {
		itemIndex,
		description:
			'DigitalOcean purges video results, download links included, 2 hours after the job completes. If the job is older, submit it again and fetch the result within 2 hours; otherwise check the Job ID.',
	});
}

export function createVideoDriver(ctx: IExecuteFunctions, client: InferenceClient, retries: number): JobDriver<VideoJob> {
	const poll = async (jobId: string, itemIndex: number): Promise<VideoJob> => {
		try {
			const reply = await client.json<VideoJob>({ method: 'GET', path: `${VIDEO_PATH}/${encodeURIComponent(jobId)}`, itemIndex });
			return { ...reply.data, id: reply.data.id ?? jobId };
		} catch (error) {
			if (isGone(error)) throw expiredError(ctx, jobId, itemIndex, 'was not found: it has expired or never existed');
			throw passOn(ctx.getNode(), error, itemIndex);
		}
	};

	const sourceOf = (job: VideoJob, jobId: string, itemIndex: number, maxBytes: number): MediaSource & { route: string } => {
		const label = `the video of job ${jobId}`;
		const url = videoUrlOf(job.output);
		if (url) return { route: 'output URL', label, url, open: async () => await client.download(url, { maxBytes, itemIndex }) };
		const path = `${VIDEO_PATH}/${encodeURIComponent(jobId)}/content`;
		return { route: 'content endpoint', label, open: async () => await client.binary({ method: 'GET', path, itemIndex }, { maxBytes }) };
	};

	const deliver = async (job: VideoJob, itemIndex: number, facts: IDataObject): Promise<INodeExecutionData[]> => {
		const jobId = String(job.id);
		const options = ctx.getNodeParameter('options', itemIndex, {}) as VideoOptions;
		const { field, fileBase } = readOutputTarget(options, DEFAULT_FILE_NAME, 'video');
		if (typeof job.expires_at === 'number' && job.expires_at * 1000 < Date.now()) {
			throw expiredError(ctx, jobId, itemIndex, `expired at ${isoFromUnix(job.expires_at)}`);
		}
		const source = sourceOf(job, jobId, itemIndex, maxBytesOf(options, DEFAULT_MAX_FILE_MB));
		const saved = await saveMedia(ctx, source, { itemIndex, retries, fileNameFor: (mimeType) => mediaFileName(fileBase, mimeType) }).catch((error: unknown) => {
			if (isGone(error, source.url !== undefined)) throw expiredError(ctx, jobId, itemIndex, 'has no video any more: its download link has expired or was refused');
			throw error;
		});
		return [
			{
				json: {
					...facts,
					fileName: saved.fileName,
					mimeType: saved.mimeType,
					fileSize: saved.fileSize,
					downloadedFrom: source.route,
				},
				binary: { [field]: saved.binary },
			},
		];
	};

	return {
		noun: 'video job',
		submit: async (itemIndex) => {
			const body = await buildVideoRequest(ctx, itemIndex);
			// Paid: never sent twice. Only failures before the request left are retried.
			const reply = await client.json<VideoJob>({ path: VIDEO_PATH, body, itemIndex, retry: 'before-send-only' });
			const id = requireJobId(ctx, reply.data.id, 'video', reply, itemIndex);
			return { ...reply.data, id, model: reply.data.model ?? body.model };
		},
		poll,
		idOf: (job) => String(job.id),
		statusOf: (job) => String(job.status ?? 'unknown'),
		stateOf: videoState,
		errorOf: (job) => jobErrorText(job.error),
		describe: (job) => ({
			model: job.model ?? null,
			...(job.size !== undefined ? { size: job.size } : {}),
			...(job.seconds !== undefined ? { seconds: Number(job.seconds) } : {}),
			createdAt: isoFromUnix(job.created_at),
			completedAt: isoFromUnix(job.completed_at),
			expiresAt: isoFromUnix(job.expires_at),
		}),
		deliver,
	};
}
