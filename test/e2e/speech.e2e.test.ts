/**
 * DigitalOcean Speech in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator. Runs examples/speech-mp3-wav.json: one script → an MP3 and a
 * WAV file as n8n binary data, checked down to the bytes n8n stored.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/speech
 */

import { audioMagic } from '../emulator';
import { nodeOutput, readExample, type NodeOutputItem } from './harness';
import { expectCleanExit, RUN_TIMEOUT, postsTo, storedBytes, testNoKeyLeak, useN8nWithEmulator } from './setup';

const MODEL = 'qwen3-tts-voicedesign';
const SCRIPT = "Welcome to this week's update. Here is what changed and why it matters.";

const example = readExample('speech-mp3-wav');

const setup = useN8nWithEmulator({
	workflows: [example],
	builtFiles: ['dist/nodes/DigitalOceanSpeech/DigitalOceanSpeech.node.js'],
});


function onlyItem(items: NodeOutputItem[]): NodeOutputItem {
	expect(items).toHaveLength(1);
	return items[0];
}

test(
	'speech example: one script → speech.mp3 (audio/mpeg) and speech.wav (audio/wav) as n8n binary data with real audio bytes',
	async () => {
		const { result, run, requests } = await setup.run(example.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const expected = [
			{ node: 'Speak as MP3', format: 'mp3', mimeType: 'audio/mpeg', fileName: 'speech.mp3' },
			{ node: 'Speak as WAV', format: 'wav', mimeType: 'audio/wav', fileName: 'speech.wav' },
		];
		for (const { node, format, mimeType, fileName } of expected) {
			const item = onlyItem(nodeOutput(run, node));
			expect(item.pairedItem).toEqual({ item: 0 });
			const binary = item.binary!.data;
			expect(binary).toMatchObject({ mimeType, fileName, fileExtension: format });
			const bytes = storedBytes(setup, binary);
			expect(audioMagic(bytes)).toBe(format);
			expect(item.json).toEqual({
				fileName,
				mimeType,
				fileSize: bytes.length,
				format,
				model: MODEL,
				voice: 'alloy',
				requestId: expect.any(String),
			});
		}

		const speech = postsTo(requests, '/v1/audio/speech');
		expect(requests).toHaveLength(2);
		expect(speech.map((request) => request.status)).toEqual([200, 200]);
		expect(speech.map((request) => request.body).sort((a: any, b: any) => a.response_format.localeCompare(b.response_format))).toEqual(
			['mp3', 'wav'].map((format) => ({
				model: MODEL,
				input: SCRIPT,
				voice: 'alloy',
				response_format: format,
				instructions: 'Speak naturally, warm and clear.',
			})),
		);
		for (const request of speech) expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, example.id);
