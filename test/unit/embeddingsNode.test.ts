import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanEmbeddings } from '../../nodes/DigitalOceanEmbeddings/DigitalOceanEmbeddings.node';
import { decodeBase64Embedding } from '../../nodes/shared/embeddingsResponse';
import { DEFAULT_KEY, expectedEmbedding } from '../emulator';
import { fakeExecuteContext, fakeLoadOptionsContext, type FakeContextOptions, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const EMBEDDINGS = '/v1/embeddings';
const MODEL = 'qwen3-embedding-0.6b';
/** Small vectors keep 1,000-item runs fast; the emulator's vectors are deterministic per text and size. */
const DIMS = 8;
const model = (value: string) => ({ __rl: true, mode: 'id', value });

const emulator = useEmulator();

beforeEach(() => emulator.control.configure({ embeddingDimensions: DIMS }));

const sentence = (i: number) => `Sentence number ${i}`;

/** Items with `json.text`, which the node's default Text expression (`={{ $json.text }}`) reads. */
function textItems(texts: unknown[]): Pick<FakeContextOptions, 'items'> {
	return { items: texts.map((text) => ({ json: { text } as INodeExecutionData['json'] })) };
}

async function run(
	texts: unknown[],
	params: Params = {},
	extra: Partial<FakeContextOptions> = {},
): Promise<INodeExecutionData[]> {
	const ctx = fakeExecuteContext({
		params: { model: model(MODEL), ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...textItems(texts),
		...extra,
		node: new DigitalOceanEmbeddings(),
	});
	const [output] = await new DigitalOceanEmbeddings().execute.call(ctx);
	return output;
}

const embeddingRequests = () => emulator.control.requests().filter((request) => request.path === EMBEDDINGS);
const inputsOf = (request: { body: unknown }) => (request.body as { input: string[] }).input;

/** Every output item carries the vector of its own text and pairs with its own input item. */
function expectAligned(output: INodeExecutionData[], texts: string[], dims = DIMS) {
	expect(output).toHaveLength(texts.length);
	output.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json.embedding).toEqual(expectedEmbedding(texts[i], dims));
		expect(item.json.dimensions).toBe(dims);
	});
}

