/**
 * The Embeddings DigitalOcean sub-node inside n8n's own vector store, in a real n8n (pinned, installed
 * on demand outside the clone), driven by the n8n CLI against the local emulator. Runs
 * examples/rag-vector-store.json: documents → Default Data Loader → Simple (in-memory) Vector Store,
 * Insert, with the sub-node; then Get Many from the same store with a question, embedded by a second
 * sub-node. The store lives in n8n's process, so insert and retrieval run in one workflow.
 *
 * The emulator's vectors are deterministic per text (`expectedEmbedding`) but carry no meaning, so the
 * tests prove retrieval with texts whose nearest document is known: a question equal to one document's
 * text (cosine 1), and for the example's own question the ranking computed here from the vectors.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/vectorStore
 */
import { expectedEmbedding, type LoggedRequest } from '../emulator';
import { cloneWorkflow, nodeOutput, readExample, type RunJson, type WorkflowJson } from './harness';
import { expectCleanExit, postsTo, RUN_TIMEOUT, testNoKeyLeak, useN8nWithEmulator } from './setup';

/** Small vectors keep the run JSON small; two random unit vectors of 64 numbers are far from parallel. */
const DIMS = 64;
const MODEL = 'qwen3-embedding-0.6b';
const INSERT = 'Insert Documents';
const RETRIEVE = 'Retrieve Documents';
const EMBED_DOCUMENTS = 'Embed Documents';
const EMBED_QUESTION = 'Embed Question';

const rag = readExample('rag-vector-store');

type Node = WorkflowJson['nodes'][number];
const nodeOf = (wf: WorkflowJson, name: string): Node => wf.nodes.find((node) => node.name === name)!;
const assignment = (wf: WorkflowJson, nodeName: string) => (nodeOf(wf, nodeName).parameters as any).assignments.assignments[0];

/** The example's documents, read from its Set node's expression. */
const documents: Array<{ title: string; text: string }> = JSON.parse(
	(assignment(rag, 'Set Documents').value as string).replace(/^=\{\{\s*/, '').replace(/\s*\}\}$/, ''),
);
const question: string = assignment(rag, 'Set Question').value;

/** The example asking for one document's exact text: that document is provably the nearest (cosine 1). */
const exactQuestion = (() => {
	const copy = cloneWorkflow(rag, { id: 'doInfRagExact01', name: 'RAG: exact question (e2e)' });
	assignment(copy, 'Set Question').value = documents[2].text;
	return copy;
})();

/**
 * 300 documents: the store hands them over as 200 + 100, the sub-node splits them into batches of 64, 3
 * at a time. Clear Store is off: n8n's Simple Vector Store clears before every batch it hands over, so
 * with it on only the last 100 documents would stay (each `n8n execute` starts with an empty store anyway).
 */
const BIG = 300;
const bigTexts = Array.from({ length: BIG }, (_, i) => `Document ${i}: a note about topic number ${i * 7919 % 1000}.`);
const bigStore = (() => {
	const copy = cloneWorkflow(rag, { id: 'doInfRagBatches01', name: 'RAG: 300 documents in batches (e2e)' });
	assignment(copy, 'Set Documents').value = `={{ ${JSON.stringify(bigTexts.map((text, i) => ({ title: `Doc ${i}`, text })))} }}`;
	assignment(copy, 'Set Question').value = bigTexts[257];
	nodeOf(copy, EMBED_DOCUMENTS).parameters = {
		...nodeOf(copy, EMBED_DOCUMENTS).parameters,
		options: { batchSize: 64 },
		requestOptions: { concurrency: 3 },
	};
	(nodeOf(copy, INSERT).parameters as any).clearStore = false;
	(nodeOf(copy, RETRIEVE).parameters as any).topK = 3;
	return copy;
})();

