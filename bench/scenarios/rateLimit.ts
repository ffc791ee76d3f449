/**
 * Rate limit: the emulator allows `limit` requests per sliding `window` (R = limit per window, as a
 * per-minute rate) and answers 429 + `retry-after` beyond it. N items through our Chat node vs n8n's
 * OpenAI node (On Error → Continue, so failures are counted), and the OpenAI node with n8n's
 * Retry On Fail (the node is rerun from its first item).
 */
import { BenchN8n, nodeMs, outputOf, type BenchRun } from '../lib/n8nBench';
import { fmt, median, seconds, spread } from '../lib/stats';
import type { BenchOptions, ScenarioResult } from '../lib/types';
import { UNDER_TEST, openAiMessage, ourChat, promptWorkflow } from '../lib/workflows';

const LATENCY_MS = 100;

interface Variant {
	key: string;
	label: string;
	workflowId: string;
	path: string;
	ours: boolean;
}

const VARIANTS: Variant[] = [
	{ key: 'ours', label: 'DigitalOcean Chat, concurrency 8', workflowId: 'benchQuotaOurs8', path: '/v1/chat/completions', ours: true },
	{ key: 'openai', label: 'OpenAI node, On Error: Continue', workflowId: 'benchQuotaOpenAi1', path: '/v1/responses', ours: false },
	{ key: 'openaiRetry', label: 'OpenAI node, Retry On Fail (5 × 5 s)', workflowId: 'benchQuotaOpenAi2', path: '/v1/responses', ours: false },
];

interface RunFigures {
	variant: string;
	nodeMs: number;
	completed: number;
	failed: number;
	workflowFailed: boolean;
	requests: number;
	ok: number;
	status429: number;
	/** Successful requests per minute after the first window's allowance: (ok − limit) / (last ok − first ok). */
	sustainedPerMin: number;
}

