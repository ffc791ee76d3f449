/**
 * The examples gallery's pipelines in a real n8n (pinned, installed on demand outside the clone),
 * driven by the n8n CLI against the local emulator:
 *
 * - examples/pipeline-chat-to-speech.json: DigitalOcean Chat writes a script, DigitalOcean Speech
 *   reads exactly that text → episode.mp3.
 * - examples/pipeline-scheduled-image.json: Schedule Trigger + Manual Trigger → Set (today's date)
 *   → DigitalOcean Image → a PNG named after the date (`n8n execute` starts at the manual trigger).
 *
 * (examples/agent-chat-tool.json and the other AI-node examples run in aiNodes.e2e.test.ts.)
 * Also checks that every examples/*.json is run by some e2e test.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/gallery
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { audioMagic, imageMagic, type LoggedRequest } from '../emulator';
import { cloneWorkflow, EXAMPLES_DIR, nodeOutput, readExample, type RunJson, type WorkflowJson } from './harness';
import {
	expectCleanExit,
	postsTo,
	RUN_TIMEOUT,
	storedBytes,
	testNoKeyLeak,
	useN8nWithEmulator,
} from './setup';

const MANUAL = 'When clicking ‘Execute workflow’';
const SCHEDULE = 'Every Day at 08:00';

const speechPipeline = readExample('pipeline-chat-to-speech');
const dailyImage = readExample('pipeline-scheduled-image');
/** The same pipeline with the Schedule Trigger listed first, so `n8n execute` starts from it instead. */
const dailyImageFromSchedule: WorkflowJson = {
	...cloneWorkflow(dailyImage, { id: 'doInfPipeDailyImg02' }),
	nodes: [...dailyImage.nodes].sort((a, b) => Number(b.name === SCHEDULE) - Number(a.name === SCHEDULE)),
};

const setup = useN8nWithEmulator({
	workflows: [speechPipeline, dailyImage, dailyImageFromSchedule],
	builtFiles: [
		'dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js',
		'dist/nodes/DigitalOceanSpeech/DigitalOceanSpeech.node.js',
		'dist/nodes/DigitalOceanImage/DigitalOceanImage.node.js',
	],
});

const chatPosts = (requests: LoggedRequest[]) => postsTo(requests, '/v1/chat/completions');

test(
	'chat → speech pipeline: the script DigitalOcean Chat wrote is exactly what DigitalOcean Speech reads, stored as episode.mp3 with MP3 bytes',
	async () => {
		const { result, run, requests } = await setup.run(speechPipeline.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const prompt = 'Write a two-sentence podcast intro about why the sea is salty. Reply with the two sentences only.';
		const [script, ...moreScripts] = nodeOutput(run, 'Write Script');
		expect(moreScripts).toEqual([]);
		expect(script.json).toMatchObject({ content: `Echo: ${prompt}`, finishReason: 'stop', model: 'llama3.3-70b-instruct' });

		const [audio, ...moreAudio] = nodeOutput(run, 'Speak Script');
		expect(moreAudio).toEqual([]);
		expect(audio.pairedItem).toEqual({ item: 0 });
		const binary = audio.binary!.data;
		expect(binary).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'episode.mp3', fileExtension: 'mp3' });
		const bytes = storedBytes(setup, binary);
		expect(audioMagic(bytes)).toBe('mp3');
		expect(audio.json).toMatchObject({ fileName: 'episode.mp3', mimeType: 'audio/mpeg', fileSize: bytes.length, format: 'mp3', voice: 'alloy' });

		// Chat first, then speech; speech reads the chat answer verbatim.
		expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			'POST /v1/chat/completions 200',
			'POST /v1/audio/speech 200',
		]);
		const [chat] = chatPosts(requests);
		expect(chat.body).toMatchObject({
			model: 'llama3.3-70b-instruct',
			max_tokens: 200,
			messages: [
				{ role: 'system', content: expect.stringContaining('read aloud') },
				{ role: 'user', content: prompt },
			],
		});
		const [speech] = postsTo(requests, '/v1/audio/speech');
		expect(speech.body).toEqual({
			model: 'qwen3-tts-voicedesign',
			input: script.json.content,
			voice: 'alloy',
			instructions: 'A warm, upbeat podcast host.',
			response_format: 'mp3',
		});
		for (const request of requests) expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
	},
	RUN_TIMEOUT,
);

