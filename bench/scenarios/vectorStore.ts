/**
 * 2,000 documents into n8n's Simple Vector Store (in memory, Insert) through our Embeddings
 * DigitalOcean sub-node vs n8n's Embeddings OpenAI sub-node pointed at the emulator, with the store's
 * default Embedding Batch Size (200) and with 2,000, in one real n8n, runs interleaved.
 */
import type { LoggedRequest } from '../../test/emulator';
import { BenchN8n, nodeMs, outputOf, type BenchRun } from '../lib/n8nBench';
import { fmt, median, seconds, spread } from '../lib/stats';
import type { BenchOptions, RequestFigures, ScenarioResult } from '../lib/types';
import { EMBEDDING_DIMENSIONS as DIMENSIONS, STORE_CHECK, UNDER_TEST, openAiEmbeddingsModel, ourEmbeddingsModel, vectorStoreWorkflow, type SubNodeSpec } from '../lib/workflows';

const LATENCY_MS = 100;
/** The text the store check searches for: one of the corpus, so it must come back first with score 1. */
const QUERY_INDEX = 1234;

interface Variant {
	key: string;
	label: string;
	workflowId: string;
	embeddings: () => SubNodeSpec;
	storeBatch: number;
	ours: boolean;
}

const VARIANTS: Variant[] = [
	{ key: 'ours200', label: 'Embeddings DigitalOcean, store batch 200', workflowId: 'benchVsOurs200', embeddings: () => ourEmbeddingsModel(), storeBatch: 200, ours: true },
	{ key: 'openai200', label: 'Embeddings OpenAI 1.2, store batch 200', workflowId: 'benchVsOpenAi200', embeddings: openAiEmbeddingsModel, storeBatch: 200, ours: false },
	{ key: 'ours2000', label: 'Embeddings DigitalOcean, store batch 2,000', workflowId: 'benchVsOurs2000', embeddings: () => ourEmbeddingsModel(), storeBatch: 2000, ours: true },
	{ key: 'oursFloat2000', label: 'Embeddings DigitalOcean (Float), store batch 2,000', workflowId: 'benchVsOursF2000', embeddings: () => ourEmbeddingsModel({ encodingFormat: 'float' }), storeBatch: 2000, ours: true },
	{ key: 'openai2000', label: 'Embeddings OpenAI 1.2, store batch 2,000', workflowId: 'benchVsOpenAi2000', embeddings: openAiEmbeddingsModel, storeBatch: 2000, ours: false },
];

/** `requests` and `inputs` count the insert only (not the store check's one query request). */
interface RunFigures extends RequestFigures {
	/** Documents the store check found, and whether the query's own document came first with score 1. */
	stored: number;
	nearestIsExact: boolean;
	/** The run data n8n keeps of this execution (what it saves and what the editor loads), as JSON. */
	runDataMb: number;
}

const insertTexts = (request: LoggedRequest): number => {
	const input = (request.body as { input?: unknown } | null)?.input;
	return Array.isArray(input) ? input.length : 1;
};

function figures(variant: Variant, r: BenchRun, query: string): RunFigures {
	const posts = r.requests.filter((q) => q.method === 'POST' && q.path === '/v1/embeddings');
	// The last request is the store check's query (it runs after the insert).
	const inserts = posts.slice(0, -1);
	const found = outputOf(r.run, STORE_CHECK);
	const first = found[0]?.json as { document?: { pageContent?: string }; score?: number } | undefined;
	return {
		variant: variant.key,
		nodeMs: nodeMs(r.run, UNDER_TEST),
		processMs: r.processMs,
		requests: inserts.length,
		inputs: inserts.reduce((sum, q) => sum + insertTexts(q), 0),
		non200: posts.filter((q) => q.status !== 200).length,
		maxInFlight: r.stats.maxInFlight,
		stored: found.length,
		nearestIsExact: first?.document?.pageContent === query && Math.abs((first?.score ?? 0) - 1) < 1e-6,
		runDataMb: JSON.stringify(r.run).length / (1024 * 1024),
	};
}

