/**
 * DigitalOcean Image in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator. Runs examples/image-generate.json: one prompt → two PNG files
 * as n8n binary data, checked down to the bytes n8n stored.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/image
 */

import { imageMagic } from '../emulator';
import { nodeOutput, readExample } from './harness';
import { expectCleanExit, RUN_TIMEOUT, postsTo, storedBytes, testNoKeyLeak, useN8nWithEmulator } from './setup';

const MODEL = 'openai-gpt-image-1';
const PROMPT = 'A watercolor lighthouse on a rocky coast at dawn, soft pastel light';

const example = readExample('image-generate');

const setup = useN8nWithEmulator({
	workflows: [example],
	builtFiles: ['dist/nodes/DigitalOceanImage/DigitalOceanImage.node.js'],
});


test(
	'image example: one prompt, n 2 → image-1.png and image-2.png (image/png) as n8n binary data with real PNG bytes',
	async () => {
		const { result, run, requests } = await setup.run(example.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const items = nodeOutput(run, 'DigitalOcean Image');
		expect(items).toHaveLength(2);
		const stored = items.map((item, k) => {
			const fileName = `image-${k + 1}.png`;
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(Object.keys(item.binary!)).toEqual(['data']);
			const binary = item.binary!.data;
			expect(binary).toMatchObject({ mimeType: 'image/png', fileName, fileExtension: 'png' });
			const bytes = storedBytes(setup, binary);
			expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			expect(imageMagic(bytes)).toEqual({ kind: 'png', width: 1024, height: 1024 });
			expect(item.json).toEqual({
				fileName,
				mimeType: 'image/png',
				fileSize: bytes.length,
				revisedPrompt: PROMPT,
				imageIndex: k,
				size: '1024x1024',
				quality: 'medium',
				background: 'opaque',
				outputFormat: 'png',
				model: MODEL,
				requestId: expect.any(String),
				usage: k === 0 ? expect.objectContaining({ output_tokens: 2 * 1056, total_tokens: expect.any(Number) }) : null,
			});
			return bytes;
		});
		// Two different files (the emulator colours each image by its index).
		expect(stored[0].equals(stored[1])).toBe(false);

		const posts = postsTo(requests, '/v1/images/generations');
		expect(requests).toHaveLength(1);
		expect(posts.map((request) => request.status)).toEqual([200]);
		expect(posts[0].body).toEqual({ model: MODEL, prompt: PROMPT, n: 2, size: '1024x1024', quality: 'medium' });
		expect(posts[0].headers.authorization).toBe(`Bearer ${setup.modelKey}`);
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, example.id);