/** Checks one run of the scheduled-image pipeline started at `trigger`; returns nothing, fails loudly. */
function expectDatedImage(run: RunJson, requests: LoggedRequest[], trigger: string, dates: string[]): void {
	const ran = Object.keys(run.data.resultData.runData);
	expect(ran).toEqual([trigger, 'Set Prompt', 'Daily Image']);

	const [set] = nodeOutput(run, 'Set Prompt');
	const date = set.json.date as string;
	expect(dates).toContain(date);

	const [image, ...more] = nodeOutput(run, 'Daily Image');
	expect(more).toEqual([]);
	const fileName = `postcard-${date}-1.png`;
	expect(image.binary!.data).toMatchObject({ mimeType: 'image/png', fileName, fileExtension: 'png' });
	const bytes = storedBytes(setup, image.binary!.data);
	expect(imageMagic(bytes)).toEqual({ kind: 'png', width: 1536, height: 1024 });
	expect(image.json).toMatchObject({ fileName, mimeType: 'image/png', fileSize: bytes.length, size: '1536x1024', quality: 'low' });

	const posts = postsTo(requests, '/v1/images/generations');
	expect(requests).toHaveLength(1);
	expect(posts.map((r) => r.status)).toEqual([200]);
	const [year, month, day] = date.split('-').map(Number);
	// Luxon's 'cccc, d LLLL yyyy' in English, e.g. "Friday, 1 May 2026".
	const weekday = new Date(Date.UTC(year, month - 1, day)).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
	const monthName = new Date(Date.UTC(year, month - 1, day)).toLocaleDateString('en-US', { month: 'long', timeZone: 'UTC' });
	// n is sent although the workflow does not set it: DigitalOcean asks for n and size on every request.
	expect(posts[0].body).toEqual({
		model: 'openai-gpt-image-1',
		prompt: `A cheerful watercolor postcard for ${weekday}, ${day} ${monthName} ${year}: sunrise over a small harbour town`,
		n: 1,
		size: '1536x1024',
		quality: 'low',
	});
	expect(posts[0].headers.authorization).toBe(`Bearer ${setup.modelKey}`);
}

const today = () => new Date().toISOString().slice(0, 10); // the harness runs n8n with TZ=UTC

test(
	'scheduled image pipeline: `n8n execute` starts at the manual trigger (the schedule trigger stays idle); the PNG is named after today\'s date',
	async () => {
		const before = today();
		const { result, run, requests } = await setup.run(dailyImage.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);
		expectDatedImage(run, requests, MANUAL, [before, today()]);
	},
	RUN_TIMEOUT,
);

test(
	'scheduled image pipeline, schedule trigger path: the same nodes run from the Schedule Trigger (listed first) with the same dated file',
	async () => {
		const before = today();
		const { result, run, requests } = await setup.run(dailyImageFromSchedule.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);
		expectDatedImage(run, requests, SCHEDULE, [before, today()]);
	},
	RUN_TIMEOUT,
);

test('every examples/*.json is imported by some e2e test', () => {
	const e2eDir = __dirname;
	const sources = fs
		.readdirSync(e2eDir)
		.filter((f) => f.endsWith('.e2e.test.ts'))
		.map((f) => fs.readFileSync(path.join(e2eDir, f), 'utf8'))
		.join('\n');
	const examples = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'));
	const untested = examples.filter((f) => !sources.includes(`readExample('${f.replace(/\.json$/, '')}')`));
	expect(untested).toEqual([]);
});

testNoKeyLeak(setup, speechPipeline.id);