/** An embedding model DigitalOcean does not have: the insert must fail and say so. */
const unknownModel = (() => {
	const copy = cloneWorkflow(rag, { id: 'doInfRagNoModel01', name: 'RAG: unknown model (e2e)' });
	(nodeOf(copy, EMBED_DOCUMENTS).parameters as any).model = { __rl: true, mode: 'id', value: 'no-such-embedding-model' };
	return copy;
})();

const setup = useN8nWithEmulator({
	workflows: [rag, exactQuestion, bigStore, unknownModel],
	builtFiles: ['dist/nodes/DigitalOceanEmbeddingsModel/DigitalOceanEmbeddingsModel.node.js'],
	emulatorConfig: { embeddingDimensions: DIMS },
});

function cosine(a: number[], b: number[]): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	a.forEach((x, i) => {
		dot += x * b[i];
		na += x * x;
		nb += b[i] * b[i];
	});
	return dot / Math.sqrt(na * nb);
}

/** The `k` texts nearest to `query` by the emulator's vectors, with their cosine similarity. */
function nearest(texts: string[], query: string, k: number): Array<{ text: string; score: number }> {
	const q = expectedEmbedding(query, DIMS);
	return texts
		.map((text) => ({ text, score: cosine(expectedEmbedding(text, DIMS), q) }))
		.sort((a, b) => b.score - a.score)
		.slice(0, k);
}

/** What the vector store returned: each document's text, title and score. */
function retrieved(run: RunJson): Array<{ text: string; title: string; score: number }> {
	return nodeOutput(run, RETRIEVE).map((item) => ({
		text: item.json.document.pageContent,
		title: item.json.document.metadata.title,
		score: item.json.score,
	}));
}

/** The sub-node's runs as its panel shows them: input and output of each call, or its error. */
function panel(run: RunJson, nodeName: string): Array<{ status?: string; input: any; output: any; error?: any }> {
	return (run.data.resultData.runData[nodeName] ?? []).map((task: any) => ({
		status: task.executionStatus,
		input: task.inputOverride?.ai_embedding?.[0]?.[0]?.json,
		output: task.data?.ai_embedding?.[0]?.[0]?.json,
		error: task.error,
	}));
}

const tokens = (texts: string[]) => texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
const inputsOf = (request: LoggedRequest) => (request.body as { input: string[] }).input;
const embeddingPosts = (requests: LoggedRequest[]) => postsTo(requests, '/v1/embeddings');

test(
	'RAG example: the documents go to DigitalOcean in one request, the question in another, and Get Many ranks the store by those vectors',
	async () => {
		const { result, run, requests } = await setup.run(rag.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const texts = documents.map((doc) => doc.text);
		const posts = embeddingPosts(requests);
		expect(requests).toHaveLength(2);
		expect(posts.map((request) => request.status)).toEqual([200, 200]);
		// Base64 vectors by default: a quarter of the size, decoded to the same numbers.
		expect(posts.map((request) => request.body)).toEqual([
			{ model: MODEL, input: texts, encoding_format: 'base64' },
			{ model: MODEL, input: [question], encoding_format: 'base64' },
		]);
		for (const request of posts) expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);

		// Every document went in with its own vector: the store's ranking is the one these vectors give.
		expect(nodeOutput(run, INSERT).map((item) => item.json.pageContent)).toEqual(texts);
		const expected = nearest(texts, question, 2);
		const got = retrieved(run);
		expect(got.map((doc) => doc.text)).toEqual(expected.map((doc) => doc.text));
		got.forEach((doc, i) => expect(doc.score).toBeCloseTo(expected[i].score, 6));
		expect(got.map((doc) => doc.title)).toEqual(expected.map((doc) => documents.find((d) => d.text === doc.text)!.title));

		// The sub-nodes' panels: what was embedded and what came back, never the vectors.
		const [insertCall, ...moreInserts] = panel(run, EMBED_DOCUMENTS);
		expect(moreInserts).toEqual([]);
		expect(insertCall).toEqual({
			status: 'success',
			input: { documents: texts },
			output: {
				model: MODEL,
				vectors: 5,
				dimensions: DIMS,
				requests: 1,
				usage: { prompt_tokens: tokens(texts), total_tokens: tokens(texts) },
				requestIds: [expect.any(String)],
			},
			error: undefined,
		});
		expect(panel(run, EMBED_QUESTION)).toEqual([
			{
				status: 'success',
				input: { query: question },
				output: {
					model: MODEL,
					vectors: 1,
					dimensions: DIMS,
					requests: 1,
					usage: { prompt_tokens: tokens([question]), total_tokens: tokens([question]) },
					requestIds: [expect.any(String)],
				},
				error: undefined,
			},
		]);
	},
	RUN_TIMEOUT,
);

