/**
 * Embeddings, N items: our node (batches of 256, one at a time and four at a time) vs the HTTP
 * Request node sending one POST /v1/embeddings per item, in one real n8n, runs interleaved.
 */
import { BenchN8n, nodeMs, outputOf, type BenchRun } from '../lib/n8nBench';
import { fmt, median, seconds, spread } from '../lib/stats';
import type { BenchOptions, RequestFigures, ScenarioResult } from '../lib/types';
import { EMBEDDING_DIMENSIONS as DIMENSIONS, EMBEDDING_MODEL, UNDER_TEST, httpRequest, ourEmbeddings, textWorkflow } from '../lib/workflows';

const LATENCY_MS = 100;
const BATCH = 256;

interface Variant {
	key: string;
	label: string;
	workflowId: string;
	ours: boolean;
}

const VARIANTS: Variant[] = [
	{ key: 'ours', label: `DigitalOcean Embeddings, batch ${BATCH}`, workflowId: 'benchEmbOurs1', ours: true },
	{ key: 'ours4', label: `DigitalOcean Embeddings, batch ${BATCH}, concurrency 4`, workflowId: 'benchEmbOurs4', ours: true },
	{ key: 'http', label: 'HTTP Request node 4.2, per item', workflowId: 'benchEmbHttp1', ours: false },
];

interface RunFigures extends RequestFigures {
	items: number;
	vectors: number;
}

function figures(variant: Variant, r: BenchRun): RunFigures {
	const posts = r.requests.filter((q) => q.method === 'POST' && q.path === '/v1/embeddings');
	const out = outputOf(r.run, UNDER_TEST);
	const vectorOf = (json: Record<string, any>): unknown => (variant.ours ? json.embedding : json.data?.[0]?.embedding);
	return {
		variant: variant.key,
		nodeMs: nodeMs(r.run, UNDER_TEST),
		processMs: r.processMs,
		requests: posts.length,
		inputs: posts.reduce((sum, q) => {
			const input = (q.body as { input?: unknown } | null)?.input;
			return sum + (Array.isArray(input) ? input.length : 1);
		}, 0),
		non200: posts.filter((q) => q.status !== 200).length,
		maxInFlight: r.stats.maxInFlight,
		items: out.length,
		vectors: out.filter((item) => {
			const v = vectorOf(item.json);
			return Array.isArray(v) && v.length === DIMENSIONS;
		}).length,
	};
}

