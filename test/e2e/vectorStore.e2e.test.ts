/**
 * The Embeddings DigitalOcean sub-node inside n8n's own vector store, in a real n8n (pinned, installed
 * on demand outside the clone), against the local emulator. examples/rag-vector-store.json has three parts:
 * - run with the n8n CLI (which starts at its manual trigger), on every n8n version: documents → Default
 *   Data Loader → Simple (in-memory) Vector Store, Insert, with the sub-node; then Get Many from the same
 *   store with a question, embedded by a second sub-node. The store lives in n8n's process, so insert and
 *   retrieval run in one workflow.
 * - on n8n 2.16 or newer, in a running n8n (its chat made public and the workflow published): a chat
 *   message → Question and Answer Chain on the DigitalOcean Chat Model, whose Vector Store Retriever reads
 *   the store the manual run filled (same process, same memory key). The chain's request to DigitalOcean
 *   holds the nearest documents as context; the sub-node's run data shows the token usage. On older n8n
 *   the Chat Model cannot run (aiNodes.e2e checks its version error), so that part is skipped by a
 *   version check.
 *
 * The emulator's vectors are deterministic per text (`expectedEmbedding`) but carry no meaning, so the
 * tests prove retrieval with texts whose nearest document is known: a question equal to one document's
 * text (cosine 1), and for the example's own questions the ranking computed here from the vectors (the
 * chat questions are worded so that the nearest document is also the one that answers them).
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/vectorStore
 */
import { expectedEmbedding, type LoggedRequest } from '../emulator';
import { CHAT_PATH, modelRunData, onSdk, SDK_SUITE, usageFor } from './chatModel';
import { postChatMessage, startWorkflowServer, withPublicChat, type WorkflowServer } from './workflowServer';
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

/** The example with its chat made public (what a user does to share it), so n8n serves its production URL. */
const publicRag = withPublicChat(cloneWorkflow(rag, { id: 'doInfRagChatPub01', name: 'RAG: public chat (e2e)' }));

