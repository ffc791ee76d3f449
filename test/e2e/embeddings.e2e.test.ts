/**
 * DigitalOcean Embeddings in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator. Runs examples/embeddings-list.json: 1,000 items → 4 requests.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/embeddings
 */
import { expectedEmbedding, type LoggedRequest } from '../emulator';
import { cloneWorkflow, nodeOutput, readExample, type ExecuteResult, type WorkflowJson } from './harness';
import { RUN_TIMEOUT, postsTo, testNoKeyLeak, useN8nWithEmulator } from './setup';

const EMBEDDINGS_NODE = 'DigitalOcean Embeddings';
/** Small vectors keep n8n's run JSON of 1,000 items small; the emulator's vectors depend on text and size only. */
const DIMS = 16;
const MODEL = 'qwen3-embedding-0.6b';

const list = readExample('embeddings-list');

/** The example with 10 sentences, the 4th one empty, On Error = Continue, and base64 vectors on the wire. */
const onError: WorkflowJson = (() => {
	const copy = cloneWorkflow(list, { id: 'doInfEmbedOnError01', name: 'DigitalOcean Embeddings: continue on fail (e2e)' });
	const set = copy.nodes.find((node) => node.name === 'Set Sentences')!;
	(set.parameters as any).assignments.assignments[0].value =
		"={{ Array.from({ length: 10 }, (_, i) => i === 3 ? '' : 'Sentence number ' + i) }}";
	const embeddings = copy.nodes.find((node) => node.name === EMBEDDINGS_NODE)!;
	embeddings.onError = 'continueRegularOutput';
	(embeddings.parameters as any).options = { batchSize: 256, encodingFormat: 'base64' };
	return copy;
})();

const setup = useN8nWithEmulator({
	workflows: [list, onError],
	builtFiles: ['dist/nodes/DigitalOceanEmbeddings/DigitalOceanEmbeddings.node.js'],
	emulatorConfig: { embeddingDimensions: DIMS },
});

/** Says how n8n ended (exit code or signal, stderr tail) instead of a bare `expected 0`. */
function expectCleanExit(result: ExecuteResult): void {
	if (result.exitCode === 0) return;
	throw new Error(
		`n8n execute --id=${result.workflowId} ended with ${result.exitCode ?? result.signal} after ${result.durationMs} ms\n--- stderr (tail) ---\n${result.stderr.slice(-3000)}`,
	);
}

const embeddingRequests = (requests: LoggedRequest[]) => postsTo(requests, '/v1/embeddings');

test(
	'embeddings: 1,000 items from Split Out → 4 requests, 1,000 vectors each paired with its own item',
	async () => {
		const { result, run, requests } = await setup.run(list.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const texts = Array.from({ length: 1000 }, (_, i) => `Sentence number ${i}`);
		const items = nodeOutput(run, EMBEDDINGS_NODE);
		expect(items).toHaveLength(1000);
		items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.embedding).toEqual(expectedEmbedding(texts[i], DIMS));
			expect(item.json.dimensions).toBe(DIMS);
			expect(item.json.model).toBe(MODEL);
			expect(item.json.batch).toMatchObject({ index: Math.floor(i / 256), size: i < 768 ? 256 : 232 });
		});
		expect(Object.keys(items[0].json)).toEqual(['embedding', 'dimensions', 'model', 'batch']);
		expect(items[0].json.batch.usage).toEqual({ prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) });

		const embeddings = embeddingRequests(requests);
		expect(requests).toHaveLength(4);
		expect(embeddings).toHaveLength(4);
		expect(embeddings.map((request) => request.status)).toEqual([200, 200, 200, 200]);
		expect(embeddings.map((request) => (request.body as { input: string[] }).input.length)).toEqual([256, 256, 256, 232]);
		expect(embeddings.flatMap((request) => (request.body as { input: string[] }).input)).toEqual(texts);
		for (const request of embeddings) {
			expect(Object.keys(request.body as object)).toEqual(['model', 'input']);
			expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
		}
	},
	RUN_TIMEOUT,
);

test(
	'embeddings continue on fail: an empty 4th text becomes {error} in place, is never sent, and base64 vectors line up',
	async () => {
		const { result, run, requests } = await setup.run(onError.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const items = nodeOutput(run, EMBEDDINGS_NODE);
		expect(items).toHaveLength(10);
		expect(items.map((item) => item.pairedItem)).toEqual(Array.from({ length: 10 }, (_, i) => ({ item: i })));
		expect(items[3].json).toEqual({ error: 'The text to embed is empty' });
		items.forEach((item, i) => {
			if (i !== 3) expect(item.json.embedding).toEqual(expectedEmbedding(`Sentence number ${i}`, DIMS));
		});

		const embeddings = embeddingRequests(requests);
		expect(embeddings).toHaveLength(1);
		expect(embeddings[0].body).toEqual({
			model: MODEL,
			input: [0, 1, 2, 4, 5, 6, 7, 8, 9].map((i) => `Sentence number ${i}`),
			encoding_format: 'base64',
		});
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, onError.id);
