/**
 * The Embeddings DigitalOcean sub-node: what its supplyData hands to a vector store (embedDocuments,
 * embedQuery) against the emulator over real HTTP, and what it writes into its own panel. The e2e
 * suite (test/e2e/vectorStore.e2e.test.ts) runs it inside n8n's Simple Vector Store.
 */
import { NodeApiError, NodeConnectionTypes, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanEmbeddingsModel } from '../../nodes/DigitalOceanEmbeddingsModel/DigitalOceanEmbeddingsModel.node';
import type { TextEmbedder } from '../../nodes/DigitalOceanEmbeddingsModel/textEmbedder';
import { DEFAULT_KEY, expectedEmbedding, type LoggedRequest } from '../emulator';
import { fakeLoadOptionsContext, type FakeContextOptions, type Params } from './helpers/fakeContext';
import { fakeSupplyDataContext, type SubNodeRun } from './helpers/fakeSupplyData';
import { useEmulator } from './helpers/useEmulator';

const EMBEDDINGS = '/v1/embeddings';
const MODEL = 'qwen3-embedding-0.6b';
/** Small vectors keep runs of thousands of texts fast; the emulator's vectors are deterministic per text and size. */
const DIMS = 8;
const model = (value: string) => ({ __rl: true, mode: 'id', value });
const text = (i: number) => `Chunk number ${i}`;
const texts = (count: number) => Array.from({ length: count }, (_, i) => text(i));

const emulator = useEmulator();

beforeEach(() => emulator.control.configure({ embeddingDimensions: DIMS }));

/** What a vector store gets from n8n for this sub-node, and the sub-node's panel. */
async function supply(params: Params = {}, extra: Partial<FakeContextOptions> = {}): Promise<{ embeddings: TextEmbedder; runs: SubNodeRun[] }> {
	const node = new DigitalOceanEmbeddingsModel();
	const ctx = fakeSupplyDataContext({
		params: { model: model(MODEL), ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
		node,
	});
	const { response } = await node.supplyData.call(ctx, 0);
	return { embeddings: response as TextEmbedder, runs: ctx.runs };
}

const embeddingRequests = (): LoggedRequest[] => emulator.control.requests().filter((request) => request.path === EMBEDDINGS);
const inputsOf = (request: LoggedRequest) => (request.body as { input: string[] }).input;
const json = (items: INodeExecutionData[][] | Error | undefined) => (items as INodeExecutionData[][])[0][0].json;
const tokens = (list: string[]) => list.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);