export async function rateLimitScenario(options: BenchOptions): Promise<ScenarioResult> {
	const n = options.quick ? 30 : 60;
	// R = 120 requests/minute in both modes, as `limit` per `windowSec`; retry-after = the window.
	const limit = options.quick ? 10 : 20;
	const windowSec = options.quick ? 5 : 10;
	const perMinute = (limit * 60) / windowSec;
	const quota = { limit, windowMs: windowSec * 1000, retryAfterSec: windowSec };
	const bench = await BenchN8n.start(await options.install(), {
		emulatorConfig: { latencyMs: LATENCY_MS, streamChunkDelayMs: 0, quota },
		workflows: () => [
			promptWorkflow('benchQuotaOurs8', `Bench quota: ours c8 (${n})`, n, ourChat(8, { onError: 'continueRegularOutput' })),
			promptWorkflow('benchQuotaOpenAi1', `Bench quota: OpenAI node (${n})`, n, openAiMessage({ onError: 'continueRegularOutput' })),
			promptWorkflow('benchQuotaOpenAi2', `Bench quota: OpenAI retry (${n})`, n, openAiMessage({ retryOnFail: true, maxTries: 5, waitBetweenTries: 5000 })),
		],
	});
	const raw: RunFigures[] = [];
	const figures = (variant: Variant, r: BenchRun): RunFigures => {
		const posts = r.requests.filter((q) => q.method === 'POST' && q.path === variant.path);
		const okTimes = posts.filter((q) => q.status === 200).map((q) => q.time);
		const out = outputOf(r.run, UNDER_TEST);
		const workflowFailed = r.run.data.resultData.error !== undefined;
		const failed = out.filter((item) => item.json.error !== undefined).length;
		const completed = out.length - failed;
		const span = okTimes.length > limit ? (Math.max(...okTimes) - Math.min(...okTimes)) / 60_000 : NaN;
		return {
			variant: variant.key,
			nodeMs: nodeMs(r.run, UNDER_TEST),
			completed: workflowFailed ? 0 : completed,
			failed: workflowFailed ? n : failed,
			workflowFailed,
			requests: posts.length,
			ok: okTimes.length,
			status429: posts.filter((q) => q.status === 429).length,
			sustainedPerMin: (okTimes.length - limit) / span,
		};
	};
	try {
		for (let run = 1; run <= options.runs; run++) {
			for (const variant of VARIANTS) {
				const r = await bench.run(variant.workflowId);
				const f = figures(variant, r);
				raw.push(f);
				options.log(`ratelimit run ${run} ${variant.key}: node ${fmt(f.nodeMs)} ms, ${f.completed} completed, ${f.failed} failed${f.workflowFailed ? ' (workflow failed)' : ''}, ${f.requests} requests (${f.status429} × 429), ${fmt(f.sustainedPerMin, 1)}/min`);
			}
		}
	} finally {
		await bench.close();
	}

	const of = (key: string) => raw.filter((f) => f.variant === key);
	const med = (key: string, pick: (f: RunFigures) => number) => median(of(key).map(pick));
	const rows = VARIANTS.map((v) => [
		v.label,
		fmt(med(v.key, (f) => f.completed)),
		fmt(med(v.key, (f) => f.failed)) + (of(v.key).some((f) => f.workflowFailed) ? ' (workflow failed)' : ''),
		fmt(med(v.key, (f) => f.requests)),
		fmt(med(v.key, (f) => f.ok)),
		fmt(med(v.key, (f) => f.status429)),
		spread(of(v.key).map((f) => f.nodeMs), (ms) => seconds(ms, 1)),
		of(v.key).some((f) => f.workflowFailed)
			? '– (no output)'
			: Number.isFinite(med(v.key, (f) => f.sustainedPerMin))
				? `${fmt(med(v.key, (f) => f.sustainedPerMin), 0)}/min = ${fmt(med(v.key, (f) => f.sustainedPerMin) / perMinute, 2)}·R`
				: '–',
	]);
	const ours = of('ours');
	const oursRate = med('ours', (f) => f.sustainedPerMin) / perMinute;
	const oursFailed = Math.max(...ours.map((f) => f.failed));

	return {
		id: 'ratelimit',
		title: `Rate limit: ${n} items under a quota of R = ${perMinute}/min (${limit} per ${windowSec} s)`,
		method: [
			`One real n8n; the emulator allows ${limit} requests per sliding ${windowSec} s window per key (R = ${perMinute} requests/minute) and answers the rest with 429, \`retry-after: ${windowSec}\` and \`ratelimit-reset\` (latency ${LATENCY_MS} ms). Each run starts with an empty window, so the first ${limit} requests pass at once.`,
			`**Completed / failed** = the node's output items without / with an \`error\` (On Error → Continue); a failed workflow counts all ${n} as failed. **Achieved rate** = successful requests after the first window's allowance per minute, (ok − ${limit}) / (last ok − first ok), from the emulator's log — exactly R when a sender uses every slot as soon as it frees. ${options.runs} interleaved runs; medians.`,
			`Our node keeps its defaults (3 retries, waits what \`retry-after\` says, and one 429 pauses every request with that key). The OpenAI node (v2.3) has no retry of its own; the third variant turns on n8n's node setting *Retry On Fail* (5 tries, 5 s apart — the most n8n allows), which reruns the whole node from the first item.`,
		].join('\n\n'),
		tables: [{ headers: ['variant', 'completed', 'failed', 'requests', 'answered 200 (billed)', '429s', 'node wall time', 'achieved rate'], rows }],
		targets: [
			{
				name: `Under a quota of R = ${perMinute}/min: our node's achieved rate, failed items`,
				target: '≥ 0.9·R, 0 failed',
				value: `${fmt(oursRate, 2)}·R, ${oursFailed} failed`,
				met: oursRate >= 0.9 && oursFailed === 0,
				note:
					oursRate >= 0.9 && oursFailed === 0
						? undefined
						: 'a fixed retry-after (the whole window) makes the retried requests wait until the oldest slot has expired plus the request still in flight at that time',
			},
		],
		charts: [
			{
				title: `Rate limit, ${n} items at R = ${perMinute}/min: items completed (higher is better)`,
				bars: VARIANTS.map((v) => ({
					label: v.label,
					value: med(v.key, (f) => f.completed),
					text: `${fmt(med(v.key, (f) => f.completed))} of ${n} (${fmt(med(v.key, (f) => f.status429))} × 429)`,
					ours: v.ours,
				})),
			},
		],
		notes: [
			'With Retry On Fail, n8n reruns the OpenAI node from its first item after a failure, so every try spends the quota on the items that had already succeeded, and the run ends with no output although many requests were answered (and billed).',
		],
		raw,
	};
}