test(
	'RAG example asked for one document\'s exact text: Get Many returns that document first, with score 1',
	async () => {
		const { result, run, requests } = await setup.run(exactQuestion.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);
		expect(embeddingPosts(requests).map(inputsOf)).toEqual([documents.map((doc) => doc.text), [documents[2].text]]);

		const [first, second] = retrieved(run);
		expect(first).toEqual({ text: documents[2].text, title: 'Embeddings', score: expect.closeTo(1, 6) });
		expect(second.score).toBeLessThan(0.9);
	},
	RUN_TIMEOUT,
);

test(
	'300 documents: batches of 64, 3 requests at a time, every vector stays with its text (an exact question finds document 257 of 300)',
	async () => {
		// Latency makes the three requests of a call overlap, so the concurrency shows in the emulator's counters.
		setup.emulator.control.reset();
		setup.emulator.control.configure({ embeddingDimensions: DIMS, latencyMs: 200 });
		try {
			const { result, run, requests } = await setup.run(bigStore.id);
			expect(run.data.resultData.error).toBeUndefined();
			expectCleanExit(result);

			const posts = embeddingPosts(requests);
			const documentPosts = posts.slice(0, -1);
			// The store hands over 200 then 100 documents; each call becomes batches of at most 64.
			expect(documentPosts.map((request) => inputsOf(request).length).sort((a, b) => a - b)).toEqual([8, 36, 64, 64, 64, 64]);
			expect(documentPosts.flatMap(inputsOf).sort()).toEqual([...bigTexts].sort());
			expect(posts.map((request) => request.status)).toEqual(posts.map(() => 200));
			expect(setup.emulator.control.stats().maxInFlight).toBe(3);

			expect(panel(run, EMBED_DOCUMENTS).map((call) => [call.input.documents.length, call.output.vectors, call.output.requests])).toEqual([
				[200, 200, 4],
				[100, 100, 2],
			]);

			const got = retrieved(run);
			expect(got[0]).toEqual({ text: bigTexts[257], title: 'Doc 257', score: expect.closeTo(1, 6) });
			const expected = nearest(bigTexts, bigTexts[257], 3);
			expect(got.map((doc) => doc.text)).toEqual(expected.map((doc) => doc.text));
		} finally {
			setup.emulator.control.configure({ latencyMs: 0 });
		}
	},
	RUN_TIMEOUT,
);

test(
	'an unknown model fails the insert with DigitalOcean\'s 404, shown in the sub-node\'s panel, and nothing is retrieved',
	async () => {
		const { run, requests } = await setup.run(unknownModel.id);
		const error = run.data.resultData.error!;
		expect(error).toBeDefined();
		expect(error.message).toMatch(/not found/i);
		expect(run.data.resultData.runData[RETRIEVE]).toBeUndefined();
		expect(embeddingPosts(requests).map((request) => request.status)).toEqual([404]);

		const [call, ...more] = panel(run, EMBED_DOCUMENTS);
		expect(more).toEqual([]);
		expect(call.status).toBe('error');
		expect(call.input).toEqual({ documents: documents.map((doc) => doc.text) });
		expect(call.error.message).toBe(error.message);
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, rag.id);
