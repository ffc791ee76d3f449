import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanFal } from '../../nodes/DigitalOceanFal/DigitalOceanFal.node';
import { dataUrlInfo, decodeDataUrl, findMedia } from '../../nodes/shared/mediaFinder';
import { falState } from '../../nodes/DigitalOceanFal/falJob';
import { audioMagic, DEFAULT_KEY, imageMagic } from '../emulator';
import { encodeJpeg } from '../emulator/media/jpeg';
import { binaryItem } from './helpers/fakeContext';
import { nodeRunner } from './helpers/runNode';
import { useEmulator } from './helpers/useEmulator';

const INVOKE = '/v1/async-invoke';
const PROMPT = 'A cozy reading nook with warm lamp light';

const emulator = useEmulator();

const { run, runError } = nodeRunner(() => new DigitalOceanFal(), { prompt: PROMPT, waitTimeout: 30 }, emulator);

const fast = { asyncTimings: { queuedMs: 50, runningMs: 200 } };
const bytesOf = (item: INodeExecutionData, field = 'data') => Buffer.from(item.binary![field].data, 'base64');
const submissions = () => emulator.control.jobs().filter((job) => job.kind === 'async');
const submitBodies = () => emulator.control.requests().filter((r) => r.method === 'POST' && r.path === INVOKE).map((r) => r.body);
const expectNoKeyOnCdn = () => {
	expect(emulator.control.cdnRequests().length).toBeGreaterThan(0);
	expect(emulator.control.cdnRequests().every((request) => request.headers.authorization === undefined)).toBe(true);
};

