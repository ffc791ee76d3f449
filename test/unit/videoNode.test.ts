import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanVideo } from '../../nodes/DigitalOceanVideo/DigitalOceanVideo.node';
import { findVideo, videoState } from '../../nodes/DigitalOceanVideo/videoJob';
import { DEFAULT_KEY, isMp4 } from '../emulator';
import { nodeRunner } from './helpers/runNode';
import { useEmulator } from './helpers/useEmulator';

const VIDEOS = '/v1/video/generations';
const MODEL = 'wan2.2-t2v-a14b';
const PROMPT = 'A paper boat drifting down a rainy street';
const model = (value: string) => ({ __rl: true, mode: 'id', value });

const emulator = useEmulator();

const { run, runError } = nodeRunner(() => new DigitalOceanVideo(), { model: model(MODEL), prompt: PROMPT, waitTimeout: 30 }, emulator);

const fast = { videoTimings: { queuedMs: 50, processingMs: 250 } };
const bytesOf = (item: INodeExecutionData, field = 'data') => Buffer.from(item.binary![field].data, 'base64');
const submissions = () => emulator.control.jobs().filter((job) => job.kind === 'video');
const submitRequests = () => emulator.control.requests().filter((r) => r.method === 'POST' && r.path === VIDEOS);

describe('DigitalOcean Video node: Generate', () => {
	it('submits once, polls until completed and streams the MP4 from the output URL into binary without the key', async () => {
		emulator.control.configure(fast);
		const [item, ...rest] = await run();
		expect(rest).toEqual([]);
		expect(submitRequests().map((r) => r.body)).toEqual([{ model: MODEL, prompt: PROMPT }]);
		const bytes = bytesOf(item);
		expect(isMp4(bytes)).toBe(true);
		expect(bytes.length).toBe(64 * 1024);
		expect(item.binary!.data).toMatchObject({ mimeType: 'video/mp4', fileName: 'video.mp4', fileExtension: 'mp4' });
		expect(item.json).toMatchObject({
			jobId: expect.stringMatching(/^video_/),
			status: 'completed',
			done: true,
			failed: false,
			model: MODEL,
			fileName: 'video.mp4',
			mimeType: 'video/mp4',
			fileSize: bytes.length,
			downloadedFrom: 'output URL',
			expiresAt: expect.any(String),
			polls: expect.any(Number),
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(submissions()).toHaveLength(1);
		const cdn = emulator.control.cdnRequests();
		expect(cdn).toHaveLength(1);
		expect(cdn.every((request) => request.headers.authorization === undefined)).toBe(true);
		expect(JSON.stringify(item.json)).not.toContain(DEFAULT_KEY);
	});

	it('sends size, fps and extra fields only when set, and names the file as asked', async () => {
		emulator.control.configure(fast);
		const [item] = await run({
			options: { size: '832x480', fps: 24, extraBody: '{"seed": 7}', fileName: 'clip.mp4', binaryPropertyName: 'video' },
		});
		expect(submitRequests()[0].body).toEqual({ seed: 7, model: MODEL, prompt: PROMPT, size: '832x480', fps: 24 });
		expect(item.binary!.video.fileName).toBe('clip.mp4');
		expect(item.json).toMatchObject({ size: '832x480', seconds: 9 });
	});

	it("reads the MP4 from /content with the key when output is null (the documented example's shape)", async () => {
		emulator.control.configure({ ...fast, videoOutput: 'null' });
		const [item] = await run();
		expect(isMp4(bytesOf(item))).toBe(true);
		expect(item.json.downloadedFrom).toBe('content endpoint');
		const content = emulator.control.requests().filter((r) => r.path.endsWith('/content'));
		expect(content).toHaveLength(1);
		expect(content[0].headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
		expect(emulator.control.cdnRequests()).toEqual([]);
	});

	it('finds the URL in an output object too', async () => {
		emulator.control.configure({ ...fast, videoOutput: 'object' });
		const [item] = await run();
		expect(isMp4(bytesOf(item))).toBe(true);
		expect(item.json.downloadedFrom).toBe('output URL');
	});

	it('a failed job is an error naming the job; with Continue On Fail an error item, other items intact', async () => {
		emulator.control.configure(fast);
		const error = await runError({ prompt: 'FAIL_VIDEO please' });
		const [job] = submissions();
		expect(error.message).toBe(`The video job ${job.id} failed: Video generation failed: the request was rejected by the model (emulated failure).`);

		emulator.control.reset();
		emulator.control.configure(fast);
		const output = await run({}, { continueOnFail: true, perItem: [{ prompt: 'ok one' }, { prompt: 'FAIL_VIDEO two' }, { prompt: 'ok three' }] });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(Object.keys(output[1].json)).toEqual(['error']);
		expect(output[1].json.error).toMatch(/^The video job video_.* failed/);
		expect(isMp4(bytesOf(output[0]))).toBe(true);
		expect(isMp4(bytesOf(output[2]))).toBe(true);
		expect(submissions().map((job) => job.summary)).toEqual(['ok one', 'FAIL_VIDEO two', 'ok three']);
	});

	it('checks every item before submitting any (a paid job is never sent for a run that fails validation)', async () => {
		const error = await runError({}, { perItem: [{}, { prompt: '  ' }] });
		expect(error.message).toBe('The prompt is empty');
		expect(error.context.itemIndex).toBe(1);
		const fps = await runError({ options: { fps: 2.5 } });
		expect(fps.message).toMatch(/Frames per Second must be a whole number/);
		const extra = await runError({ options: { extraBody: '[1]' } });
		expect(extra.message).toMatch(/must be a JSON object/);
		expect(submissions()).toEqual([]);
	});

	it('refuses a video over "Max File Size" with a clear error that says how to fetch it again', async () => {
		emulator.control.configure({ ...fast, videoBytes: 3 * 1024 * 1024 });
		const error = await runError({ options: { maxFileSize: 1 } });
		expect(error.message).toBe('The file is larger than the limit of 1 MB');
		expect(error.description).toMatch(/run Get Result with this job ID/);
	});
});

describe('DigitalOcean Video node: where the MP4 is', () => {
	const contentRequests = () => emulator.control.requests().filter((r) => r.path.endsWith('/content'));
	const cdnPaths = () => emulator.control.cdnRequests().map((r) => [r.path, r.status]);
	const noKeyOnCdn = () => expect(emulator.control.cdnRequests().every((r) => r.headers.authorization === undefined)).toBe(true);

	it.each(['nested', 'list'] as const)("finds the MP4 in a '%s' output (output.video.url, [url]) with the shared media finder", async (videoOutput) => {
		emulator.control.configure({ ...fast, videoOutput });
		const [item] = await run();
		expect(isMp4(bytesOf(item))).toBe(true);
		expect(item.json.downloadedFrom).toBe('output URL');
		expect(cdnPaths()).toEqual([[`/files/${item.json.jobId}.mp4`, 200]]);
		expect(contentRequests()).toEqual([]);
		noKeyOnCdn();
	});

	it('follows the output URL\'s redirect to a presigned link on the CDN, never sending the key there', async () => {
		emulator.control.configure({ ...fast, videoOutput: 'redirect' });
		const [item] = await run();
		expect(isMp4(bytesOf(item))).toBe(true);
		expect(item.json).toMatchObject({ downloadedFrom: 'output URL', fileSize: 64 * 1024, mimeType: 'video/mp4' });
		expect(cdnPaths()).toEqual([
			[`/hops/1/${item.json.jobId}.mp4`, 302],
			[`/signed/${item.json.jobId}.mp4`, 200],
		]);
		noKeyOnCdn();
	});

	it('output null and /content answering 302: /content gets the key, the CDN it redirects to does not', async () => {
		emulator.control.configure({ ...fast, videoOutput: 'null', videoContent: 'redirect' });
		const [item] = await run();
		expect(isMp4(bytesOf(item))).toBe(true);
		expect(item.json.downloadedFrom).toBe('content endpoint');
		expect(contentRequests().map((r) => [r.status, r.headers.authorization])).toEqual([[302, `Bearer ${DEFAULT_KEY}`]]);
		expect(cdnPaths()).toEqual([[`/signed/${item.json.jobId}.mp4`, 200]]);
		noKeyOnCdn();
	});

	it('five redirects are followed; a sixth is an error that names the job for Get Result', async () => {
		emulator.control.configure({ ...fast, videoOutput: 'redirect', videoRedirectHops: 5 });
		const [item] = await run();
		expect(isMp4(bytesOf(item))).toBe(true);
		emulator.control.reset();
		emulator.control.configure({ ...fast, videoOutput: 'redirect', videoRedirectHops: 6 });
		const error = await runError({});
		const [job] = submissions();
		expect(error.message).toBe('The media URL redirected more than 5 times');
		expect(error.description).toContain(`The video job ${job.id} finished; run Get Result with this job ID`);
		expect(cdnPaths().map(([path]) => path)).not.toContain(`/signed/${job.id}.mp4`);
	});

	it('a media URL on a private address (from the job, not the user) is refused before connecting', async () => {
		emulator.control.configure({ ...fast, mediaHost: 'http://10.0.0.1' });
		const started = Date.now();
		const error = await runError({});
		expect(error.message).toBe('Refused to download from 10.0.0.1: 10.0.0.1 is a private, loopback or link-local address (blocked range 10.0.0.0/8)');
		expect(error.description).toContain('N8N_SSRF_ALLOWED_IP_RANGES');
		expect(Date.now() - started).toBeLessThan(5_000);
	});
});

describe('DigitalOcean Video node: waiting', () => {
	it('on timeout fails with an error that names the job id, or outputs the job to continue later', async () => {
		emulator.control.configure({ videoTimings: { queuedMs: 0, processingMs: 60_000 } });
		const error = await runError({ waitTimeout: 1 });
		const [job] = submissions();
		expect(error.message).toBe(`The video job ${job.id} did not finish within 1 s (status: processing)`);
		expect(error.description).toContain(`Job ID ${job.id}`);

		const [item] = await run({ waitTimeout: 1, onTimeout: 'output' });
		expect(item.json).toMatchObject({ jobId: expect.stringMatching(/^video_/), status: 'processing', done: false, timedOut: true });
		expect(item.binary).toBeUndefined();
	});

	it('Stop during a 60 s wait ends the execution within 1 s, with no further poll', async () => {
		emulator.control.configure({ videoTimings: { queuedMs: 0, processingMs: 120_000 } });
		const controller = new AbortController();
		const started = run({ waitTimeout: 60 }, { signal: controller.signal });
		await new Promise((resolve) => setTimeout(resolve, 2_500)); // two polls in, mid-sleep
		const pollsBefore = emulator.control.requests().filter((r) => r.method === 'GET').length;
		const abortedAt = Date.now();
		controller.abort();
		const error = await started.then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		const elapsed = Date.now() - abortedAt;
		expect(error?.message).toBe('The execution was cancelled');
		expect(elapsed).toBeLessThan(1_000);
		expect(pollsBefore).toBeGreaterThanOrEqual(1);
		expect(emulator.control.requests().filter((r) => r.method === 'GET').length).toBe(pollsBefore);
	});

	it('polls adaptively: a 3 s job costs a handful of polls and is seen soon after it completes', async () => {
		emulator.control.configure({ videoTimings: { queuedMs: 500, processingMs: 2_500 } });
		const startedAt = Date.now();
		const [item] = await run();
		const total = Date.now() - startedAt;
		expect(item.json.polls).toBeLessThanOrEqual(5);
		// Intervals 1, 1.5, 2.25 s: polls at 1, 2.5, 4.75 s → seen by ~4.8 s, plus the download.
		expect(total).toBeLessThan(6_000);
	});

	it('retries a failed poll (503) instead of losing the job', async () => {
		emulator.control.configure(fast);
		const [job] = await run({ operation: 'submit' });
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, path: `${VIDEOS}/${job.json.jobId}` }]);
		const [item] = await run({ operation: 'getResult', jobId: job.json.jobId });
		expect(isMp4(bytesOf(item))).toBe(true);
		expect(submissions()).toHaveLength(1);
	});
});