describe('Embeddings DigitalOcean sub-node: embedDocuments', () => {
	it('sends up to 2,048 texts per request by default: 5,000 texts in 3 requests, each vector with its own text', async () => {
		const { embeddings } = await supply();
		const list = texts(5000);
		const vectors = await embeddings.embedDocuments(list);
		expect(vectors).toEqual(list.map((t) => expectedEmbedding(t, DIMS)));
		expect(embeddingRequests().map((request) => inputsOf(request).length)).toEqual([2048, 2048, 904]);
		expect(embeddingRequests().flatMap(inputsOf)).toEqual(list);
		expect(emulator.control.stats().maxInFlight).toBe(1);
	});

	it('splits by Batch Size and sends Concurrency requests at a time, never more, vectors in text order', async () => {
		emulator.control.configure({ latencyMs: 80 });
		const { embeddings } = await supply({ options: { batchSize: 10 }, requestOptions: { concurrency: 4 } });
		const list = texts(95);
		expect(await embeddings.embedDocuments(list)).toEqual(list.map((t) => expectedEmbedding(t, DIMS)));
		const sizes = embeddingRequests().map((request) => inputsOf(request).length);
		expect([...sizes].sort((a, b) => a - b)).toEqual([5, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
		expect(emulator.control.stats().maxInFlight).toBe(4);
	});

	it('asks for base64 vectors by default, float when Encoding is Float, and sends user only when set', async () => {
		await (await supply()).embeddings.embedDocuments(['a', 'b']);
		await (await supply({ options: { encodingFormat: 'float', user: 'user-42' } })).embeddings.embedDocuments(['a', 'b']);
		expect(embeddingRequests().map((request) => request.body)).toEqual([
			{ model: MODEL, input: ['a', 'b'], encoding_format: 'base64' },
			{ model: MODEL, input: ['a', 'b'], encoding_format: 'float', user: 'user-42' },
		]);
	});

	it('hands on exactly the same numbers with base64 (the default) and Float', async () => {
		const list = texts(20);
		const packed = await (await supply()).embeddings.embedDocuments(list);
		const floats = await (await supply({ options: { encodingFormat: 'float' } })).embeddings.embedDocuments(list);
		expect(packed).toEqual(floats);
		expect(floats).toEqual(list.map((t) => expectedEmbedding(t, DIMS)));
	});

	it('reads the credential: the key goes only into the Authorization header', async () => {
		await (await supply()).embeddings.embedDocuments(['a']);
		const [request] = embeddingRequests();
		expect(request.headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
		expect(JSON.stringify(request.body)).not.toContain(DEFAULT_KEY);
	});

	it('puts every vector back with its text when a reply lists them out of order', async () => {
		const reply = {
			object: 'list',
			model: MODEL,
			data: ['x', 'y', 'z'].map((t, index) => ({ object: 'embedding', index, embedding: expectedEmbedding(t, DIMS) })).reverse(),
			usage: { prompt_tokens: 3, total_tokens: 3 },
		};
		emulator.control.enqueueFaults([{ kind: 'status', status: 200, path: EMBEDDINGS, body: reply }]);
		const vectors = await (await supply()).embeddings.embedDocuments(['x', 'y', 'z']);
		expect(vectors).toEqual(['x', 'y', 'z'].map((t) => expectedEmbedding(t, DIMS)));
	});

	it('refuses a reply with one vector too few instead of handing on shifted vectors, and says so in the panel', async () => {
		const reply = {
			object: 'list',
			model: MODEL,
			data: ['a', 'b'].map((t, index) => ({ object: 'embedding', index, embedding: expectedEmbedding(t, DIMS) })),
		};
		emulator.control.enqueueFaults([{ kind: 'status', status: 200, path: EMBEDDINGS, body: reply }]);
		const { embeddings, runs } = await supply();
		const error = await embeddings.embedDocuments(['a', 'b', 'c']).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('DigitalOcean returned 2 embeddings for 3 texts');
		expect(error.description).toMatch(/cannot be matched/);
		expect(runs[0].output).toBe(error);
	});

	it('retries a 503 and returns every vector', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, path: EMBEDDINGS }]);
		const vectors = await (await supply()).embeddings.embedDocuments(['p', 'q']);
		expect(vectors).toEqual(['p', 'q'].map((t) => expectedEmbedding(t, DIMS)));
		expect(embeddingRequests().map((request) => request.status)).toEqual([503, 200]);
	});

	it('gives up after Max Retries', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, path: EMBEDDINGS }]);
		const { embeddings } = await supply({ requestOptions: { maxRetries: 0 } });
		const error = await embeddings.embedDocuments(['p']).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('503');
		expect(embeddingRequests()).toHaveLength(1);
	});

	it('stops sending batches after one fails, and fails the whole call', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 200, path: EMBEDDINGS, body: { object: 'list', model: MODEL, data: ['a', 'b'].map((t, index) => ({ index, embedding: expectedEmbedding(t, DIMS) })) } },
			{ kind: 'status', status: 400, path: EMBEDDINGS, body: { id: 'bad_request', message: "'input[1]' is too long" } },
		]);
		const { embeddings } = await supply({ options: { batchSize: 2 } });
		const error = await embeddings.embedDocuments(['a', 'b', 'c', 'd', 'e', 'f']).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(embeddingRequests().map(inputsOf)).toEqual([['a', 'b'], ['c', 'd']]);
	});

	it.each([
		['an empty text', ''],
		['a whitespace-only text', ' \n '],
		['a number', 42],
		['null', null],
	])('rejects %s (text 3 of 4) before any request', async (_label, bad) => {
		const { embeddings, runs } = await supply();
		const error = await embeddings.embedDocuments(['one', 'two', bad, 'four'] as string[]).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Text 3 of 4 to embed is empty');
		expect(error.description).toMatch(/Default Data Loader/);
		expect(embeddingRequests()).toHaveLength(0);
		expect(runs).toHaveLength(1);
		expect(runs[0].output).toBe(error);
	});

	it('fails with a 404 NodeApiError for an unknown model, without the key', async () => {
		const { embeddings, runs } = await supply({ model: model('no-such-model') });
		const error = await embeddings.embedDocuments(['a']).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(JSON.stringify(error)).not.toContain(DEFAULT_KEY);
		expect(runs[0].output).toBe(error);
	});

	it('reports a cancelled execution as cancelled, in the panel too, and sends nothing more', async () => {
		emulator.control.configure({ latencyMs: 2000 });
		const controller = new AbortController();
		const { embeddings, runs } = await supply({ options: { batchSize: 1 } }, { signal: controller.signal });
		const pending = embeddings.embedDocuments(['a', 'b', 'c']).catch((e) => e);
		setTimeout(() => controller.abort(), 100);
		const error = await pending;
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The execution was cancelled');
		expect(error.description).toMatch(/workflow was stopped/);
		expect(runs[0].output).toBe(error);
		expect(embeddingRequests()).toHaveLength(1);
	});

	it('returns no vectors and sends nothing for no texts', async () => {
		expect(await (await supply()).embeddings.embedDocuments([])).toEqual([]);
		expect(embeddingRequests()).toHaveLength(0);
	});
});