describe('DigitalOcean Fal node: presets', () => {
	it('FLUX schnell: sends only the prompt, waits, and downloads the JPEG from the media host without the key', async () => {
		emulator.control.configure(fast);
		const [item, ...rest] = await run();
		expect(rest).toEqual([]);
		expect(submitBodies()).toEqual([{ model_id: 'fal-ai/flux/schnell', input: { prompt: PROMPT } }]);
		const bytes = bytesOf(item);
		expect(imageMagic(bytes)).toEqual({ kind: 'jpeg', width: 1024, height: 768 });
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/jpeg', fileName: 'image.jpg' });
		expect(item.json).toMatchObject({
			jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			status: 'COMPLETED',
			done: true,
			model: 'fal-ai/flux/schnell',
			completedAt: expect.stringMatching(/Z$/),
			files: [{ field: 'data', path: 'images[0].url', fileName: 'image.jpg', mimeType: 'image/jpeg', fileSize: bytes.length, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1/) }],
			output: expect.objectContaining({ images: [expect.objectContaining({ width: 1024, height: 768 })] }),
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(submissions()).toHaveLength(1);
		expectNoKeyOnCdn();
		expect(JSON.stringify(item)).not.toContain(DEFAULT_KEY);
	});

	it('image options are sent only when set; several images become data, data_1, … with numbered names', async () => {
		emulator.control.configure(fast);
		const [item] = await run({
			model: 'fal-ai/fast-sdxl',
			inputOptions: { imageSize: 'square', numImages: 3, numInferenceSteps: 8, guidanceScale: 5, seed: 42, negativePrompt: 'blur' },
			options: { fileName: 'nook' },
		});
		expect(submitBodies()[0]).toEqual({
			model_id: 'fal-ai/fast-sdxl',
			input: { prompt: PROMPT, image_size: 'square', num_images: 3, num_inference_steps: 8, guidance_scale: 5, seed: 42, negative_prompt: 'blur' },
		});
		expect(Object.keys(item.binary!)).toEqual(['data', 'data_1', 'data_2']);
		expect(['data', 'data_1', 'data_2'].map((field) => item.binary![field].fileName)).toEqual(['nook-1.jpg', 'nook-2.jpg', 'nook-3.jpg']);
		for (const field of ['data', 'data_1', 'data_2']) expect(imageMagic(bytesOf(item, field))).toMatchObject({ kind: 'jpeg', width: 512, height: 512 });
		expect((item.json.files as Array<{ path: string }>).map((file) => file.path)).toEqual(['images[0].url', 'images[1].url', 'images[2].url']);
	});

	it('ElevenLabs TTS: text and voice in input.text/voice; the MP3 lands as audio/mpeg', async () => {
		emulator.control.configure(fast);
		const [item] = await run({ model: 'fal-ai/elevenlabs/tts/multilingual-v2', text: 'Welcome to the weekly update.', inputOptions: { voice: 'Aria', speed: 1.1 } });
		expect(submitBodies()[0]).toEqual({
			model_id: 'fal-ai/elevenlabs/tts/multilingual-v2',
			input: { text: 'Welcome to the weekly update.', voice: 'Aria', speed: 1.1 },
		});
		expect(audioMagic(bytesOf(item))).toBe('mp3');
		expect(item.binary!.data).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'audio.mp3' });
		expect(item.json.files).toEqual([expect.objectContaining({ path: 'audio.url' })]);
		expectNoKeyOnCdn();
	});

	it('Stable Audio: seconds_total sent; the file is found under audio_file.url (its key is undocumented)', async () => {
		emulator.control.configure(fast);
		const [item] = await run({ model: 'fal-ai/stable-audio-25/text-to-audio', prompt: 'calm piano', inputOptions: { secondsTotal: 3 } });
		expect(submitBodies()[0]).toEqual({ model_id: 'fal-ai/stable-audio-25/text-to-audio', input: { prompt: 'calm piano', seconds_total: 3 } });
		expect(audioMagic(bytesOf(item))).toBe('wav');
		expect(item.json.files).toEqual([expect.objectContaining({ path: 'audio_file.url', mimeType: 'audio/wav', fileName: 'audio.wav' })]);
	});

	it('Other Model: any id with a JSON input, merged under Additional Input; tags sent', async () => {
		emulator.control.configure(fast);
		const [item] = await run({
			model: 'other',
			modelId: { __rl: true, mode: 'id', value: 'fal-ai/playai/tts/v3' },
			input: '{"text": "Hello there", "voice": "Jennifer"}',
			inputOptions: { additionalInput: '{"voice": "ignored", "speed": 1}' },
			tags: { tag: [{ key: 'campaign', value: 'spring' }] },
		});
		expect(submitBodies()[0]).toEqual({
			model_id: 'fal-ai/playai/tts/v3',
			input: { voice: 'Jennifer', speed: 1, text: 'Hello there' },
			tags: [{ key: 'campaign', value: 'spring' }],
		});
		expect(audioMagic(bytesOf(item))).toBe('mp3');
	});

	it('sends an input image from a binary field as a data URL under the chosen key', async () => {
		emulator.control.configure(fast);
		const jpeg = encodeJpeg(16, 16, { r: 200, g: 80, b: 40, a: 255 });
		await run(
			{ inputOptions: { imageBinaryField: 'photo', imageInputKey: 'image_url' } },
			{ items: [binaryItem('photo', jpeg, 'image/jpeg', 'photo.jpg')] },
		);
		const input = (submitBodies()[0] as { input: Record<string, string> }).input;
		expect(input.image_url).toBe(`data:image/jpeg;base64,${jpeg.toString('base64')}`);
	});
});

