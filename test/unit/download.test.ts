import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { InferenceClient } from '../../nodes/shared/transport';
import { DEFAULT_KEY, startEmulator, type Emulator } from '../emulator';
import { TEST_NODE } from './helpers/fakeContext';

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator();
});
afterAll(async () => emulator.close());
beforeEach(() => emulator.control.reset());

const client = () => new InferenceClient({ node: TEST_NODE, baseUrl: emulator.url, apiKey: DEFAULT_KEY });

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
	return Buffer.concat(chunks);
}

describe('download', () => {
	it('never sends the key to a media host (the CDN origin records no Authorization)', async () => {
		const file = await client().download(`${emulator.cdnUrl}/files/large-4096.mp4`);
		const bytes = await readAll(file.stream);
		expect(bytes).toHaveLength(4096);
		expect(bytes.subarray(4, 8).toString('ascii')).toBe('ftyp');
		expect(file.contentType).toMatch(/video\/mp4/);
		const requests = emulator.control.cdnRequests();
		expect(requests).toHaveLength(1);
		expect(requests.every((request) => request.headers.authorization === undefined)).toBe(true);
	});

	it('does send the key when the file lives on the API origin itself', async () => {
		const file = await client().download(`${emulator.url}/v1/models`);
		await readAll(file.stream);
		const [logged] = emulator.control.requests();
		expect(logged.headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
	});

	it('refuses a file over the size limit from its Content-Length, before reading it', async () => {
		const error = await client()
			.download(`${emulator.cdnUrl}/files/large-5000000.mp4`, { maxBytes: 1_000_000 })
			.catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/larger than the limit/);
	});

	it('maps a missing file to a 404 error', async () => {
		const error = await client().download(`${emulator.cdnUrl}/files/no-such-file.mp4`).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
	});

	it('streams the bytes of a POST reply (speech) with its content type', async () => {
		const file = await client().binary({
			path: '/v1/audio/speech',
			body: { model: 'qwen3-tts-voicedesign', input: 'Hello there', response_format: 'wav' },
		});
		const bytes = await readAll(file.stream);
		expect(file.contentType).toMatch(/audio\/wav/);
		expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
		expect(emulator.control.requests()[0].headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
	});

	it('refuses URLs that are not http(s)', async () => {
		await expect(client().download('file:///etc/passwd')).rejects.toThrow(/Only http\(s\)/);
		await expect(client().download('not a url')).rejects.toThrow(/not a valid URL/);
	});

	it('streams a 200 MB file to disk with RSS growth under 64 MB', async () => {
		const size = 200 * 1024 * 1024;
		const folder = mkdtempSync(join(tmpdir(), 'do-download-'));
		try {
			// Warm up first: the first download allocates undici's and the emulator's buffer pools once,
			// which says nothing about growth with file size.
			const warmUp = await client().download(`${emulator.cdnUrl}/files/large-${16 * 1024 * 1024}.mp4`);
			await pipeline(warmUp.stream, createWriteStream(join(folder, 'warm-up.mp4')));
			const baseline = process.memoryUsage().rss;
			let peak = baseline;
			const sampler = setInterval(() => {
				peak = Math.max(peak, process.memoryUsage().rss);
			}, 20);
			const file = await client().download(`${emulator.cdnUrl}/files/large-${size}.mp4`);
			await pipeline(file.stream, createWriteStream(join(folder, 'video.mp4')));
			clearInterval(sampler);
			peak = Math.max(peak, process.memoryUsage().rss);
			expect(statSync(join(folder, 'video.mp4')).size).toBe(size);
			expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	}, 60_000);
});