export async function embeddingsScenario(options: BenchOptions): Promise<ScenarioResult> {
	const n = options.quick ? 200 : 2000;
	const body = `={{ JSON.stringify({ model: ${JSON.stringify(EMBEDDING_MODEL)}, input: $json.text }) }}`;
	const bench = await BenchN8n.start(await options.install(), {
		emulatorConfig: { latencyMs: LATENCY_MS, embeddingDimensions: DIMENSIONS },
		workflows: ({ emulatorUrl }) => [
			textWorkflow('benchEmbOurs1', `Bench embeddings: ours (${n})`, n, ourEmbeddings(BATCH, 1)),
			textWorkflow('benchEmbOurs4', `Bench embeddings: ours c4 (${n})`, n, ourEmbeddings(BATCH, 4)),
			textWorkflow('benchEmbHttp1', `Bench embeddings: HTTP Request (${n})`, n, httpRequest(`${emulatorUrl}/v1/embeddings`, body)),
		],
	});
	const raw: RunFigures[] = [];
	try {
		for (let run = 1; run <= options.runs; run++) {
			for (const variant of VARIANTS) {
				const r = await bench.run(variant.workflowId, { via: 'batch' });
				const f = figures(variant, r);
				raw.push(f);
				options.log(`embeddings run ${run} ${variant.key}: node ${fmt(f.nodeMs)} ms, ${f.requests} requests for ${f.inputs} texts, max in flight ${f.maxInFlight}, ${f.vectors}/${f.items} vectors`);
				if (f.items !== n || f.vectors !== n || f.inputs !== n || f.non200 > 0) {
					throw new Error(`embeddings ${variant.key}: expected ${n} vectors from ${n} texts, got ${f.vectors}/${f.items} (${f.inputs} texts sent, ${f.non200} non-200)\n${JSON.stringify(r.run.data.resultData.error ?? null).slice(0, 2000)}`);
				}
			}
		}
	} finally {
		await bench.close();
	}

	const of = (key: string) => raw.filter((f) => f.variant === key);
	const med = (key: string, pick: (f: RunFigures) => number) => median(of(key).map(pick));
	const http = med('http', (f) => f.nodeMs);
	const rows = VARIANTS.map((v) => [
		v.label,
		fmt(med(v.key, (f) => f.requests)),
		fmt(med(v.key, (f) => f.maxInFlight)),
		spread(of(v.key).map((f) => f.nodeMs), (ms) => seconds(ms)),
		`${fmt(http / med(v.key, (f) => f.nodeMs), 1)}×`,
		seconds(med(v.key, (f) => f.processMs), 1),
	]);
	const speedup = http / med('ours', (f) => f.nodeMs);
	const requestRatio = med('http', (f) => f.requests) / med('ours', (f) => f.requests);

	return {
		id: 'embeddings',
		title: `Embeddings: ${fmt(n)} items`,
		method: [
			`One real n8n against the emulator (\`latencyMs: ${LATENCY_MS}\`, ${fmt(DIMENSIONS)}-dimension vectors like qwen3-embedding-0.6b). Run with \`n8n execute-batch --snapshot\` (the run data of ${fmt(n)} vectors is too big for \`n8n execute\`'s printed output, which arrives cut off).`,
			`Workflow: Manual Trigger → Set + Split Out (${fmt(n)} texts) → the node under test. Wall time = the node's \`executionTime\`; requests, texts per request and the most requests open at once from the emulator. Every run is checked to return ${fmt(n)} vectors of the right length from exactly ${fmt(n)} texts sent. ${options.runs} interleaved runs per variant; medians (min–max).`,
			'HTTP Request is v4.2, POST `/v1/embeddings` with `{model, input: <the item text>}` per item (Header Auth).',
		].join('\n\n'),
		tables: [{ headers: ['variant', 'requests', 'max in flight', 'node wall time', 'vs HTTP Request', 'n8n process'], rows }],
		targets: [
			{
				name: `Embeddings ${fmt(n)} items: ours (batch ${BATCH}) vs HTTP Request per item, wall time`,
				target: '≥ 20×',
				value: `${fmt(speedup, 1)}× (requests: ${fmt(requestRatio, 0)}× fewer)`,
				met: speedup >= 20,
				note:
					speedup >= 20
						? undefined
						: `n8n's HTTP Request node does not wait for one item's answer before sending the next (no concurrency bound: ${fmt(med('http', (f) => f.maxInFlight))} in flight at most), so its time is n8n's per-item work, not ${fmt(n)} × latency; the batched node sends ${fmt(requestRatio, 0)}× fewer requests (quota, rate limits)`,
			},
		],
		charts: [
			{
				title: `Embeddings, ${fmt(n)} items: node wall time (s, lower is better)`,
				bars: VARIANTS.map((v) => ({ label: v.label, value: med(v.key, (f) => f.nodeMs) / 1000, text: `${seconds(med(v.key, (f) => f.nodeMs))}, ${fmt(med(v.key, (f) => f.requests))} requests`, ours: v.ours })),
			},
		],
		notes: [
			`Both routes move the same vectors (${fmt(n)} × ${fmt(DIMENSIONS)} numbers), and building, sending and parsing them is most of the time on both; the difference is the requests. Under the rate-limit scenario's quota of 120 requests/minute, ${fmt(med('http', (f) => f.requests))} per-item requests would take at least ${fmt(med('http', (f) => f.requests) / 120 - 1 / 6, 1)} minutes; the ${fmt(med('ours', (f) => f.requests))} batched ones fit in the first window.`,
		],
		raw,
	};
}