describe('DigitalOcean Fal node: variants and failures', () => {
	it('accepts 202 on submit and COMPLETE as the finished word', async () => {
		emulator.control.configure({ ...fast, asyncInvokeStatus: 202, asyncCompletedWord: 'COMPLETE' });
		const [item] = await run();
		expect(item.json.status).toBe('COMPLETE');
		expect(imageMagic(bytesOf(item))?.kind).toBe('jpeg');
	});

	it('a FAILED request is an error naming it; Continue On Fail keeps the other items in order', async () => {
		emulator.control.configure(fast);
		const output = await run({}, { continueOnFail: true, perItem: [{ prompt: 'fine' }, { prompt: 'FAIL_JOB here' }] });
		const failed = submissions()[1];
		expect(output[1].json).toEqual({ error: `The fal request ${failed.id} failed: Inference failed for fal-ai/flux/schnell: the input was rejected (emulated failure).` });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(imageMagic(bytesOf(output[0]))?.kind).toBe('jpeg');
	});

	it('"Download Media" off lists the URLs without downloading anything', async () => {
		emulator.control.configure(fast);
		const [item] = await run({ inputOptions: { numImages: 2 }, options: { downloadMedia: false } });
		expect(item.binary).toBeUndefined();
		expect(item.json.files).toEqual([
			{ path: 'images[0].url', url: expect.stringContaining('/files/'), mimeType: 'image/jpeg' },
			{ path: 'images[1].url', url: expect.stringContaining('/files/'), mimeType: 'image/jpeg' },
		]);
		expect(emulator.control.cdnRequests()).toEqual([]);
	});

	it('checks every item before any submission: empty prompt, bad JSON, tag without key, missing image', async () => {
		const prompt = await runError({}, { perItem: [{}, { prompt: '' }] });
		expect(prompt.message).toBe('Prompt is empty');
		expect(prompt.context.itemIndex).toBe(1);
		expect((await runError({ model: 'other', modelId: { __rl: true, mode: 'id', value: 'fal-ai/x' }, input: '{oops' })).message).toBe('Input (JSON) is not valid JSON');
		expect((await runError({ model: 'other', modelId: { __rl: true, mode: 'id', value: '' } })).message).toBe('No model ID is entered');
		expect((await runError({ tags: { tag: [{ key: ' ', value: 'x' }] } })).message).toBe('Tag 1 has no key');
		expect((await runError({ inputOptions: { numImages: 9 } })).message).toMatch(/Number of Images must be between 1 and 4/);
		const noImage = (await run({ inputOptions: { imageBinaryField: 'photo' } }).catch((e: unknown) => e)) as Error;
		expect(noImage.message).toMatch(/photo/);
		expect(emulator.control.requests()).toEqual([]);
	});

	it('a reset after the submission reached the server is not retried: exactly one request per item', async () => {
		emulator.control.configure(fast);
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: INVOKE }]);
		const output = await run({}, { continueOnFail: true, perItem: [{ prompt: 'one' }, { prompt: 'two' }, { prompt: 'three' }] });
		expect(output[0].json.error).toBeDefined();
		expect(output.slice(1).every((item) => item.binary?.data !== undefined)).toBe(true);
		expect(submissions().map((job) => job.summary)).toEqual(['one', 'two', 'three']);
		expect(submitBodies()).toHaveLength(3);
	});
});