describe('Embeddings DigitalOcean sub-node: embedQuery', () => {
	it('embeds the query in one request and returns its vector', async () => {
		const vector = await (await supply()).embeddings.embedQuery('Where is the nearest harbour?');
		expect(vector).toEqual(expectedEmbedding('Where is the nearest harbour?', DIMS));
		expect(embeddingRequests().map((request) => request.body)).toEqual([
			{ model: MODEL, input: ['Where is the nearest harbour?'], encoding_format: 'base64' },
		]);
	});

	it.each([[''], ['   '], [undefined]])('rejects the empty query %j before any request', async (query) => {
		const { embeddings, runs } = await supply();
		const error = await embeddings.embedQuery(query as unknown as string).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The query to embed is empty');
		expect(embeddingRequests()).toHaveLength(0);
		expect(runs[0]).toMatchObject({ input: [[{ json: { query } }]], output: error });
	});
});

describe('Embeddings DigitalOcean sub-node: its panel', () => {
	it('shows each call as a run: the texts in, and model, vectors, dimensions, requests, summed usage and request ids out — never the vectors', async () => {
		const { embeddings, runs } = await supply({ options: { batchSize: 3 } });
		const list = texts(7);
		await embeddings.embedDocuments(list);
		await embeddings.embedQuery('a question');
		expect(runs).toHaveLength(2);
		expect(runs.map((run) => run.connectionType)).toEqual([NodeConnectionTypes.AiEmbedding, NodeConnectionTypes.AiEmbedding]);
		expect(runs[0].input).toEqual([[{ json: { documents: list } }]]);
		expect(json(runs[0].output)).toEqual({
			model: MODEL,
			vectors: 7,
			dimensions: DIMS,
			requests: 3,
			usage: { prompt_tokens: tokens(list), total_tokens: tokens(list) },
			requestIds: [expect.any(String), expect.any(String), expect.any(String)],
		});
		expect(runs[1].input).toEqual([[{ json: { query: 'a question' } }]]);
		expect(json(runs[1].output)).toMatchObject({ vectors: 1, dimensions: DIMS, requests: 1, usage: { prompt_tokens: 3, total_tokens: 3 } });
		expect(JSON.stringify(runs.map((run) => run.output))).not.toContain(String(expectedEmbedding('a question', DIMS)[0]));
	});

	it('gives overlapping calls their own runs', async () => {
		emulator.control.configure({ latencyMs: 50 });
		const { embeddings, runs } = await supply();
		await Promise.all([embeddings.embedDocuments(['a', 'b']), embeddings.embedQuery('q')]);
		expect(runs.map((run) => [run.input[0][0].json, json(run.output).vectors])).toEqual([
			[{ documents: ['a', 'b'] }, 2],
			[{ query: 'q' }, 1],
		]);
	});
});

describe('Embeddings DigitalOcean sub-node: settings', () => {
	it.each([
		[{ model: model('') }, /No model selected/],
		[{ options: { batchSize: 0 } }, /Batch Size must be between 1 and 2048/],
		[{ options: { batchSize: 2049 } }, /Batch Size must be between 1 and 2048/],
		[{ options: { batchSize: 1.5 } }, /Batch Size must be a whole number/],
		[{ options: { encodingFormat: '={{ "binary" }}' } }, /Unknown encoding "binary"/],
	])('rejects %j when n8n asks for the sub-node, before any request', async (params, message) => {
		const error = await supply(params).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(embeddingRequests()).toHaveLength(0);
	});

	it('is a sub-node with no inputs and one Embeddings output, on the Model Access Key credential', () => {
		const { description } = new DigitalOceanEmbeddingsModel();
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual([NodeConnectionTypes.AiEmbedding]);
		expect(description.credentials).toEqual([{ name: 'digitalOceanInferenceApi', required: true }]);
		expect(description.properties.map((property) => property.name)).toEqual(['notice', 'model', 'options', 'requestOptions']);
	});

	it('offers only embedding models in the picker', async () => {
		const node = new DigitalOceanEmbeddingsModel();
		const ctx = fakeLoadOptionsContext({ apiKey: DEFAULT_KEY, baseUrl: emulator.url }, { node });
		const { results } = await node.methods.listSearch.searchEmbeddingModels.call(ctx);
		expect(results.length).toBeGreaterThan(0);
		expect(results.every((result) => /embed/i.test(String(result.value)))).toBe(true);
		expect(results.map((result) => result.value)).toContain(MODEL);
	});
});