describe('DigitalOcean Video node: never pays twice', () => {
	it('a reset after the submission reached the server is NOT retried: one job per item, the item fails', async () => {
		emulator.control.configure(fast);
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: VIDEOS }]);
		const output = await run({}, { continueOnFail: true, perItem: [{ prompt: 'first' }, { prompt: 'second' }] });
		expect(output[0].json.error).toMatch(/connection|reset|closed/i);
		expect(isMp4(bytesOf(output[1]))).toBe(true);
		expect(submissions().map((job) => job.summary)).toEqual(['first', 'second']);
		expect(submitRequests()).toHaveLength(2);
	});

	it('a reset before the reply is not retried either (the server may have the job): at most one job per item', async () => {
		emulator.control.configure(fast);
		emulator.control.enqueueFaults([{ kind: 'reset-before-headers', path: VIDEOS }]);
		const output = await run({}, { continueOnFail: true, perItem: [{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }] });
		expect(output[0].json.error).toMatch(/reset/i);
		expect(output.slice(1).map((item) => isMp4(bytesOf(item)))).toEqual([true, true]);
		// The emulator never created job "a"; the client cannot know that, so it did not send "a" again.
		expect(submissions().map((job) => job.summary)).toEqual(['b', 'c']);
		expect(submitRequests().map((r) => (r.body as { prompt: string }).prompt)).toEqual(['a', 'b', 'c']);
	});

	it('a 500 on submit is not retried, and the error says why', async () => {
		emulator.control.configure(fast);
		emulator.control.enqueueFaults([{ kind: 'status', status: 500, path: VIDEOS }]);
		const error = (await run().catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('500');
		expect(error.description).toMatch(/not sent again: a second video job would be billed twice/);
		// DigitalOcean's request id stays last, after the note.
		expect(error.description).toMatch(/running the item again\. Request ID: \S+$/);
		expect(submitRequests()).toHaveLength(1);
	});

	it('a 429 on submit is retried: DO refused it before any work', async () => {
		emulator.control.configure(fast);
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, path: VIDEOS, headers: { 'retry-after': '0' } }]);
		const [item] = await run();
		expect(isMp4(bytesOf(item))).toBe(true);
		expect(submitRequests()).toHaveLength(2);
		expect(submissions()).toHaveLength(1);
	});
});