describe('DigitalOcean Fal node: where the result is read', () => {
	const getPaths = () => emulator.control.requests().filter((r) => r.method === 'GET' && r.path.startsWith(`${INVOKE}/`)).map((r) => r.path);

	it('reads the result from GET /{id} once /status says it ended, even when /status carries the whole record', async () => {
		emulator.control.configure({ ...fast, asyncStatusRoute: 'full' });
		const [item] = await run();
		const jobId = item.json.jobId as string;
		const paths = getPaths();
		expect(paths.at(-1)).toBe(`${INVOKE}/${jobId}`);
		expect(paths.slice(0, -1).every((path) => path === `${INVOKE}/${jobId}/status`)).toBe(true);
		expect(imageMagic(bytesOf(item))?.kind).toBe('jpeg');
	});

	it('by default /status gives only the progress: model, times and a failure message come from the record route', async () => {
		emulator.control.configure(fast);
		const [submitted] = await run({ operation: 'submit' });
		await new Promise((resolve) => setTimeout(resolve, 400));
		const [status] = await run({ operation: 'getStatus', jobId: submitted.json.jobId });
		expect(status.json).toMatchObject({ status: 'COMPLETED', done: true, model: 'fal-ai/flux/schnell', completedAt: expect.stringMatching(/Z$/) });
		expect(getPaths()).toEqual([`${INVOKE}/${submitted.json.jobId}/status`, `${INVOKE}/${submitted.json.jobId}`]);
	});

	it('when /status answers 404 (route missing) it polls GET /{id} instead, once told, for the rest of the wait', async () => {
		emulator.control.configure({ asyncStatusRoute: 'missing', asyncTimings: { queuedMs: 300, runningMs: 1_800 } });
		const [item] = await run();
		const jobId = item.json.jobId as string;
		expect(imageMagic(bytesOf(item))?.kind).toBe('jpeg');
		expect(item.json).toMatchObject({ status: 'COMPLETED', done: true, model: 'fal-ai/flux/schnell' });
		const paths = getPaths();
		expect(paths[0]).toBe(`${INVOKE}/${jobId}/status`);
		expect(paths.slice(1).length).toBeGreaterThanOrEqual(2);
		expect(paths.slice(1).every((path) => path === `${INVOKE}/${jobId}`)).toBe(true);
		expect(submissions()).toHaveLength(1);
	});

	it('Get Status and Get Result of a known request work without the status route; unknown on both routes is "not found"', async () => {
		emulator.control.configure({ ...fast, asyncStatusRoute: 'missing' });
		const [submitted] = await run({ operation: 'submit' });
		const [status] = await run({ operation: 'getStatus', jobId: submitted.json.jobId });
		expect(['QUEUED', 'IN_PROGRESS', 'COMPLETED']).toContain(status.json.status);
		const [result] = await run({ operation: 'getResult', jobId: submitted.json.jobId });
		expect(imageMagic(bytesOf(result))?.kind).toBe('jpeg');
		emulator.control.reset();
		emulator.control.configure({ asyncStatusRoute: 'missing' });
		const unknown = '00000000-0000-4000-8000-000000000000';
		const error = await runError({ operation: 'getResult', jobId: unknown });
		expect(error.message).toBe(`The fal request ${unknown} was not found`);
		expect(getPaths()).toEqual([`${INVOKE}/${unknown}/status`, `${INVOKE}/${unknown}`]);
	});
});

describe('DigitalOcean Fal node: media in the result', () => {
	it.each([
		['nested', 'result.files[0].href'],
		['strings', 'images[0]'],
		['video', 'video.url'],
	] as const)("finds media the '%s' way (%s) and downloads it without the key", async (shape, path) => {
		emulator.control.configure({ ...fast, asyncOutputShape: shape });
		const [item] = await run();
		expect(imageMagic(bytesOf(item))).toEqual({ kind: 'jpeg', width: 1024, height: 768 });
		expect(item.json.files).toEqual([expect.objectContaining({ path, mimeType: 'image/jpeg', fileName: 'image.jpg' })]);
		expectNoKeyOnCdn();
	});

	it('with Download Media on, a result without a media URL is an error that names the request and what the output held', async () => {
		emulator.control.configure({ ...fast, asyncOutputShape: 'no-media' });
		const output = await run({}, { continueOnFail: true, perItem: [{ prompt: 'one' }] });
		const [job] = submissions();
		expect(output).toEqual([{ json: { error: `The fal request ${job.id} finished, but its result holds no media URL` }, pairedItem: { item: 0 } }]);
		const error = await runError({});
		expect(error.description).toContain('The output holds only the keys seed, note.');
		expect(error.description).toContain('run Get Result with this job ID');
		// A URL inside text (`note`) is not taken for a file.
		expect(emulator.control.cdnRequests()).toEqual([]);
	});

	it('with Download Media off, a result without media lists nothing and succeeds', async () => {
		emulator.control.configure({ ...fast, asyncOutputShape: 'no-media' });
		const [item] = await run({ options: { downloadMedia: false } });
		expect(item.json.files).toEqual([]);
		expect(item.json.output).toEqual({ seed: expect.any(Number), note: expect.stringContaining('/files/') });
	});

	it('inline data: URLs (fal sync mode) are decoded into binary, up to Max File Size; larger is a clear error', async () => {
		emulator.control.configure({ ...fast, asyncOutputShape: 'inline' });
		const [item] = await run();
		const bytes = bytesOf(item);
		expect(imageMagic(bytes)?.kind).toBe('jpeg');
		expect(item.json.files).toEqual([expect.objectContaining({ path: 'images[0].url', url: `data:image/jpeg (${bytes.length} bytes inline)`, fileSize: bytes.length })]);
		expect(emulator.control.cdnRequests()).toEqual([]);
		const error = await runError({ options: { maxFileSize: 0.001 } });
		expect(error.message).toBe(`images[0].url of the fal result is an inline file (data: URL) of ${bytes.length} bytes, larger than the limit of 0.001 MB`);
	});

	it('a media URL on a private address is refused before any connection; n8n\'s env allow-list lets it through', async () => {
		const port = new URL(emulator.cdnUrl).port;
		emulator.control.configure({ ...fast, mediaHost: `http://localhost:${port}` });
		const error = await runError({});
		expect(error.message).toMatch(/^Refused to download from localhost: localhost resolves to/);
		expect(error.description).toContain('N8N_SSRF_ALLOWED_HOSTNAMES');
		expect(emulator.control.cdnRequests()).toEqual([]);
		const saved = process.env.N8N_SSRF_ALLOWED_HOSTNAMES;
		process.env.N8N_SSRF_ALLOWED_HOSTNAMES = 'localhost';
		try {
			const [item] = await run();
			expect(imageMagic(bytesOf(item))?.kind).toBe('jpeg');
			expectNoKeyOnCdn();
		} finally {
			if (saved === undefined) delete process.env.N8N_SSRF_ALLOWED_HOSTNAMES;
			else process.env.N8N_SSRF_ALLOWED_HOSTNAMES = saved;
		}
		emulator.control.configure({ mediaHost: 'http://169.254.169.254' });
		const metadata = await runError({});
		expect(metadata.message).toContain('Refused to download from 169.254.169.254');
		expect(metadata.message).toContain('blocked range 169.254.0.0/16');
	});
});

