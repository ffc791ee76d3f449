import { NodeApiError, NodeOperationError, type IBinaryData, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanImage } from '../../nodes/DigitalOceanImage/DigitalOceanImage.node';
import { decodeImages } from '../../nodes/DigitalOceanImage/imageResponse';
import { DEFAULT_KEY, imageMagic } from '../emulator';
import { encodeJpeg } from '../emulator/media/jpeg';
import { fakeExecuteContext, fakeLoadOptionsContext, type FakeContextOptions, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const IMAGES = '/v1/images/generations';
const MODEL = 'openai-gpt-image-1';
const PROMPT = 'A watercolor lighthouse at dawn';
const model = (value: string) => ({ __rl: true, mode: 'id', value });

const emulator = useEmulator();

async function run(params: Params = {}, extra: Partial<FakeContextOptions> = {}): Promise<INodeExecutionData[]> {
	const ctx = fakeExecuteContext({
		params: { model: model(MODEL), prompt: PROMPT, ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
		node: new DigitalOceanImage(),
	});
	const [output] = await new DigitalOceanImage().execute.call(ctx);
	return output;
}

const imageRequests = () => emulator.control.requests().filter((request) => request.path === IMAGES);
const binaryOf = (item: INodeExecutionData, field = 'data'): IBinaryData => item.binary![field];
const bytesOf = (item: INodeExecutionData, field = 'data') => Buffer.from(binaryOf(item, field).data, 'base64');

async function runError(params: Params, extra: Partial<FakeContextOptions> = {}): Promise<NodeOperationError> {
	const error = await run(params, extra).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeOperationError);
	return error as NodeOperationError;
}

describe('DigitalOcean Image node', () => {
	it('sends model, prompt, n 1 and size 1024x1024 by default (DO: always specify n and size) and turns the PNG into binary with metadata json', async () => {
		const output = await run();
		expect(imageRequests().map((request) => request.body)).toEqual([{ model: MODEL, prompt: PROMPT, n: 1, size: '1024x1024' }]);
		expect(imageRequests()[0].headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);

		expect(output).toHaveLength(1);
		const [item] = output;
		const bytes = bytesOf(item);
		expect(imageMagic(bytes)).toEqual({ kind: 'png', width: 1024, height: 1024 });
		expect(binaryOf(item)).toMatchObject({ mimeType: 'image/png', fileName: 'image-1.png', fileExtension: 'png' });
		expect(item.json).toEqual({
			fileName: 'image-1.png',
			mimeType: 'image/png',
			fileSize: bytes.length,
			revisedPrompt: PROMPT,
			imageIndex: 0,
			size: '1024x1024',
			quality: 'medium',
			background: 'opaque',
			outputFormat: 'png',
			model: MODEL,
			requestId: expect.any(String),
			usage: expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: 1056, total_tokens: expect.any(Number) }),
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		// The json holds metadata only: no base64 of the image, and never the key.
		expect(JSON.stringify(item.json)).not.toContain(bytes.toString('base64').slice(0, 40));
		expect(JSON.stringify(output)).not.toContain(DEFAULT_KEY);
	});

	it.each([
		['n', { n: 2 }, { n: 2 }],
		['size', { size: '512x512' }, { size: '512x512' }],
		['quality', { quality: 'high' }, { quality: 'high' }],
		['background', { background: 'transparent' }, { background: 'transparent' }],
		['output_format', { outputFormat: 'webp' }, { output_format: 'webp' }],
		['output_compression', { outputCompression: 0 }, { output_compression: 0 }],
		['moderation', { moderation: 'low' }, { moderation: 'low' }],
		['user', { user: 'user-42' }, { user: 'user-42' }],
	])('sends %s exactly when it is set (n and size always, with their defaults)', async (_name, options, wire) => {
		await run({ options });
		expect(imageRequests().map((request) => request.body)).toEqual([{ model: MODEL, prompt: PROMPT, n: 1, size: '1024x1024', ...wire }]);
	});

	it('never sends the node-only options (field, file name, output mode)', async () => {
		await run({ options: { binaryPropertyName: 'picture', fileName: 'poster', outputMode: 'oneItem' } });
		expect(imageRequests().map((request) => request.body)).toEqual([{ model: MODEL, prompt: PROMPT, n: 1, size: '1024x1024' }]);
	});

	it("the defaults match the options' own defaults, so adding an option without changing it sends the same body", () => {
		const options = new DigitalOceanImage().description.properties.find((p) => p.name === 'options')!.options as Array<{ name: string; default: unknown }>;
		expect(options.find((o) => o.name === 'n')?.default).toBe(1);
		expect(options.find((o) => o.name === 'size')?.default).toBe('1024x1024');
	});

	it.each([
		['png', 'image/png', 'png'],
		['jpeg', 'image/jpeg', 'jpg'],
		['webp', 'image/webp', 'webp'],
	] as const)('n=3 %s → three items with real %s bytes, names image-1..3.%s', async (format, mime, extension) => {
		const output = await run({ options: { n: 3, outputFormat: format, size: '256x256' } });
		expect(output).toHaveLength(3);
		output.forEach((item, k) => {
			const bytes = bytesOf(item);
			expect(imageMagic(bytes)).toEqual({ kind: format, width: 256, height: 256 });
			expect(binaryOf(item)).toMatchObject({ mimeType: mime, fileName: `image-${k + 1}.${extension}`, fileExtension: extension });
			expect(item.json).toMatchObject({ fileName: `image-${k + 1}.${extension}`, mimeType: mime, fileSize: bytes.length, imageIndex: k, outputFormat: format, size: '256x256' });
			expect(item.pairedItem).toEqual({ item: 0 });
		});
		// Usage is per request: reported on the first image's item only, so a sum counts it once.
		expect(output[0].json.usage).toEqual(expect.objectContaining({ total_tokens: expect.any(Number) }));
		expect(output.slice(1).map((item) => item.json.usage)).toEqual([null, null]);
		// Each image is its own file (the emulator colours them by index).
		expect(new Set(output.map((item) => binaryOf(item).data)).size).toBe(3);
		expect(imageRequests()).toHaveLength(1);
	});

	it('"File Name" drops an image extension and "Put Output in Field" names the binary field', async () => {
		const output = await run({ options: { n: 2, fileName: 'poster.png', binaryPropertyName: 'picture', outputFormat: 'jpeg' } });
		expect(output.map((item) => Object.keys(item.binary!))).toEqual([['picture'], ['picture']]);
		expect(output.map((item) => binaryOf(item, 'picture').fileName)).toEqual(['poster-1.jpg', 'poster-2.jpg']);
		expect(output.map((item) => imageMagic(bytesOf(item, 'picture'))?.kind)).toEqual(['jpeg', 'jpeg']);
	});

	it('decides the mime type from the bytes, not from the reply\'s output_format', () => {
		const jpeg = encodeJpeg(8, 8, { r: 10, g: 20, b: 30, a: 255 });
		const [image] = decodeImages({ output_format: 'png', data: [{ b64_json: jpeg.toString('base64') }] });
		expect(image).toEqual({ bytes: jpeg, mimeType: 'image/jpeg', revisedPrompt: null });
		// Bytes that name no image type fall back to the declared format.
		expect(decodeImages({ output_format: 'webp', data: [{ b64_json: 'AAAA' }] })[0].mimeType).toBe('image/webp');
		expect(() => decodeImages({ data: [] })).toThrow('The API answered without any image (data is empty)');
		expect(() => decodeImages({ data: [{ b64_json: 'AAAA' }, {}] })).toThrow('Image 2 of the reply holds no data (expected data[1].b64_json)');
	});

	it('"All Images in One Item" puts the images in data, data_1, data_2 of one item', async () => {
		const output = await run({ options: { n: 3, outputMode: 'oneItem', size: '256x256' } });
		expect(output).toHaveLength(1);
		const [item] = output;
		expect(Object.keys(item.binary!)).toEqual(['data', 'data_1', 'data_2']);
		['data', 'data_1', 'data_2'].forEach((field, k) => {
			expect(imageMagic(bytesOf(item, field))).toEqual({ kind: 'png', width: 256, height: 256 });
			expect(binaryOf(item, field)).toMatchObject({ mimeType: 'image/png', fileName: `image-${k + 1}.png` });
		});
		expect(item.json).toEqual({
			images: ['data', 'data_1', 'data_2'].map((field, k) => ({
				field,
				fileName: `image-${k + 1}.png`,
				mimeType: 'image/png',
				fileSize: bytesOf(item, field).length,
				revisedPrompt: PROMPT,
				imageIndex: k,
			})),
			imageCount: 3,
			size: '256x256',
			quality: 'medium',
			background: 'opaque',
			outputFormat: 'png',
			model: MODEL,
			requestId: expect.any(String),
			usage: expect.objectContaining({ total_tokens: expect.any(Number) }),
		});
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('"All Images in One Item" uses the custom field as the base name', async () => {
		const [item] = await run({ options: { n: 2, outputMode: 'oneItem', binaryPropertyName: 'img' } });
		expect(Object.keys(item.binary!)).toEqual(['img', 'img_1']);
	});

	describe('validation before any request', () => {
		it.each([
			['an empty prompt', { prompt: '   ' }, 'The prompt is empty'],
			['a prompt over 32,000 characters', { prompt: 'x'.repeat(32_001) }, 'The prompt is 32001 characters long; at most 32000 are allowed'],
			['n = 0', { options: { n: 0 } }, 'Number of Images must be between 1 and 10 (got 0)'],
			['n = 11', { options: { n: 11 } }, 'Number of Images must be between 1 and 10 (got 11)'],
			['n = 2.5', { options: { n: 2.5 } }, 'Number of Images must be a whole number (got 2.5)'],
			['transparent with jpeg', { options: { background: 'transparent', outputFormat: 'jpeg' } }, 'A transparent background needs the PNG or WebP format, not JPEG'],
			['compression -1', { options: { outputCompression: -1 } }, 'Compression (%) must be between 0 and 100 (got -1)'],
			['compression 101', { options: { outputCompression: 101 } }, 'Compression (%) must be between 0 and 100 (got 101)'],
			// Not an option the UI offers: only an expression can produce it.
			['an unknown size', { options: { size: '={{ "9x9" }}' } }, 'Unknown size "9x9"'],
			['an empty output field', { options: { binaryPropertyName: ' ' } }, '"Put Output in Field" is empty'],
			['no model', { model: model('') }, 'No model is selected'],
		])('%s in item 2 fails the run with no request sent for items 0 and 1', async (_name, bad, message) => {
			const error = await runError({}, { perItem: [{}, {}, bad] });
			expect(error.message).toBe(message);
			expect(error.context.itemIndex).toBe(2);
			expect(error.description).toEqual(expect.any(String));
			expect(imageRequests()).toHaveLength(0);
		});

		it('accepts the limits: 32,000 characters, n = 10, compression 0 and 100', async () => {
			await run({ prompt: 'y'.repeat(32_000), options: { n: 10, size: '256x256', outputCompression: 100, outputFormat: 'webp' } });
			expect(imageRequests()).toHaveLength(1);
		});
	});

	it('with continueOnFail, an empty prompt and an unknown model become {error} in place; the others get their images', async () => {
		const output = await run(
			{ options: { n: 2, size: '256x256' } },
			{
				continueOnFail: true,
				perItem: [{ prompt: 'first' }, { prompt: '' }, { prompt: 'third', model: model('no-such-model') }, { prompt: 'fourth' }],
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 0, 1, 2, 3, 3].map((item) => ({ item })));
		expect(output[2].json).toEqual({ error: 'The prompt is empty' });
		expect(Object.keys(output[3].json)).toEqual(['error']);
		expect(String(output[3].json.error)).toMatch(/not found/i);
		expect(output[2].binary).toBeUndefined();
		for (const k of [0, 1, 4, 5]) expect(imageMagic(bytesOf(output[k]))?.kind).toBe('png');
		expect([output[0], output[1], output[4], output[5]].map((item) => item.json.revisedPrompt)).toEqual(['first', 'first', 'fourth', 'fourth']);
		// The empty prompt never reached the API.
		expect(imageRequests().map((request) => (request.body as { prompt: string }).prompt)).toEqual(['first', 'third', 'fourth']);
	});

	it('keeps pairedItem and order exact over several input items with concurrency', async () => {
		const prompts = ['one', 'two', 'three', 'four'];
		const output = await run(
			{ options: { n: 2, size: '256x256' }, requestOptions: { concurrency: 3 } },
			{ perItem: prompts.map((prompt) => ({ prompt })) },
		);
		expect(output).toHaveLength(8);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 0, 1, 1, 2, 2, 3, 3].map((item) => ({ item })));
		expect(output.map((item) => item.json.revisedPrompt)).toEqual(['one', 'one', 'two', 'two', 'three', 'three', 'four', 'four']);
		expect(output.map((item) => item.json.imageIndex)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
	});

	it('maps the API\'s 400 for a chat model to a NodeApiError on its item, without the key', async () => {
		const error = await run({}, { perItem: [{}, { model: model('llama3.3-70b-instruct') }] }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(1);
		expect(JSON.stringify(error)).not.toContain(DEFAULT_KEY);
	});

	it('lists only image models in the model picker', async () => {
		const node = new DigitalOceanImage();
		const ctx = fakeLoadOptionsContext({ apiKey: DEFAULT_KEY, baseUrl: emulator.url }, { node });
		const result = await node.methods.listSearch.searchImageModels.call(ctx);
		expect(result.results.map((r) => r.value).sort()).toEqual(['openai-gpt-image-1', 'stable-diffusion-3.5-large']);
	});
});