describe('DigitalOcean Video node: Submit, Get Status, Get Result', () => {
	it('Submit returns the job at once; Get Status reports it; Get Result waits and downloads — one job in all', async () => {
		emulator.control.configure({ videoTimings: { queuedMs: 100, processingMs: 1_500 } });
		const [submitted] = await run({ operation: 'submit' });
		expect(submitted.json).toMatchObject({ jobId: expect.stringMatching(/^video_/), status: 'queued', done: false, failed: false, error: null });
		expect(submitted.binary).toBeUndefined();
		const jobId = submitted.json.jobId as string;

		const [status] = await run({ operation: 'getStatus', jobId });
		expect(status.json).toMatchObject({ jobId, done: false });
		expect(['queued', 'processing']).toContain(status.json.status);

		const [result] = await run({ operation: 'getResult', jobId });
		expect(isMp4(bytesOf(result))).toBe(true);
		expect(result.json).toMatchObject({ jobId, status: 'completed', done: true });

		const [after] = await run({ operation: 'getStatus', jobId });
		expect(after.json).toMatchObject({ status: 'completed', done: true, completedAt: expect.any(String) });
		expect(submissions()).toHaveLength(1);
	});

	it("Get Status and Get Result take each item's job from the Submit output by default (Job ID = {{ $json.jobId }})", async () => {
		emulator.control.configure(fast);
		const submitted = await run({ operation: 'submit' }, { perItem: [{ prompt: 'first boat' }, { prompt: 'second boat' }] });
		const jobIds = submitted.map((item) => item.json.jobId);
		expect(new Set(jobIds).size).toBe(2);

		const statuses = await run({ operation: 'getStatus' }, { items: submitted });
		expect(statuses.map((item) => item.json.jobId)).toEqual(jobIds);
		const results = await run({ operation: 'getResult' }, { items: submitted });
		expect(results.map((item) => [item.json.jobId, isMp4(bytesOf(item))])).toEqual(jobIds.map((jobId) => [jobId, true]));
		expect(submissions()).toHaveLength(2);
	});

	it('a job past its 2-hour retention gets an error that says so', async () => {
		emulator.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoExpiryMs: 100 });
		const [submitted] = await run({ operation: 'submit' });
		await new Promise((resolve) => setTimeout(resolve, 300));
		const error = await runError({ operation: 'getResult', jobId: submitted.json.jobId });
		expect(error.message).toBe(`The video job ${submitted.json.jobId} was not found: it has expired or never existed`);
		expect(error.description).toMatch(/2 hours after the job completes/);
	});

	it('an empty or malformed Job ID fails before any request', async () => {
		const empty = await runError({ operation: 'getResult', jobId: '' });
		expect(empty.message).toBe('Job ID is empty');
		const slash = await runError({ operation: 'getStatus', jobId: '../models' });
		expect(slash.message).toMatch(/not a valid job ID/);
		expect(emulator.control.requests()).toEqual([]);
	});

	it('a /content download that breaks off mid-file is started again', async () => {
		emulator.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoOutput: 'null', videoBytes: 512 * 1024 });
		const [submitted] = await run({ operation: 'submit' });
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: `${VIDEOS}/${submitted.json.jobId}/content` }]);
		const [item] = await run({ operation: 'getResult', jobId: submitted.json.jobId });
		const bytes = bytesOf(item);
		expect(bytes.length).toBe(512 * 1024);
		expect(isMp4(bytes)).toBe(true);
		expect(emulator.control.requests().filter((r) => r.path.endsWith('/content'))).toHaveLength(2);
	});
});