describe('DigitalOcean Fal node: Submit, Get Status, Get Result', () => {
	it('Submit outputs the request id at once; Get Status reports it; Get Result waits and downloads', async () => {
		emulator.control.configure({ asyncTimings: { queuedMs: 300, runningMs: 1_200 } });
		const [submitted] = await run({ operation: 'submit' });
		expect(submitted.json).toMatchObject({ jobId: expect.any(String), status: 'QUEUED', done: false, model: 'fal-ai/flux/schnell' });
		const jobId = submitted.json.jobId as string;
		const [status] = await run({ operation: 'getStatus', jobId });
		expect(['QUEUED', 'IN_PROGRESS']).toContain(status.json.status);
		const [result] = await run({ operation: 'getResult', jobId });
		expect(imageMagic(bytesOf(result))?.kind).toBe('jpeg');
		expect(result.json).toMatchObject({ jobId, status: 'COMPLETED', done: true });
		expect(submissions()).toHaveLength(1);
		const polls = emulator.control.requests().filter((r) => r.method === 'GET' && r.path.startsWith(`${INVOKE}/`));
		expect(polls.every((r) => r.path === `${INVOKE}/${jobId}/status` || r.path === `${INVOKE}/${jobId}`)).toBe(true);
	});

	it("Get Status and Get Result take each item's job from the Submit output by default (Job ID = {{ $json.jobId }})", async () => {
		emulator.control.configure(fast);
		const submitted = await run({ operation: 'submit' }, { perItem: [{ prompt: 'first nook' }, { prompt: 'second nook' }] });
		const jobIds = submitted.map((item) => item.json.jobId);
		expect(new Set(jobIds).size).toBe(2);

		const statuses = await run({ operation: 'getStatus' }, { items: submitted });
		expect(statuses.map((item) => item.json.jobId)).toEqual(jobIds);
		const results = await run({ operation: 'getResult' }, { items: submitted });
		expect(results.map((item) => [item.json.jobId, imageMagic(bytesOf(item))?.kind])).toEqual(jobIds.map((jobId) => [jobId, 'jpeg']));
		expect(submissions()).toHaveLength(2);
	});

	it('an unknown request id is a clear error', async () => {
		const error = await runError({ operation: 'getStatus', jobId: '00000000-0000-4000-8000-000000000000' });
		expect(error.message).toBe('The fal request 00000000-0000-4000-8000-000000000000 was not found');
	});

	it('Stop during the wait ends within 1 s', async () => {
		emulator.control.configure({ asyncTimings: { queuedMs: 0, runningMs: 120_000 } });
		const controller = new AbortController();
		const pending = run({ waitTimeout: 60 }, { signal: controller.signal });
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const abortedAt = Date.now();
		controller.abort();
		await expect(pending).rejects.toThrow('The execution was cancelled');
		expect(Date.now() - abortedAt).toBeLessThan(1_000);
	});
});

