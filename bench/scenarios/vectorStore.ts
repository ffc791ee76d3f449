/**
 * 2,000 documents into n8n's Simple Vector Store (in memory, Insert) through our Embeddings
 * DigitalOcean sub-node vs n8n's Embeddings OpenAI sub-node pointed at the emulator, with the store's
 * default Embedding Batch Size (200) and with 2,000, in one real n8n, runs interleaved.
 */
import type { LoggedRequest } from '../../test/emulator';
import { BenchN8n, nodeMs, outputOf, type BenchRun } from '../lib/n8nBench';
import { fmt, median, seconds, spread } from '../lib/stats';
import type { BenchOptions, RequestFigures, ScenarioResult } from '../lib/types';
import { EMBEDDING_DIMENSIONS as DIMENSIONS, INSERT_EMBEDDINGS, STORE_CHECK, UNDER_TEST, openAiEmbeddingsModel, ourEmbeddingsModel, vectorStoreWorkflow, type SubNodeSpec } from '../lib/workflows';

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
	/** Time inside the insert's embedding calls: the sum of its sub-node's runs (n8n times each call). */
	embedMs: number;
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
		embedMs: (r.run.data.resultData.runData[INSERT_EMBEDDINGS] ?? []).reduce((sum, task) => sum + ((task as { executionTime?: number }).executionTime ?? NaN), 0),
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
					`vectorstore run ${run} ${variant.key}: insert ${fmt(f.nodeMs)} ms (embedding ${fmt(f.embedMs)} ms), ${f.requests} requests for ${f.inputs} texts, max in flight ${f.maxInFlight}, ${f.stored} stored, run data ${fmt(f.runDataMb, 1)} MB`,
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
			spread(of(v.key).map((f) => f.embedMs), (ms) => seconds(ms)),
			`${fmt(med(rival, (f) => f.embedMs) / med(v.key, (f) => f.embedMs), 1)}×`,
			`${fmt(med(v.key, (f) => f.runDataMb), 1)} MB`,
			seconds(med(v.key, (f) => f.processMs), 1),
		];
	});
	const ms = (key: string, pick: (f: RunFigures) => number) => seconds(med(key, pick));
	const speedup = (size: number, pick: (f: RunFigures) => number = (f) => f.nodeMs) => med(`openai${size}`, pick) / med(`ours${size}`, pick);
	const requestsOf = (key: string) => med(key, (f) => f.requests);
	const runDataOf = (key: string) => `${fmt(med(key, (f) => f.runDataMb), 1)} MB`;
	const met = speedup(2000) >= 2 && requestsOf('ours2000') < requestsOf('openai2000');

	return {
		id: 'vectorstore',
		title: `Vector store: ${fmt(n)} documents`,
		method: [
			`One real n8n against the emulator (\`latencyMs: ${LATENCY_MS}\`, ${fmt(DIMENSIONS)}-dimension vectors like qwen3-embedding-0.6b), run with \`n8n execute-batch --snapshot\`.`,
			`Workflow: Manual Trigger → Set + Split Out (${fmt(n)} texts) → n8n's **Simple Vector Store** (in memory), *Insert Documents* (the node under test; Clear Store off) with a **Default Data Loader** (\`{{ $json.text }}\`) and the embeddings sub-node under test → a Get Many (top ${fmt(n)}) for text ${fmt(queryIndex)} with a second sub-node of the same kind. Every run is checked to have sent exactly ${fmt(n)} texts and to find ${fmt(n)} documents in the store, text ${fmt(queryIndex)} first with score 1.`,
			`Wall time = the insert node's \`executionTime\` (reading the documents, embedding and storing); *of which embedding* = the time inside the embedding calls, the sum of the sub-node's runs as n8n times them. Requests (the insert's, without the check's one query), the most requests open at once, and the share of the run data n8n keeps of the execution (its JSON size) are measured per run. The store hands its sub-node the documents in batches of its *Embedding Batch Size* (200 by default) and waits for each before the next; both sub-nodes are on their defaults: ours sends up to 2,048 texts per request, one request at a time; n8n's Embeddings OpenAI (v1.2, LangChain's OpenAIEmbeddings) up to 512 per request, all of a batch at once. Both ask for base64 vectors (the *Float* row is ours with Encoding Float). ${options.runs} interleaved runs per variant; medians (min–max).`,
		].join('\n\n'),
		tables: [{ headers: ['variant', 'requests', 'max in flight', 'insert wall time', 'vs OpenAI', 'of which embedding', 'vs OpenAI', 'run data', 'n8n process'], rows }],
		targets: [
			{
				name: `Simple Vector Store, ${fmt(n)} documents, Embedding Batch Size 2,000: Embeddings DigitalOcean vs n8n's Embeddings OpenAI, wall time`,
				target: '≥ 2×, fewer requests',
				value: `${fmt(speedup(2000), 1)}× (requests: ${fmt(requestsOf('ours2000'))} vs ${fmt(requestsOf('openai2000'))})`,
				met,
				note: met
					? undefined
					: `the embedding calls are only part of the insert (${ms('ours2000', (f) => f.embedMs)} vs ${ms('openai2000', (f) => f.embedMs)} of ${ms('ours2000', (f) => f.nodeMs)} vs ${ms('openai2000', (f) => f.nodeMs)}: ${fmt(speedup(2000, (f) => f.embedMs), 1)}×); the rest is n8n's own work per document, the same for both. Both ask for base64 vectors and the emulator's latency is paid once either way; the gains are ${fmt(requestsOf('ours2000'))} request instead of ${fmt(requestsOf('openai2000'))} and ${runDataOf('ours2000')} instead of ${runDataOf('openai2000')} of run data`,
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
			`With the store's default Embedding Batch Size of 200 both sub-nodes send one request per batch (${fmt(requestsOf('ours200'))} vs ${fmt(requestsOf('openai200'))}, one after the other) and their embedding calls take about as long (${ms('ours200', (f) => f.embedMs)} vs ${ms('openai200', (f) => f.embedMs)}): ${fmt(requestsOf('ours200'))} × the ${LATENCY_MS} ms latency plus the vectors. Fewer requests need a store batch above 512, the most n8n's sub-node puts in one request.`,
			`The insert's wall time is mostly n8n's own work per document, the same for both: the Default Data Loader reads and splits each item and logs it in its panel, and the store keeps it.`,
			`Run data: n8n's Embeddings OpenAI (through n8n's logWrapper) keeps every vector in the execution — ${runDataOf('openai2000')} for ${fmt(n)} × ${fmt(DIMENSIONS)} numbers, which n8n saves and the editor loads; ours keeps the texts and a summary per call (the ${runDataOf('ours2000')} are mostly the documents in the other nodes' output). *n8n process* (start-up, the run, saving it, and the bench's snapshot of the run data) grows with it.`,
			`The *Float* row is why the sub-node asks for base64 by default: the same vectors as JSON numbers are four times the reply, and its embedding calls take ${ms('oursFloat2000', (f) => f.embedMs)} instead of ${ms('ours2000', (f) => f.embedMs)}.`,
		],
		raw,
	};
}