describe('video job helpers', () => {
	it('finds the MP4 URL anywhere in the finished job, preferring a video over other media', () => {
		const url = 'https://cdn.example/v.mp4';
		const urlOf = (output: unknown, extra: object = {}) => findVideo({ id: 'video_1', status: 'completed', output, ...extra })?.url;
		expect(urlOf(url)).toBe(url);
		expect(urlOf({ url })).toBe(url);
		expect(urlOf({ video_url: url })).toBe(url);
		expect(urlOf({ video: { url } })).toBe(url);
		expect(urlOf({ result: { files: [{ href: url }] } })).toBe(url);
		expect(urlOf([{ url }])).toBe(url);
		expect(urlOf([url])).toBe(url);
		expect(urlOf({ thumbnail: { url: 'https://cdn.example/poster.jpg' }, video: { url } })).toBe(url);
		expect(urlOf({ files: [{ url: 'https://cdn.example/clip', content_type: 'video/mp4' }] })).toBe('https://cdn.example/clip');
		expect(urlOf(null, { url })).toBe(url);
		// An input image echoed next to the output is not taken for the video.
		expect(urlOf({ url: 'https://cdn.example/clip' }, { image_url: 'https://cdn.example/input.jpg' })).toBe('https://cdn.example/clip');
		expect(urlOf(null)).toBeUndefined();
		expect(urlOf('not a url')).toBeUndefined();
		expect(urlOf({ url: 'ftp://x/v.mp4' })).toBeUndefined();
		expect(urlOf({ prompt: url })).toBeUndefined();
	});

	it('maps statuses: completed/succeeded done, failed/cancelled failed, anything else pending', () => {
		expect(videoState({ status: 'completed' })).toBe('done');
		expect(videoState({ status: 'SUCCEEDED' })).toBe('done');
		expect(videoState({ status: 'failed' })).toBe('failed');
		expect(videoState({ status: 'cancelled' })).toBe('failed');
		for (const status of ['queued', 'processing', 'in_progress', undefined]) expect(videoState({ status })).toBe('pending');
	});
});