const setup = useN8nWithEmulator({
	workflows: [rag, exactQuestion, bigStore, unknownModel, publicRag],
	builtFiles: [
		'dist/nodes/DigitalOceanEmbeddingsModel/DigitalOceanEmbeddingsModel.node.js',
		'dist/nodes/DigitalOceanChatModel/DigitalOceanChatModel.node.js',
	],
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

onSdk(SDK_SUITE, () => {
	describe('the chat of the RAG example (part 3) in a running n8n: a Question and Answer Chain on the DigitalOcean Chat Model', () => {
		const MANUAL = 'When clicking ‘Execute workflow’';
		const CHAIN = 'Answer Question';
		const MODEL_NODE = 'DigitalOcean Chat Model';
		const EMBED_CHAT_QUESTION = 'Embed Chat Question';
		const READ_DOCUMENTS = 'Read Documents';
		const TOP_K = (nodeOf(rag, 'Vector Store Retriever').parameters as { topK: number }).topK;
		const texts = documents.map((doc) => doc.text);
		/** Worded so that by the emulator's vectors the nearest document is the one that answers the question. */
		const chatQuestions = [
			{ question: 'What does an Inference Router do?', answeredBy: 'Inference Routers' },
			{ question: 'Is Serverless Inference OpenAI-compatible?', answeredBy: 'Serverless Inference' },
		];
		let chat: WorkflowServer | undefined;

		beforeAll(async () => {
			chat = await startWorkflowServer(setup.home, [publicRag]);
		}, 5 * 60_000);

		afterAll(async () => {
			await chat?.stop();
		}, 60_000);

		/** Sends `question` to the example's chat; returns the reply and the requests DigitalOcean got meanwhile. */
		async function ask(question: string): Promise<{ reply: unknown; requests: LoggedRequest[] }> {
			const before = setup.emulator.control.requests().length;
			const res = await postChatMessage(chat!.chatUrl(publicRag), 'e2e-rag-session', question, RUN_TIMEOUT);
			const text = await res.text();
			expect(res.status).toBe(200);
			return { reply: JSON.parse(text), requests: setup.emulator.control.requests().slice(before) };
		}

		/** The searches of the store in retrieve mode, as its panel shows them: the question and the documents found. */
		function searches(run: RunJson): Array<{ input: unknown; found: string[] }> {
			return (run.data.resultData.runData[READ_DOCUMENTS] ?? []).map((task: any) => ({
				input: task.inputOverride?.ai_vectorStore?.[0]?.[0]?.json,
				found: (task.data?.ai_vectorStore?.[0]?.[0]?.json?.response ?? []).map((doc: { pageContent: string }) => doc.pageContent),
			}));
		}

		/** The documents the chain put into its system prompt as context, in order. */
		function contextOf(request: LoggedRequest): string[] {
			const { messages } = request.body as { messages: Array<{ role: string; content: string }> };
			expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
			const [, context] = messages[0].content.split('\nContext: ');
			return context === '' ? [] : context.split('\n\n');
		}

		test(
			'before the documents are loaded the store is empty: the question reaches the model with no context',
			async () => {
				const { question } = chatQuestions[0];
				const { reply, requests } = await ask(question);
				expect(reply).toEqual({ output: `Echo: ${question}` });
				expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /v1/embeddings 200', `POST ${CHAT_PATH} 200`]);
				expect(contextOf(postsTo(requests, CHAT_PATH)[0])).toEqual([]);
			},
			RUN_TIMEOUT,
		);

		test(
			'"Execute workflow" (the manual run, as the editor starts it) loads the five documents into the store; the chat part does not run',
			async () => {
				const before = setup.emulator.control.requests().length;
				const id = await chat!.rest.runWorkflow(publicRag.id, MANUAL);
				const execution = await chat!.rest.waitForExecution(id, RUN_TIMEOUT - 10_000);
				expect(execution.status).toBe('success');
				const run = execution.run!;
				expect(nodeOutput(run, INSERT).map((item) => item.json.pageContent)).toEqual(texts);
				expect(run.data.resultData.runData[CHAIN]).toBeUndefined();
				expect(embeddingPosts(setup.emulator.control.requests().slice(before)).map(inputsOf)).toEqual([texts, [question]]);
			},
			RUN_TIMEOUT,
		);

		test(
			'each chat question is answered from the nearest documents of the store the manual run filled: the right one first, the others not sent',
			async () => {
				for (const { question, answeredBy } of chatQuestions) {
					const expected = nearest(texts, question, TOP_K).map((doc) => doc.text);
					// The wording holds (checked, so that a change in the emulator's vectors shows here, not as a wrong answer).
					expect(expected[0]).toBe(documents.find((doc) => doc.title === answeredBy)!.text);

					const { reply, requests } = await ask(question);
					expect(reply).toEqual({ output: `Echo: ${question}` });
					expect(requests).toHaveLength(2);
					expect(embeddingPosts(requests).map(inputsOf)).toEqual([[question]]);
					const [request, ...more] = postsTo(requests, CHAT_PATH);
					expect(more).toEqual([]);
					expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
					expect(request.body).toMatchObject({ model: 'llama3.3-70b-instruct', messages: [{ role: 'system' }, { role: 'user', content: question }] });
					// The context is exactly the TOP_K nearest documents, nearest first; no other document reaches the model.
					expect(contextOf(request)).toEqual(expected);
					const sent = JSON.stringify(request.body);
					for (const text of texts.filter((candidate) => !expected.includes(candidate))) expect(sent).not.toContain(text);

					const execution = await chat!.lastExecution(publicRag.id);
					expect(execution.status).toBe('success');
					const run = execution.run!;
					expect(nodeOutput(run, CHAIN).map((item) => item.json)).toEqual([{ response: `Echo: ${question}` }]);
					// The sub-node's run data shows the usage DigitalOcean reported, as n8n's own chat models do.
					expect(modelRunData(run, MODEL_NODE)).toEqual([expect.objectContaining({ tokenUsage: await usageFor(setup.emulator.url, request) })]);
					// …and its input the prompt it sent, context included.
					const [modelCall] = run.data.resultData.runData[MODEL_NODE] as any[];
					expect(JSON.stringify(modelCall.inputOverride)).toContain(expected[0]);
					expect(panel(run, EMBED_CHAT_QUESTION)).toEqual([
						expect.objectContaining({ status: 'success', input: { query: question }, output: expect.objectContaining({ vectors: 1, requests: 1 }) }),
					]);
					// Read Documents' panel: what it was asked and the documents it found, nearest first.
					expect(searches(run)).toEqual([{ input: { query: question, k: TOP_K }, found: expected }]);
				}
			},
			RUN_TIMEOUT,
		);
	});
});

testNoKeyLeak(setup, rag.id);