export async function vectorStoreScenario(options: BenchOptions): Promise<ScenarioResult> {
	const n = options.quick ? 300 : 2000;
	const queryIndex = QUERY_INDEX % n;
	const query = `Sentence number ${queryIndex} of the bench corpus`;
	const bench = await BenchN8n.start(await options.install(), {
		emulatorConfig: { latencyMs: LATENCY_MS, embeddingDimensions: DIMENSIONS },
		workflows: () =>
			VARIANTS.map((v) =>
				vectorStoreWorkflow(v.workflowId, `Bench vector store: ${v.label} (${n})`, n, v.embeddings(), { embeddingBatchSize: v.storeBatch, query }),
			),
	});
	const raw: RunFigures[] = [];
	try {
		for (let run = 1; run <= options.runs; run++) {
			for (const variant of VARIANTS) {
				const r = await bench.run(variant.workflowId, { via: 'batch' });
				const f = figures(variant, r, query);
				raw.push(f);
				options.log(
					`vectorstore run ${run} ${variant.key}: insert ${fmt(f.nodeMs)} ms, ${f.requests} requests for ${f.inputs} texts, max in flight ${f.maxInFlight}, ${f.stored} stored, run data ${fmt(f.runDataMb, 1)} MB`,
				);
				if (f.inputs !== n || f.stored !== n || !f.nearestIsExact || f.non200 > 0) {
					throw new Error(
						`vectorstore ${variant.key}: expected ${n} texts embedded and ${n} documents stored with the query's own first, got ${f.inputs} embedded, ${f.stored} stored (exact first: ${f.nearestIsExact}, ${f.non200} non-200)\n${JSON.stringify(r.run.data.resultData.error ?? null).slice(0, 2000)}`,
					);
				}
			}
		}
	} finally {
		await bench.close();
	}

	const of = (key: string) => raw.filter((f) => f.variant === key);
	const med = (key: string, pick: (f: RunFigures) => number) => median(of(key).map(pick));
	const rows = VARIANTS.map((v) => {
		const rival = `openai${v.storeBatch}`;
		return [
			v.label,
			fmt(med(v.key, (f) => f.requests)),
			fmt(med(v.key, (f) => f.maxInFlight)),
			spread(of(v.key).map((f) => f.nodeMs), (ms) => seconds(ms)),
			`${fmt(med(rival, (f) => f.nodeMs) / med(v.key, (f) => f.nodeMs), 1)}×`,
			`${fmt(med(v.key, (f) => f.runDataMb), 1)} MB`,
			seconds(med(v.key, (f) => f.processMs), 1),
		];
	});
	const speedup = (size: number) => med(`openai${size}`, (f) => f.nodeMs) / med(`ours${size}`, (f) => f.nodeMs);
	const requestsOf = (key: string) => med(key, (f) => f.requests);
	const met = speedup(2000) >= 2 && requestsOf('ours2000') < requestsOf('openai2000');

	return {
		id: 'vectorstore',
		title: `Vector store: ${fmt(n)} documents`,
		method: [
			`One real n8n against the emulator (\`latencyMs: ${LATENCY_MS}\`, ${fmt(DIMENSIONS)}-dimension vectors like qwen3-embedding-0.6b), run with \`n8n execute-batch --snapshot\`.`,
			`Workflow: Manual Trigger → Set + Split Out (${fmt(n)} texts) → n8n's **Simple Vector Store** (in memory), *Insert Documents* (the node under test; Clear Store off) with a **Default Data Loader** (\`{{ $json.text }}\`) and the embeddings sub-node under test → a Get Many (top ${fmt(n)}) for text ${fmt(queryIndex)} with a second sub-node of the same kind. Every run is checked to have sent exactly ${fmt(n)} texts and to find ${fmt(n)} documents in the store, text ${fmt(queryIndex)} first with score 1.`,
			`Wall time = the insert node's \`executionTime\` (embedding and storing). Requests (the insert's, without the check's one query), the most requests open at once, and the share of the run data n8n keeps of the execution (its JSON size) are measured per run. The store hands its sub-node the documents in batches of its *Embedding Batch Size* (200 by default) and waits for each before the next; both sub-nodes are on their defaults: ours sends up to 2,048 texts per request, one request at a time, n8n's Embeddings OpenAI (v1.2, LangChain's OpenAIEmbeddings) up to 512 per request, all of a batch at once, and asks for base64 vectors. ${options.runs} interleaved runs per variant; medians (min–max).`,
		].join('\n\n'),
		tables: [{ headers: ['variant', 'requests', 'max in flight', 'insert wall time', 'vs OpenAI', 'run data', 'n8n process'], rows }],
		targets: [
			{
				name: `Simple Vector Store, ${fmt(n)} documents, Embedding Batch Size 2,000: Embeddings DigitalOcean vs n8n's Embeddings OpenAI, wall time`,
				target: '≥ 2×, fewer requests',
				value: `${fmt(speedup(2000), 1)}× (requests: ${fmt(requestsOf('ours2000'))} vs ${fmt(requestsOf('openai2000'))})`,
				met,
			},
		],
		charts: [
			{
				title: `Simple Vector Store, ${fmt(n)} documents: insert wall time (s, lower is better)`,
				bars: VARIANTS.map((v) => ({
					label: v.label,
					value: med(v.key, (f) => f.nodeMs) / 1000,
					text: `${seconds(med(v.key, (f) => f.nodeMs))}, ${fmt(requestsOf(v.key))} requests`,
					ours: v.ours,
				})),
			},
		],
		notes: [
			`With the store's default batch of 200 both sub-nodes send one request per batch (${fmt(requestsOf('ours200'))} vs ${fmt(requestsOf('openai200'))}); ours is ${fmt(speedup(200), 1)}× as fast there.`,
		],
		raw,
	};
}
