/**
 * DigitalOcean Fal in a real n8n (pinned, installed on demand outside the clone), driven by the n8n
 * CLI against the local emulator: examples/fal-image.json (FLUX → JPEG) and examples/fal-speech.json
 * (ElevenLabs → MP3), each submitted once, polled inside the node, downloaded from the emulator's CDN
 * origin (which refuses any Authorization header) into n8n binary data.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/fal
 */

import { audioMagic, imageMagic } from '../emulator';
import { nodeOutput, readExample } from './harness';
import { expectCleanExit, postsTo, RUN_TIMEOUT, storedBytes, testNoKeyLeak, useN8nWithEmulator } from './setup';

const image = readExample('fal-image');
const speech = readExample('fal-speech');

const setup = useN8nWithEmulator({
	workflows: [image, speech],
	builtFiles: ['dist/nodes/DigitalOceanFal/DigitalOceanFal.node.js'],
	// fal answers 202 on some deployments; the node takes any 2xx.
	emulatorConfig: { asyncTimings: { queuedMs: 300, runningMs: 1_500 }, asyncInvokeStatus: 202 },
});

const jobsOf = (kind: string) => setup.emulator.control.jobs().filter((job) => job.kind === kind);

test(
	'fal image example: one FLUX request, polled in the node, the JPEG stored by n8n with the right type and name',
	async () => {
		const before = jobsOf('async').length;
		const { result, run, requests } = await setup.run(image.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const [item, ...rest] = nodeOutput(run, 'DigitalOcean Fal');
		expect(rest).toEqual([]);
		expect(item.pairedItem).toEqual({ item: 0 });
		const binary = item.binary!.data;
		expect(binary).toMatchObject({ mimeType: 'image/jpeg', fileName: 'image.jpg', fileExtension: 'jpg' });
		const bytes = storedBytes(setup, binary);
		expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
		expect(imageMagic(bytes)).toEqual({ kind: 'jpeg', width: 1024, height: 768 });
		expect(item.json).toMatchObject({
			status: 'COMPLETED',
			done: true,
			model: 'fal-ai/flux/schnell',
			files: [{ field: 'data', path: 'images[0].url', fileName: 'image.jpg', mimeType: 'image/jpeg', fileSize: bytes.length }],
		});
		expect(Number(item.json.polls)).toBeGreaterThanOrEqual(1);

		const posts = postsTo(requests, '/v1/async-invoke');
		expect(posts.map((request) => request.status)).toEqual([202]);
		expect(posts[0].body).toEqual({
			model_id: 'fal-ai/flux/schnell',
			input: { prompt: 'A cozy reading nook with warm lamp light, isometric illustration', image_size: 'landscape_4_3', num_inference_steps: 4 },
			tags: [{ key: 'workflow', value: 'n8n-example' }],
		});
		expect(jobsOf('async').length - before).toBe(1);
		const cdn = setup.emulator.control.cdnRequests();
		expect(cdn.length).toBeGreaterThan(0);
		expect(cdn.every((request) => request.headers.authorization === undefined)).toBe(true);
	},
	RUN_TIMEOUT,
);

test(
	'fal speech example: ElevenLabs text → voice-over.mp3 (audio/mpeg) with real MP3 bytes',
	async () => {
		const before = jobsOf('async').length;
		const { result, run, requests } = await setup.run(speech.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const [item] = nodeOutput(run, 'DigitalOcean Fal');
		const binary = item.binary!.data;
		expect(binary).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'voice-over.mp3', fileExtension: 'mp3' });
		const bytes = storedBytes(setup, binary);
		expect(audioMagic(bytes)).toBe('mp3');
		expect(item.json).toMatchObject({ status: 'COMPLETED', model: 'fal-ai/elevenlabs/tts/multilingual-v2', files: [expect.objectContaining({ path: 'audio.url' })] });
		expect(postsTo(requests, '/v1/async-invoke')[0].body).toMatchObject({
			model_id: 'fal-ai/elevenlabs/tts/multilingual-v2',
			input: { voice: 'Aria', text: expect.stringContaining('Welcome') },
		});
		expect(jobsOf('async').length - before).toBe(1);
		expect(setup.emulator.control.cdnRequests().every((request) => request.headers.authorization === undefined)).toBe(true);
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, image.id);