describe('DigitalOcean Embeddings node', () => {
	it('embeds 1,000 items in exactly 4 requests of 256, 256, 256 and 232, every vector with its own item', async () => {
		const texts = Array.from({ length: 1000 }, (_, i) => sentence(i));
		const output = await run(texts, { options: { batchSize: 256 } });
		const requests = embeddingRequests();
		expect(requests).toHaveLength(4);
		expect(requests.map((request) => inputsOf(request).length)).toEqual([256, 256, 256, 232]);
		expect(requests.flatMap(inputsOf)).toEqual(texts);
		expectAligned(output, texts);
		expect(output.map((item) => (item.json.batch as { index: number }).index)).toEqual(
			texts.map((_, i) => Math.floor(i / 256)),
		);
	});

	it('uses 256 per request when Batch Size is not set', async () => {
		const texts = Array.from({ length: 300 }, (_, i) => sentence(i));
		expectAligned(await run(texts), texts);
		expect(embeddingRequests().map((request) => inputsOf(request).length)).toEqual([256, 44]);
	});

	it('sends up to 2048 texts in one request with Batch Size 2048 (the API cap), the next one in a second', async () => {
		const texts = Array.from({ length: 2049 }, (_, i) => `t${i}`);
		const output = await run(texts, { options: { batchSize: 2048 } });
		expect(embeddingRequests().map((request) => [request.status, inputsOf(request).length])).toEqual([
			[200, 2048],
			[200, 1],
		]);
		expectAligned(output, texts);
	});

	it('sends one request per item with Batch Size 1', async () => {
		const texts = ['alpha', 'beta', 'gamma'];
		const output = await run(texts, { options: { batchSize: 1 } });
		expect(embeddingRequests().map(inputsOf)).toEqual([['alpha'], ['beta'], ['gamma']]);
		expectAligned(output, texts);
	});

	it('sends only model and input by default, and nothing the API would reject', async () => {
		const [item] = await run(['Hello world']);
		expect(embeddingRequests()[0].body).toEqual({ model: MODEL, input: ['Hello world'] });
		expect(Object.keys(item.json)).toEqual(['embedding', 'dimensions', 'model', 'batch']);
		expect(item.json.model).toBe(MODEL);
		expect(item.json.batch).toEqual({
			index: 0,
			size: 1,
			usage: { prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) },
			requestId: expect.stringMatching(/[0-9a-f-]{36}/),
		});
	});

	it('sends encoding_format and user exactly when set', async () => {
		await run(['a'], { options: { encodingFormat: 'float' } });
		await run(['b'], { options: { encodingFormat: 'base64', user: 'user-7' } });
		await run(['c'], { options: { user: '', includeText: true, batchSize: 10 } });
		expect(embeddingRequests().map((request) => request.body)).toEqual([
			{ model: MODEL, input: ['a'], encoding_format: 'float' },
			{ model: MODEL, input: ['b'], encoding_format: 'base64', user: 'user-7' },
			{ model: MODEL, input: ['c'] },
		]);
	});

	it('decodes base64 vectors to the same numbers as float mode', async () => {
		const texts = Array.from({ length: 20 }, (_, i) => `Base64 check ${i} — ünïcödé`);
		const floats = await run(texts, { options: { batchSize: 7 } });
		const decoded = await run(texts, { options: { batchSize: 7, encodingFormat: 'base64' } });
		const replies = embeddingRequests();
		expect(replies.map((request) => (request.body as { encoding_format?: string }).encoding_format)).toEqual([
			...Array(3).fill(undefined),
			...Array(3).fill('base64'),
		]);
		expectAligned(decoded, texts);
		// The emulator's float vectors are float32 values, so base64 must give exactly the same numbers.
		decoded.forEach((item, i) => expect(item.json.embedding).toEqual(floats[i].json.embedding));
	});

	it('adds the text to the output with Include Text', async () => {
		const [item] = await run(['Keep me'], { options: { includeText: true } });
		expect(item.json.text).toBe('Keep me');
	});

	it('embeds a number as its digits', async () => {
		const output = await run([42, 'forty-two']);
		expect(inputsOf(embeddingRequests()[0])).toEqual(['42', 'forty-two']);
		expectAligned(output, ['42', 'forty-two']);
	});

	it('sends the text as is, without trimming it', async () => {
		await run(['  padded text \n']);
		expect(inputsOf(embeddingRequests()[0])).toEqual(['  padded text \n']);
	});

	it('runs batches concurrently with Request Options → Concurrency, never more than 4 in flight', async () => {
		emulator.control.configure({ latencyMs: 80 });
		const texts = Array.from({ length: 40 }, (_, i) => sentence(i));
		const output = await run(texts, { options: { batchSize: 4 }, requestOptions: { concurrency: 4 } });
		expectAligned(output, texts);
		const stats = emulator.control.stats();
		expect(stats.total).toBe(10);
		expect(stats.maxInFlight).toBeLessThanOrEqual(4);
		expect(stats.maxInFlight).toBeGreaterThanOrEqual(2);
	});

	it('sends one batch at a time by default', async () => {
		emulator.control.configure({ latencyMs: 30 });
		await run(Array.from({ length: 9 }, (_, i) => sentence(i)), { options: { batchSize: 3 } });
		expect(emulator.control.stats()).toMatchObject({ total: 3, maxInFlight: 1 });
	});

	it.each([
		['an empty text', '', /The text to embed is empty/],
		['a whitespace-only text', ' \n\t ', /The text to embed is empty/],
		['a missing field', undefined, /There is no text to embed/],
		['null', null, /There is no text to embed/],
		['an object', { a: 1 }, /must be a string \(got an object\)/],
		['a list', ['x', 'y'], /must be a string \(got a list\)/],
		['a boolean', true, /must be a string \(got a boolean\)/],
	])('rejects %s in item 3 before any request', async (_label, bad, message) => {
		const error = await run(['one', 'two', bad, 'four']).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(error.context.itemIndex).toBe(2);
		expect(error.description).toEqual(expect.any(String));
		expect(embeddingRequests()).toHaveLength(0);
	});

	it('with continueOnFail, an empty item 3 becomes an error item, is never sent, and every other vector lines up', async () => {
		const texts = ['zero', 'one', '   ', 'three', 'four', 'five', 'six'];
		const output = await run(texts, { options: { batchSize: 2 } }, { continueOnFail: true });
		expect(output).toHaveLength(7);
		expect(output[2]).toEqual({ json: { error: 'The text to embed is empty' }, pairedItem: { item: 2 } });
		const requests = embeddingRequests();
		expect(requests.map(inputsOf)).toEqual([['zero', 'one'], ['three', 'four'], ['five', 'six']]);
		expect(requests.every((request) => !inputsOf(request).includes('   '))).toBe(true);
		output.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			if (i !== 2) expect(item.json.embedding).toEqual(expectedEmbedding(texts[i], DIMS));
		});
	});

	it.each([
		[{ batchSize: 0 }, /Batch Size must be between 1 and 2048/],
		[{ batchSize: 2049 }, /Batch Size must be between 1 and 2048/],
		[{ batchSize: 2.5 }, /Batch Size must be a whole number/],
		// Not an option the UI offers: only an expression can produce it.
		[{ encodingFormat: '={{ "binary" }}' }, /Unknown encoding "binary"/],
	])('rejects options %j before any request', async (options, message) => {
		const error = await run(['a', 'b'], { options }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(embeddingRequests()).toHaveLength(0);
	});

	it('rejects a missing model before any request', async () => {
		const error = await run(['a'], { model: model('') }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/No model selected/);
		expect(embeddingRequests()).toHaveLength(0);
	});

	it('never puts items with different models in one request', async () => {
		const texts = ['a0', 'b1', 'a2', 'b3', 'a4'];
		const output = await run(
			texts,
			{},
			{ perItem: texts.map((_, i) => ({ model: model(i % 2 === 0 ? MODEL : 'no-such-model') })) },
		).catch((e) => e);
		const requests = embeddingRequests();
		expect(requests.map((request) => [(request.body as { model: string }).model, inputsOf(request)])).toEqual([
			[MODEL, ['a0', 'a2', 'a4']],
			['no-such-model', ['b1', 'b3']],
		]);
		// The second model does not exist: its batch fails, reported on its first item (item 1).
		expect(output).toBeInstanceOf(NodeApiError);
		expect(output.httpCode).toBe('404');
		expect(output.context.itemIndex).toBe(1);
	});

	it('with continueOnFail, a batch with an unknown model becomes error items and the other batch lines up', async () => {
		const texts = ['a0', 'b1', 'a2', 'b3'];
		const output = await run(
			texts,
			{},
			{
				continueOnFail: true,
				perItem: texts.map((_, i) => ({ model: model(i % 2 === 0 ? MODEL : 'no-such-model') })),
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(output[0].json.embedding).toEqual(expectedEmbedding('a0', DIMS));
		expect(output[2].json.embedding).toEqual(expectedEmbedding('a2', DIMS));
		for (const i of [1, 3]) {
			expect(Object.keys(output[i].json)).toEqual(['error']);
			expect(String(output[i].json.error)).toMatch(/not found/i);
		}
	});

	it('maps a 404 for an unknown model to a NodeApiError on the first item', async () => {
		const error = await run(['a', 'b'], { model: model('no-such-model') }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.context.itemIndex).toBe(0);
		expect(JSON.stringify(error)).not.toContain(DEFAULT_KEY);
	});

	it('maps the API\'s 400 for a chat model to a NodeApiError on the first item', async () => {
		const error = await run(['a', 'b'], { model: model('llama3.3-70b-instruct') }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(`${error.message} ${error.description ?? ''}`).toMatch(/embedding model/);
		expect(error.context.itemIndex).toBe(0);
		// The batch was rejected for its input, so it was halved once to find the culprit.
		expect(embeddingRequests()).toHaveLength(2);
	});

	it('halves a batch rejected with a 400: the halves go through and every vector lines up', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 200, path: EMBEDDINGS, body: replyFor(['a', 'b']) },
			{
				kind: 'status',
				status: 400,
				path: EMBEDDINGS,
				body: { id: 'bad_request', message: "'input' must contain at most 2048 items" },
			},
		]);
		const texts = ['a', 'b', 'c', 'd'];
		const output = await run(texts, { options: { batchSize: 2 } });
		expectAligned(output, texts);
		expect(embeddingRequests().map((request) => (request.body as { input: string[] }).input)).toEqual([
			['a', 'b'],
			['c', 'd'],
			['c'],
			['d'],
		]);
	});

	it('isolates one over-long text: only its item fails, the other 255 of its batch are embedded', async () => {
		emulator.control.configure({ embeddingMaxInputTokens: 50 });
		const texts = Array.from({ length: 300 }, (_, i) => (i === 77 ? 'too long '.repeat(40) : `sentence ${i}`));
		const output = await run(texts, {}, { continueOnFail: true });
		expect(output).toHaveLength(300);
		expect(Object.keys(output[77].json)).toEqual(['error']);
		expect(String(output[77].json.error)).toMatch(/input\[0\]|tokens/);
		output.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			if (i !== 77) expect(item.json.embedding).toEqual(expectedEmbedding(texts[i], DIMS));
		});
		// 2 batches + at most 2 requests per halving level of the failed 256-item batch.
		expect(embeddingRequests().length).toBeLessThanOrEqual(2 + 2 * 8);
	});

	it('without Continue On Fail, names the over-long item itself', async () => {
		emulator.control.configure({ embeddingMaxInputTokens: 50 });
		const texts = Array.from({ length: 40 }, (_, i) => (i === 29 ? 'too long '.repeat(40) : `sentence ${i}`));
		const error = await run(texts).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.context.itemIndex).toBe(29);
	});

	it('retries a 503 and still lines every vector up', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, path: EMBEDDINGS }]);
		const texts = ['x', 'y', 'z'];
		const output = await run(texts);
		expect(embeddingRequests()).toHaveLength(2);
		expectAligned(output, texts);
	});

	it('reorders vectors by their index when the reply lists them out of order', async () => {
		const reply = replyFor(['first', 'second', 'third']);
		reply.data.reverse();
		emulator.control.enqueueFaults([{ kind: 'status', status: 200, path: EMBEDDINGS, body: reply }]);
		expectAligned(await run(['first', 'second', 'third']), ['first', 'second', 'third']);
	});

	it.each([
		['one vector too few', (reply: Reply) => reply.data.pop(), /returned 2 embeddings for 3 texts/],
		['a duplicate index', (reply: Reply) => (reply.data[2].index = 0), /two embeddings for index 0/],
		['an index out of range', (reply: Reply) => (reply.data[1].index = 3), /invalid index \(3\)/],
		['a missing index', (reply: Reply) => delete (reply.data[1] as { index?: number }).index, /invalid index/],
		['no data list', (reply: Reply) => delete (reply as { data?: unknown }).data, /no list of embeddings/],
		['a vector that is not numbers', (reply: Reply) => (reply.data[0].embedding = ['x'] as never), /not a list of numbers/],
		['a base64 vector of 3 bytes', (reply: Reply) => (reply.data[0].embedding = 'AAAA' as never), /3 bytes/],
	])('refuses a reply with %s instead of outputting shifted vectors', async (_label, spoil, message) => {
		const reply = replyFor(['a', 'b', 'c']);
		spoil(reply);
		emulator.control.enqueueFaults([{ kind: 'status', status: 200, path: EMBEDDINGS, body: reply }]);
		const error = await run(['a', 'b', 'c']).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(error.context.itemIndex).toBe(0);
		expect(error.description).toMatch(/cannot be matched/);
	});

	it('with continueOnFail, a reply that does not match only fails the items of its own batch', async () => {
		const bad = replyFor(['c', 'd']);
		bad.data.pop();
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 200, path: EMBEDDINGS, body: replyFor(['a', 'b']) },
			{ kind: 'status', status: 200, path: EMBEDDINGS, body: bad },
		]);
		const texts = ['a', 'b', 'c', 'd', 'e'];
		const output = await run(texts, { options: { batchSize: 2 } }, { continueOnFail: true });
		expect(output.map((item) => item.pairedItem)).toEqual(texts.map((_, i) => ({ item: i })));
		expect(output[0].json.embedding).toEqual(expectedEmbedding('a', DIMS));
		expect(output[1].json.embedding).toEqual(expectedEmbedding('b', DIMS));
		expect(output[2].json).toEqual({ error: 'DigitalOcean returned 1 embeddings for 2 texts' });
		expect(output[3].json).toEqual({ error: 'DigitalOcean returned 1 embeddings for 2 texts' });
		expect(output[4].json.embedding).toEqual(expectedEmbedding('e', DIMS));
	});

	it('decodes little-endian float32 base64', () => {
		const values = [0.5, -1.25, 3.140000104904175];
		const buffer = Buffer.alloc(12);
		values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
		expect(decodeBase64Embedding(buffer.toString('base64'))).toEqual(values);
	});

	it('is usable as an AI tool and reads the Text from $json.text by default', () => {
		const { description } = new DigitalOceanEmbeddings();
		expect(description.usableAsTool).toBe(true);
		expect(description.properties.find((property) => property.name === 'text')?.default).toBe('={{ $json.text }}');
	});

	it('offers only embedding models in the picker', async () => {
		const node = new DigitalOceanEmbeddings();
		const ctx = fakeLoadOptionsContext({ apiKey: DEFAULT_KEY, baseUrl: emulator.url }, { node });
		const { results } = await node.methods.listSearch.searchEmbeddingModels.call(ctx);
		expect(results.map((result) => result.value)).toEqual([MODEL]);
	});
});

interface Reply {
	object: string;
	model: string;
	data: Array<{ object: string; index: number; embedding: number[] }>;
	usage: { prompt_tokens: number; total_tokens: number };
}

/** A well-formed reply with the emulator's own vectors, for faults that replace the reply. */
function replyFor(texts: string[]): Reply {
	return {
		object: 'list',
		model: MODEL,
		data: texts.map((text, index) => ({ object: 'embedding', index, embedding: expectedEmbedding(text, DIMS) })),
		usage: { prompt_tokens: texts.length, total_tokens: texts.length },
	};
}