describe('fal output helpers', () => {
	it('walks any output shape for media URLs under link or media keys, with the declared type, once per URL', () => {
		const output = {
			images: [{ url: 'https://cdn/a.jpg', content_type: 'image/jpeg' }, { url: 'https://cdn/b.jpg' }],
			image: { url: 'https://cdn/c.png' },
			audio_url: 'https://cdn/d.mp3',
			video: { url: 'https://cdn/e.mp4', content_type: 'video/mp4' },
			file_url: 'https://cdn/a.jpg',
			seed: 4,
			prompt: 'https://not-a-media-field.example',
			timestamps: [{ characters: ['a'] }],
		};
		expect(findMedia(output)).toEqual([
			{ path: 'images[0].url', url: 'https://cdn/a.jpg', declaredType: 'image/jpeg' },
			{ path: 'images[1].url', url: 'https://cdn/b.jpg' },
			{ path: 'image.url', url: 'https://cdn/c.png' },
			{ path: 'audio_url', url: 'https://cdn/d.mp3' },
			{ path: 'video.url', url: 'https://cdn/e.mp4', declaredType: 'video/mp4' },
		]);
		expect(findMedia(null)).toEqual([]);
		expect(findMedia({ text: 'a transcription' })).toEqual([]);
		expect(findMedia('https://cdn/whole.mp4')).toEqual([{ path: '', url: 'https://cdn/whole.mp4' }]);
		expect(findMedia(['https://cdn/1.png', { uri: 'https://cdn/2.png' }])).toEqual([
			{ path: '[0]', url: 'https://cdn/1.png' },
			{ path: '[1].uri', url: 'https://cdn/2.png' },
		]);
		expect(findMedia({ result: { files: [{ href: 'https://cdn/r.wav', mime_type: 'audio/wav' }] }, audio_file: 'https://cdn/s.wav', video: 'https://cdn/v.mp4' })).toEqual([
			{ path: 'result.files[0].href', url: 'https://cdn/r.wav', declaredType: 'audio/wav' },
			{ path: 'audio_file', url: 'https://cdn/s.wav' },
			{ path: 'video', url: 'https://cdn/v.mp4' },
		]);
		// Links inside text or under keys that name no file are not files of the result.
		expect(findMedia({ description: 'see https://cdn/x.jpg', source_page: 'https://fal.ai/models/x', prompts: ['https://cdn/y.jpg'] })).toEqual([]);
	});

	it('decodes inline data URLs; their size is known before decoding', () => {
		expect(decodeDataUrl('data:image/png;base64,iVBORw==')).toEqual({ mimeType: 'image/png', bytes: Buffer.from('iVBORw==', 'base64') });
		expect(decodeDataUrl('https://x/y.png')).toBeUndefined();
		for (const bytes of [Buffer.alloc(0), Buffer.from('a'), Buffer.from('ab'), Buffer.from('abc'), Buffer.alloc(1000, 7)]) {
			expect(dataUrlInfo(`data:audio/wav;base64,${bytes.toString('base64')}`)).toEqual({ mimeType: 'audio/wav', size: bytes.length });
		}
	});

	it('maps statuses: COMPLETED/COMPLETE done, FAILED/ERROR failed, QUEUED/IN_PROGRESS pending', () => {
		expect(falState({ status: 'COMPLETED' })).toBe('done');
		expect(falState({ status: 'COMPLETE' })).toBe('done');
		expect(falState({ status: 'FAILED' })).toBe('failed');
		expect(falState({ status: 'ERROR' })).toBe('failed');
		expect(falState({ status: 'QUEUED' })).toBe('pending');
		expect(falState({ status: 'IN_PROGRESS' })).toBe('pending');
	});
});
