/**
 * Video generation jobs (§8 of the contract): submit, poll, and fetch the MP4. Where the file comes
 * from is undocumented, so both ways work: a media URL anywhere in the finished job (`output` as a
 * string, `.url`, `.video.url`, a list …, found by the shared media finder) is downloaded without the
 * key unless it is on the API's own origin; otherwise `GET /v1/video/generations/{id}/content` is read
 * with the key. Either may redirect (e.g. to a presigned link on a CDN), which is followed without the
 * key. Results are purged 2 hours after completion, so a vanished job or file gets an error that says so.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mediaFileName, readOutputTarget } from '../shared/binary';
import { passOn } from '../shared/errors';
import type { JobState } from '../shared/jobs';
import { jobErrorText, maxBytesOf, requireJobId, type JobDriver } from '../shared/jobOperations';
import { saveFoundMedia } from '../shared/mediaDownload';
import { findMedia, type MediaRef } from '../shared/mediaFinder';
import { mimeFromUrl } from '../shared/mediaType';
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

const isVideo = (ref: MediaRef) => /^video\//i.test(ref.declaredType ?? mimeFromUrl(ref.url) ?? '');

/**
 * The video file in a finished job: in `output` first (other fields may echo an input image's URL),
 * else anywhere in the job; a video by its declared type or extension first, else the first file.
 */
export function findVideo(job: VideoJob): MediaRef | undefined {
	for (const media of [findMedia(job.output), findMedia({ ...job, output: undefined })]) {
		const found = media.find(isVideo) ?? media[0];
		if (found) return found;
	}
	return undefined;
}

function isoFromUnix(seconds: unknown): string | null {
	return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;
}

/**
 * 404/410 mean purged; so does a 403 from a media host (a presigned link past its time answers S3's
 * AccessDenied), but not one from the API itself (that is the key's scope). `apiOrigin` is given for downloads.
 */
function isGone(error: unknown, apiOrigin?: string): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const status = String(error.httpCode);
	if (GONE_STATUSES.has(status)) return true;
	const url = String((error.errorResponse as { url?: unknown } | undefined)?.url ?? '');
	return apiOrigin !== undefined && status === '403' && !url.startsWith(`${apiOrigin}/`);
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

	/** The URL in the job, else the API's /content route (read with the key, as it is the API's origin). */
	const sourceOf = (job: VideoJob, jobId: string): { route: string; ref: MediaRef } => {
		const found = findVideo(job);
		if (found) return { route: 'output URL', ref: found };
		return { route: 'content endpoint', ref: { path: 'content', url: `${client.baseUrl}${VIDEO_PATH}/${encodeURIComponent(jobId)}/content` } };
	};

	const deliver = async (job: VideoJob, itemIndex: number, facts: IDataObject): Promise<INodeExecutionData[]> => {
		const jobId = String(job.id);
		const options = ctx.getNodeParameter('options', itemIndex, {}) as VideoOptions;
		const { field, fileBase } = readOutputTarget(options, DEFAULT_FILE_NAME, 'video');
		if (typeof job.expires_at === 'number' && job.expires_at * 1000 < Date.now()) {
			throw expiredError(ctx, jobId, itemIndex, `expired at ${isoFromUnix(job.expires_at)}`);
		}
		const source = sourceOf(job, jobId);
		const target = {
			itemIndex,
			retries,
			maxBytes: maxBytesOf(options, DEFAULT_MAX_FILE_MB),
			label: `the video of job ${jobId}`,
			fileNameFor: (mimeType: string) => mediaFileName(fileBase, mimeType),
		};
		const saved = await saveFoundMedia(ctx, client, source.ref, target).catch((error: unknown) => {
			if (isGone(error, new URL(client.baseUrl).origin)) throw expiredError(ctx, jobId, itemIndex, 'has no video any more: its download link has expired or was refused');
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
