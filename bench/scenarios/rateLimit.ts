/**
 * Rate limit: the emulator allows `limit` requests per sliding `window` (R = limit per window, as a
 * per-minute rate) and answers 429 + `retry-after` beyond it. N items through our Chat node vs n8n's
 * OpenAI node (On Error → Continue, so failures are counted), and the OpenAI node with n8n's
 * Retry On Fail (the node is rerun from its first item). Our node runs a second time against 429s
 * that carry no `retry-after`, only the rate-limit reset headers (the emulator's 'observed' mode).
 */
import type { EmulatorConfigPatch } from '../../test/emulator';
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
	/** Emulator switches for this variant's runs. */
	config?: EmulatorConfigPatch;
}

const VARIANTS: Variant[] = [
	{ key: 'ours', label: 'DigitalOcean Chat, concurrency 8', workflowId: 'benchQuotaOurs8', path: '/v1/chat/completions', ours: true },
	{
		key: 'oursResetHeaders',
		label: 'DigitalOcean Chat, concurrency 8, 429s without retry-after',
		workflowId: 'benchQuotaOurs8',
		path: '/v1/chat/completions',
		ours: true,
		config: { rateLimitHeaders: 'observed' },
	},
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
	/** The most 429s one item met (each costs one of its retries; our node has 3). */
	max429PerItem: number;
	/** Successful requests per minute after the first window's allowance: (ok − limit) / (last ok − first ok). */
	sustainedPerMin: number;
}

function countBy<T>(values: T[], key: (value: T) => string): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
	return counts;
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
			max429PerItem: Math.max(0, ...Object.values(countBy(posts.filter((q) => q.status === 429), (q) => JSON.stringify(q.body)))),
			sustainedPerMin: (okTimes.length - limit) / span,
		};
	};
	try {
		for (let run = 1; run <= options.runs; run++) {
			for (const variant of VARIANTS) {
				const r = await bench.run(variant.workflowId, { config: variant.config });
				const f = figures(variant, r);
				raw.push(f);
				options.log(`ratelimit run ${run} ${variant.key}: node ${fmt(f.nodeMs)} ms, ${f.completed} completed, ${f.failed} failed${f.workflowFailed ? ' (workflow failed)' : ''}, ${f.requests} requests (${f.status429} × 429, at most ${f.max429PerItem} for one item), ${fmt(f.sustainedPerMin, 1)}/min`);
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
		`${fmt(med(v.key, (f) => f.status429))} (≤ ${Math.max(...of(v.key).map((f) => f.max429PerItem))} per item)`,
		spread(of(v.key).map((f) => f.nodeMs), (ms) => seconds(ms, 1)),
		of(v.key).some((f) => f.workflowFailed)
			? '– (no output)'
			: Number.isFinite(med(v.key, (f) => f.sustainedPerMin))
				? `${fmt(med(v.key, (f) => f.sustainedPerMin), 0)}/min = ${fmt(med(v.key, (f) => f.sustainedPerMin) / perMinute, 2)}·R`
				: '–',
	]);
	const rateOf = (key: string) => med(key, (f) => f.sustainedPerMin) / perMinute;
	const failedOf = (key: string) => Math.max(...of(key).map((f) => f.failed));
	const oursRate = rateOf('ours');
	const oursFailed = failedOf('ours');
	const resetRate = rateOf('oursResetHeaders');
	const resetFailed = failedOf('oursResetHeaders');

	return {
		id: 'ratelimit',
		title: `Rate limit: ${n} items under a quota of R = ${perMinute}/min (${limit} per ${windowSec} s)`,
		method: [
			`One real n8n; the emulator allows ${limit} requests per sliding ${windowSec} s window per key (R = ${perMinute} requests/minute) and answers the rest with 429, \`retry-after: ${windowSec}\` and \`ratelimit-reset\` (latency ${LATENCY_MS} ms). Each run starts with an empty window, so the first ${limit} requests pass at once.`,
			`**Completed / failed** = the node's output items without / with an \`error\` (On Error → Continue); a failed workflow counts all ${n} as failed. **Achieved rate** = successful requests after the first window's allowance per minute, (ok − ${limit}) / (last ok − first ok), from the emulator's log — exactly R when a sender uses every slot as soon as it frees. **429s** (≤ n per item) = the median count and the most any one item met in any run (each costs one of the item's retries). ${options.runs} interleaved runs; medians.`,
			`Our node keeps its defaults (3 retries, waits what \`retry-after\` says, and one 429 pauses every request with that key). Its second row is the same workflow while the emulator's 429s carry **no** \`retry-after\` (its \`rateLimitHeaders: 'observed'\` mode): only \`ratelimit-reset\` (a unix time, whole seconds) and the live-observed \`x-ratelimit-*\` family — \`x-ratelimit-reset-requests\` (e.g. \`9.7s\`, until the oldest request leaves the window) with \`x-ratelimit-remaining-requests: 0\`, and token limits per minute and per day that still have room (\`x-ratelimit-reset-tokens-per-day\` says hours): the node must wait for the exhausted limit, not the longest. The OpenAI node (v2.3) has no retry of its own; the last variant turns on n8n's node setting *Retry On Fail* (5 tries, 5 s apart — the most n8n allows), which reruns the whole node from the first item.`,
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
			{
				name: `Same, 429s without retry-after (only ratelimit-reset and x-ratelimit-reset-*): achieved rate, failed items`,
				target: '≥ 0.9·R, 0 failed',
				value: `${fmt(resetRate, 2)}·R, ${resetFailed} failed`,
				met: resetRate >= 0.9 && resetFailed === 0,
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
