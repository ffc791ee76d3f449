/**
 * Fault suite (`npm run test:faults`): the nodes run in-process against the emulator over real HTTP,
 * with faults aimed at single items (the emulator's `bodyIncludes` target), so every expectation is
 * exact: which request of which item saw which fault, how many requests each item needed, which job
 * exists. All runs use one random Model Access Key, which is finally searched for in everything the
 * nodes produced. Figures go to test-artifacts/faults/summary.json and the console.
 */
import { randomBytes } from 'node:crypto';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DigitalOceanFal } from '../../nodes/DigitalOceanFal/DigitalOceanFal.node';
import { DigitalOceanVideo } from '../../nodes/DigitalOceanVideo/DigitalOceanVideo.node';
import { clearModelCache } from '../../nodes/shared/models';
import { resetGates } from '../../nodes/shared/rateGate';
import { imageMagic, isMp4, keyFingerprint, startEmulator, type CdnRequest, type Emulator, type Fault, type LoggedRequest } from '../emulator';
import { fakeExecuteContext, type FakeContextOptions, type Params } from '../unit/helpers/fakeContext';
import { captureOutput, Collector } from './keyScan';
import { expectedRequests, expectedStatuses, failingFault, planChatRun, seededRandom, seedFromEnv, shuffled, TRANSIENT_KINDS, type ChatItemPlan, type TransientKind } from './plan';
import { Summary } from './summary';

const CHAT = '/v1/chat/completions';
const VIDEOS = '/v1/video/generations';
const INVOKE = '/v1/async-invoke';
/** Shaped like a real DO Model Access Key; random per run so a leak cannot hide behind a fixture. */
const KEY = `sk-do-${randomBytes(32).toString('hex')}`;
/** A second secret: the wrong key of a failed 401 run must not leak either. */
const WRONG_KEY = `sk-do-${randomBytes(32).toString('hex')}`;
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

const seed = seedFromEnv();
const summary = new Summary(seed);
const collector = new Collector();
const cdnSeen: CdnRequest[] = [];
/** One logged request that carried the key: the positive control of the key scan. */
const keyBearingRequests: LoggedRequest[] = [];
let emu: Emulator;
let restoreOutput: () => void = () => undefined;
const suiteStarted = Date.now();

beforeAll(async () => {
	emu = await startEmulator({ keys: [KEY] });
	restoreOutput = captureOutput(collector.logLines);
});
afterAll(async () => {
	restoreOutput();
	await emu?.close();
});
beforeEach(() => {
	emu.control.reset();
	resetGates();
	clearModelCache();
});
afterEach(() => {
	cdnSeen.push(...emu.control.cdnRequests());
	if (keyBearingRequests.length === 0) keyBearingRequests.push(...emu.control.requests().slice(0, 1));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await sleep(10);
	}
}

/**
 * The fake n8n context, with every logger level recorded (the key scan reads it). It is not tied to a node
 * type (`node: null`): each scenario sets every parameter it needs, and the unit tests cover the defaults.
 */
function context(params: Params, extra: Partial<FakeContextOptions> = {}, apiKey = KEY) {
	const ctx = fakeExecuteContext({ params, credentials: { apiKey, baseUrl: emu.url }, ...extra, node: null });
	const record =
		(level: string) =>
		(message: string, meta?: unknown): void => {
			ctx.debugLog.push(`${level === 'debug' ? '' : `[${level}] `}${message} ${JSON.stringify(meta ?? {})}`);
		};
	(ctx as { logger: unknown }).logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
	return ctx;
}

/** Runs a node; its output, error and log all go to the key scan. */
async function execute(node: INodeType, ctx: IExecuteFunctions & { debugLog: string[] }, label: string): Promise<INodeExecutionData[]> {
	try {
		const output = (await node.execute!.call(ctx)) as INodeExecutionData[][];
		collector.add(`${label}: output`, output);
		return output[0];
	} catch (error) {
		collector.add(`${label}: thrown error`, error);
		throw error;
	} finally {
		collector.add(`${label}: log`, ctx.debugLog);
	}
}

const errorText = (item: INodeExecutionData) => String(item.json.error ?? '');
/** A continueOnFail error item (a job's own `error: null` field is not one). */
const isErrorItem = (item: INodeExecutionData) => Object.keys(item.json).length === 1 && typeof item.json.error === 'string';
const retriesIn = (log: string[]) => log.filter((line) => line.startsWith('[DigitalOcean] Retrying')).length;

/** Waits until the emulator has a final status for every request (a reset socket closes a moment later). */
async function settledLog(path?: string): Promise<LoggedRequest[]> {
	await waitFor(() => emu.control.requests().every((request) => request.status !== undefined));
	return emu.control.requests().filter((request) => path === undefined || request.path === path);
}

/** Faults still queued in the emulator (0 = every planned fault was injected), via the control API. */
async function faultsLeft(): Promise<number> {
	const res = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ faults: [] }) });
	return ((await res.json()) as { queued: number }).queued;
}

function promptOf(request: LoggedRequest): string {
	const body = request.body as { messages?: Array<{ content?: unknown }>; prompt?: unknown; input?: { prompt?: unknown } };
	return String(body?.messages?.at(-1)?.content ?? body?.prompt ?? body?.input?.prompt ?? '');
}

function countBy<T>(values: T[], key: (value: T) => string): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
	return counts;
}

/** Items whose pairedItem shows up more than once / never. */
function duplicatesAndLost(output: INodeExecutionData[], items: number): { duplicates: number; lost: number } {
	const seen = countBy(output, (item) => String((item.pairedItem as { item: number }).item));
	const duplicates = Object.values(seen).reduce((sum, n) => sum + Math.max(0, n - 1), 0);
	const lost = Array.from({ length: items }, (_, i) => i).filter((i) => !seen[String(i)]).length;
	return { duplicates, lost };
}

describe('1. transient faults on 1,000 chat items', () => {
	const ITEMS = 1_000;
	const CONCURRENCY = 8;
	const TIMEOUT_S = 5;
	const SLOW_HEADERS_MS = 1_500;

	/** What a failed item's error says: how it broke, how much of the paid answer had arrived, and that it was not repeated. */
	const NOT_REPEATED: Partial<Record<TransientKind, RegExp>> = {
		'reset mid-stream': /^The connection was reset while the answer was arriving\. \d+ characters of text had arrived when this happened\. The request was not repeated, so as not to be billed twice/,
		'truncated stream': /^The answer stream ended before the answer was complete\. \d+ characters of text had arrived when this happened\. The request was not repeated, so as not to be billed twice/,
		'reset mid-body (JSON)': /^The connection was reset while the answer was arriving\. [\d,]+ bytes of the reply had arrived when this happened\. The request was not repeated, so as not to be billed twice/,
	};

	it(
		`~10 % of the items hit by 429 / 5xx / resets / broken streams / slow headers: faults before the answer are retried, a paid answer that broke is an error item in place, never a second request`,
		async () => {
			const random = seededRandom(seed);
			const plans = planChatRun(
				{ items: ITEMS, faultedShare: 0.1, doubleShare: 0.1, jsonEvery: 10, slowHeadersMs: SLOW_HEADERS_MS, path: CHAT },
				random,
			);
			const faults = plans.flatMap((plan) => plan.faults);
			emu.control.enqueueFaults(faults.map((f) => f.fault));
			expect(await faultsLeft()).toBe(faults.length);

			const ctx = context(
				{ model: byId('llama3.3-70b-instruct'), inputType: 'prompt', requestOptions: { concurrency: CONCURRENCY, maxRetries: 6, timeout: TIMEOUT_S } },
				{ perItem: plans.map((plan) => ({ prompt: plan.prompt, options: plan.stream ? {} : { stream: false } })), continueOnFail: true },
			);
			const started = Date.now();
			const output = await execute(new DigitalOceanChat(), ctx, 'chat ×1000');
			const ms = Date.now() - started;
			const log = await settledLog(CHAT);

			// Every planned fault was consumed by the request it was aimed at.
			expect(await faultsLeft()).toBe(0);

			// Output: one item per input item, in order, each the answer to its own prompt or the error of its own fault.
			expect(output).toHaveLength(ITEMS);
			const byItem = new Map<number, LoggedRequest[]>();
			for (const request of log) {
				const match = /\[fs-[0-9a-f]{6}-(\d{4})\]/.exec(promptOf(request));
				expect(match).not.toBeNull();
				const index = Number(match![1]);
				byItem.set(index, [...(byItem.get(index) ?? []), request]);
			}
			const wrong: string[] = [];
			output.forEach((item, i) => {
				const plan = plans[i];
				const requests = byItem.get(i) ?? [];
				if ((item.pairedItem as { item: number }).item !== i) wrong.push(`item ${i}: pairedItem ${JSON.stringify(item.pairedItem)}`);
				const failed = failingFault(plan);
				if (failed) {
					if (!isErrorItem(item) || !NOT_REPEATED[failed.kind]!.test(errorText(item))) {
						wrong.push(`item ${i} (${failed.kind}): ${JSON.stringify(item.json).slice(0, 300)}`);
					}
				} else {
					if (item.json.content !== `Echo: ${plan.prompt}`) wrong.push(`item ${i}: content ${JSON.stringify(item.json.content)}`);
					// The answer came from this item's own last request (DO's x-request-id = the emulator's log id).
					if (item.json.requestId !== requests.at(-1)?.id) wrong.push(`item ${i}: requestId not its last request`);
				}
				if (requests.some((request) => ((request.body as { stream?: boolean }).stream === true) !== plan.stream)) {
					wrong.push(`item ${i}: not sent as ${plan.stream ? 'a stream' : 'JSON'}`);
				}
				const statuses = requests.map((request) => request.status);
				if (JSON.stringify(statuses) !== JSON.stringify(expectedStatuses(plan))) {
					wrong.push(`item ${i} (${plan.faults.map((f) => f.kind).join(' + ') || 'no fault'}): statuses ${JSON.stringify(statuses)}, expected ${JSON.stringify(expectedStatuses(plan))}`);
				}
			});
			expect(wrong).toEqual([]);
			const failedPlans = plans.filter((plan) => failingFault(plan) !== undefined);
			expect(output.filter(isErrorItem)).toHaveLength(failedPlans.length);
			expect(failedPlans.length).toBeGreaterThan(0);
			expect(new Set(output.filter((item) => !isErrorItem(item)).map((item) => item.json.requestId)).size).toBe(ITEMS - failedPlans.length);

			// Requests and retries, accounted exactly: a paid answer that broke was never sent again.
			const expectedTotal = plans.reduce((sum, plan) => sum + expectedRequests(plan), 0);
			expect(log).toHaveLength(expectedTotal);
			const retries = retriesIn(ctx.debugLog);
			expect(retries).toBe(log.length - ITEMS);
			for (const plan of failedPlans) expect(byItem.get(plan.index)).toHaveLength(expectedRequests(plan));
			// 200s: one answer per answered item, plus the truncated streams (they end cleanly, without their finish).
			const planned200s = plans.reduce((sum, plan) => sum + expectedStatuses(plan).filter((status) => status === 200).length, 0);
			expect(log.filter((request) => request.status === 200)).toHaveLength(planned200s);

			// A 429's retry waited at least what the server asked (retry-after / retry-after-ms).
			const waits: number[] = [];
			for (const plan of plans) {
				const requests = byItem.get(plan.index)!;
				requests.forEach((request, k) => {
					const fault = plan.faults.filter((f) => f.retried)[k];
					if (fault?.kind !== '429') return;
					const gap = requests[k + 1].time - request.time;
					waits.push(gap);
					expect(gap).toBeGreaterThanOrEqual(fault.waitMs! - 5);
				});
			}
			expect(waits.length).toBe(faults.filter((f) => f.kind === '429').length);

			const stats = emu.control.stats();
			expect(stats.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
			expect(stats.maxInFlight).toBeGreaterThanOrEqual(2);

			const { duplicates, lost } = duplicatesAndLost(output, ITEMS);
			expect({ duplicates, lost }).toEqual({ duplicates: 0, lost: 0 });
			const injected = countBy(faults, (f) => f.kind);
			summary.add({
				scenario: '1 chat ×1000, transient',
				items: ITEMS,
				faults: Object.fromEntries(TRANSIENT_KINDS.map((kind) => [kind, injected[kind] ?? 0])),
				requests: log.length,
				retries,
				duplicates,
				lost,
				failedItems: output.filter(isErrorItem).length,
				ms,
				notes: {
					notRepeated: Object.fromEntries(
						Object.keys(NOT_REPEATED).map((kind) => [kind, failedPlans.filter((plan) => failingFault(plan)!.kind === kind).length]),
					),
					errorItemExamples: Object.fromEntries(
						Object.keys(NOT_REPEATED).map((kind) => [kind, errorText(output[failedPlans.find((plan) => failingFault(plan)!.kind === kind)!.index])]),
					),
					concurrency: CONCURRENCY,
					maxInFlight: stats.maxInFlight,
					faultedItems: plans.filter((plan) => plan.faults.length > 0).length,
					itemsWithTwoFaults: plans.filter((plan) => plan.faults.length > 1).length,
					faultsTotal: faults.length,
					streamedItems: plans.filter((plan) => plan.stream).length,
					slowHeadersMs: SLOW_HEADERS_MS,
					timeoutS: TIMEOUT_S,
					retryAfterWaitsMs: { min: Math.min(...waits), max: Math.max(...waits) },
				},
			});
		},
		150_000,
	);

	it('the same slow headers above the timeout fail (the limit the slow items stayed under is real)', async () => {
		const prompt = 'slow beyond the timeout [slow-over]';
		emu.control.enqueueFaults([{ kind: 'slow-headers', ms: 2_500, path: CHAT, bodyIncludes: prompt }]);
		const ctx = context(
			{ model: byId('llama3.3-70b-instruct'), inputType: 'prompt', requestOptions: { maxRetries: 0, timeout: 1 } },
			{ perItem: [{ prompt }, { prompt: 'a normal one' }], continueOnFail: true },
		);
		const started = Date.now();
		const output = await execute(new DigitalOceanChat(), ctx, 'chat slow headers over timeout');
		expect(errorText(output[0])).toMatch(/^The request timed out after 1 s \(waiting for response headers\)/);
		expect(output[1].json.content).toBe('Echo: a normal one');
		summary.add({
			scenario: '1b slow headers > timeout',
			items: 2,
			faults: { 'slow headers 2.5 s vs timeout 1 s': 1 },
			requests: (await settledLog(CHAT)).length,
			retries: retriesIn(ctx.debugLog),
			...duplicatesAndLost(output, 2),
			failedItems: 1,
			ms: Date.now() - started,
		});
	}, 20_000);
});

describe('2. permanent faults (400, 401, 404) with Continue On Fail', () => {
	const ITEMS = 40;
	const PERMANENT = [400, 401, 404];

	it('each becomes an error item naming the status and request id, in place; nothing is retried; the rest succeed', async () => {
		const random = seededRandom(seed ^ 0x2222);
		const prompts = Array.from({ length: ITEMS }, (_, i) => `Permanent fault item ${i} [pf-${String(i).padStart(2, '0')}]`);
		const chosen = shuffled(
			Array.from({ length: ITEMS }, (_, i) => i),
			random,
		).slice(0, 12);
		const statusOf = new Map(chosen.map((index, k) => [index, PERMANENT[k % PERMANENT.length]]));
		emu.control.enqueueFaults(chosen.map((index): Fault => ({ kind: 'status', status: statusOf.get(index)!, path: CHAT, bodyIncludes: `[pf-${String(index).padStart(2, '0')}]` })));
		const ctx = context(
			{ model: byId('llama3.3-70b-instruct'), inputType: 'prompt', requestOptions: { concurrency: 4, maxRetries: 5 } },
			{ perItem: prompts.map((prompt) => ({ prompt })), continueOnFail: true },
		);
		const started = Date.now();
		const output = await execute(new DigitalOceanChat(), ctx, 'chat permanent faults');
		const ms = Date.now() - started;
		const log = await settledLog(CHAT);

		expect(output).toHaveLength(ITEMS);
		expect(output.map((item) => item.pairedItem)).toEqual(prompts.map((_, i) => ({ item: i })));
		expect(log).toHaveLength(ITEMS); // one request per item: nothing retried
		expect(retriesIn(ctx.debugLog)).toBe(0);
		output.forEach((item, i) => {
			const requests = log.filter((request) => promptOf(request) === prompts[i]);
			expect(requests).toHaveLength(1);
			const status = statusOf.get(i);
			if (status === undefined) {
				expect(item.json.content).toBe(`Echo: ${prompts[i]}`);
				return;
			}
			expect(Object.keys(item.json)).toEqual(['error']);
			expect(requests[0].status).toBe(status);
			const text = errorText(item);
			expect(text).toContain(`HTTP ${status}`);
			expect(text).toContain(requests[0].id); // DigitalOcean's x-request-id of that very request
			expect(text).toMatch(status === 401 ? /Model Access Key/ : status === 404 ? /^Not found/ : /^Bad request/);
		});
		summary.add({
			scenario: '2 chat, permanent 4xx',
			items: ITEMS,
			faults: countBy(chosen, (index) => String(statusOf.get(index))),
			requests: log.length,
			retries: retriesIn(ctx.debugLog),
			...duplicatesAndLost(output, ITEMS),
			failedItems: output.filter(isErrorItem).length,
			ms,
			notes: { errorItemExamples: Object.fromEntries(PERMANENT.map((status) => [status, errorText(output[chosen.find((index) => statusOf.get(index) === status)!])])) },
		});
	}, 30_000);

	it('without Continue On Fail the first one stops the run with its itemIndex, status and request id; later items are not sent', async () => {
		emu.control.enqueueFaults([{ kind: 'status', status: 404, path: CHAT, bodyIncludes: '[second]' }]);
		const ctx = context(
			{ model: byId('llama3.3-70b-instruct'), inputType: 'prompt' },
			{ perItem: [{ prompt: 'the [first]' }, { prompt: 'the [second]' }, { prompt: 'the [third]' }] },
		);
		const error = (await execute(new DigitalOceanChat(), ctx, 'chat 404 stops').catch((e: unknown) => e)) as NodeApiError;
		const log = await settledLog(CHAT);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.context.itemIndex).toBe(1);
		expect(error.description).toContain(`Request ID: ${log[1].id}`);
		expect(log.map(promptOf)).toEqual(['the [first]', 'the [second]']);

		// A real 401 (wrong key): its key must not leak either (scanned with the others).
		const wrong = context({ model: byId('llama3.3-70b-instruct'), inputType: 'prompt', prompt: 'Hi' }, {}, WRONG_KEY);
		const unauthorized = (await execute(new DigitalOceanChat(), wrong, 'chat wrong key').catch((e: unknown) => e)) as NodeApiError;
		expect(unauthorized.httpCode).toBe('401');
		expect(emu.control.requests().at(-1)?.headers.authorization).toBe(`Bearer ${WRONG_KEY}`);
	}, 30_000);
});

describe('3. async submissions under connection resets: never two jobs for one item', () => {
	type Case = { kind: 'video' | 'async'; node: () => INodeType; path: string; params: Params; label: string; mediaOk: (bytes: Buffer) => boolean };
	const cases: Case[] = [
		{
			kind: 'video',
			label: 'Video',
			node: () => new DigitalOceanVideo(),
			path: VIDEOS,
			params: { operation: 'generate', model: byId('wan2.2-t2v-a14b'), waitTimeout: 30 },
			mediaOk: (bytes) => isMp4(bytes),
		},
		{
			kind: 'async',
			label: 'Fal',
			node: () => new DigitalOceanFal(),
			path: INVOKE,
			params: { operation: 'generate', model: 'fal-ai/flux/schnell', waitTimeout: 30 },
			mediaOk: (bytes) => imageMagic(bytes)?.kind === 'jpeg',
		},
	];
	const ITEMS = 10;

	it.each(cases)('$label Generate ×10: resets before and after the job was created fail their item once; 429 is retried; one job per item at most', async ({ kind, node, path, params, label, mediaOk }) => {
		emu.control.configure({ videoTimings: { queuedMs: 50, processingMs: 250 }, asyncTimings: { queuedMs: 50, runningMs: 250 } });
		const random = seededRandom(seed ^ (kind === 'video' ? 0x3333 : 0x4444));
		const prompts = Array.from({ length: ITEMS }, (_, i) => `${label} fault item ${i} [af-${i}]`);
		const order = shuffled(
			Array.from({ length: ITEMS }, (_, i) => i),
			random,
		);
		const before = new Set(order.slice(0, 2)); // reset before the API got the request: no job
		const after = new Set(order.slice(2, 4)); // reset after the job was created: one job, reply lost
		const refused = new Set(order.slice(4, 5)); // 429: DO refused before any work, so it is sent again
		emu.control.enqueueFaults([
			...[...before].map((i): Fault => ({ kind: 'reset-before-headers', path, bodyIncludes: `[af-${i}]` })),
			...[...after].map((i): Fault => ({ kind: 'reset-mid-body', path, bodyIncludes: `[af-${i}]` })),
			...[...refused].map((i): Fault => ({ kind: 'status', status: 429, path, bodyIncludes: `[af-${i}]`, headers: { 'retry-after-ms': '100' } })),
		]);
		const ctx = context(
			{ ...params, requestOptions: { concurrency: 4, maxRetries: 5 } },
			{ perItem: prompts.map((prompt) => ({ prompt })), continueOnFail: true },
		);
		const started = Date.now();
		const output = await execute(node(), ctx, `${label} resets`);
		const ms = Date.now() - started;
		const log = await settledLog();
		expect(await faultsLeft()).toBe(0);

		const jobs = emu.control.jobs().filter((job) => job.kind === kind);
		const submits = log.filter((request) => request.method === 'POST' && request.path === path);
		expect(output.map((item) => item.pairedItem)).toEqual(prompts.map((_, i) => ({ item: i })));
		const jobsPerItem = prompts.map((prompt) => jobs.filter((job) => job.summary === prompt).length);
		const submitsPerItem = prompts.map((prompt) => submits.filter((request) => promptOf(request) === prompt).length);
		const expectedJobs = prompts.map((_, i) => (before.has(i) ? 0 : 1));
		const expectedSubmits = prompts.map((_, i) => (refused.has(i) ? 2 : 1));
		expect({ jobsPerItem, submitsPerItem }).toEqual({ jobsPerItem: expectedJobs, submitsPerItem: expectedSubmits });
		expect(Math.max(...jobsPerItem)).toBe(1);
		expect(jobs.every((job) => job.key === keyFingerprint(KEY))).toBe(true);

		output.forEach((item, i) => {
			if (before.has(i) || after.has(i)) {
				expect(Object.keys(item.json)).toEqual(['error']);
				expect(errorText(item)).toMatch(/^The connection was reset/);
				expect(errorText(item)).toContain('it was not sent again');
				expect(item.binary).toBeUndefined();
				return;
			}
			expect(item.json).toMatchObject({ done: true, failed: false, error: null });
			expect(item.json.jobId).toBe(jobs.find((job) => job.summary === prompts[i])!.id);
			expect(mediaOk(Buffer.from(item.binary!.data.data, 'base64'))).toBe(true);
		});
		// Media came from the CDN origin: once per delivered item, never with the key.
		const cdn = emu.control.cdnRequests();
		expect(cdn).toHaveLength(ITEMS - before.size - after.size);
		expect(cdn.filter((request) => request.headers.authorization !== undefined)).toEqual([]);

		summary.add({
			scenario: `3 ${label} generate, submit resets`,
			items: ITEMS,
			faults: { 'reset before job': before.size, 'reset after job': after.size, '429 on submit': refused.size },
			requests: log.length,
			retries: retriesIn(ctx.debugLog),
			...duplicatesAndLost(output, ITEMS),
			failedItems: output.filter(isErrorItem).length,
			ms,
			notes: {
				submits: submits.length,
				jobs: jobs.length,
				maxJobsPerItem: Math.max(...jobsPerItem),
				cdnDownloads: cdn.length,
				errorItemExample: errorText(output[[...after][0]]),
			},
		});
	}, 60_000);
});

describe('3b. a submission reset without Continue On Fail', () => {
	it('stops the run with the "not sent again" error; the job exists once and is not submitted again', async () => {
		emu.control.configure({ videoTimings: { queuedMs: 50, processingMs: 250 } });
		emu.control.enqueueFaults([{ kind: 'reset-mid-body', path: VIDEOS, bodyIncludes: '[b-1]' }]);
		const ctx = context(
			{ operation: 'generate', model: byId('wan2.2-t2v-a14b'), waitTimeout: 30, requestOptions: { maxRetries: 5 } },
			{ perItem: [{ prompt: 'video [b-1]' }, { prompt: 'video [b-2]' }] },
		);
		const error = (await execute(new DigitalOceanVideo(), ctx, 'Video reset thrown').catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The connection was reset');
		expect(error.description).toContain('it was not sent again: a second video job would be billed twice');
		expect(error.context.itemIndex).toBe(0);
		expect(emu.control.jobs().map((job) => job.summary)).toEqual(['video [b-1]']);
		expect((await settledLog(VIDEOS)).map(promptOf)).toEqual(['video [b-1]']);
	}, 20_000);
});

describe('4. Stop while waiting ends the execution within 1 s', () => {
	const cancelFigures: Record<string, number> = {};

	async function stopDuring(label: string, node: INodeType, params: Params, ready: () => boolean, extra: Partial<FakeContextOptions> = {}) {
		const controller = new AbortController();
		const ctx = context(params, { ...extra, signal: controller.signal });
		const result = execute(node, ctx, `cancel ${label}`).then(
			() => undefined,
			(error: unknown) => error as Error,
		);
		await waitFor(ready, 15_000);
		await sleep(150); // well inside the wait, not at its edge
		const inFlight = emu.control.stats().inFlight;
		const requestsBefore = emu.control.requests().length;
		const abortedAt = Date.now();
		controller.abort();
		const error = await result;
		const elapsed = Date.now() - abortedAt;
		await sleep(300);
		expect(error?.message).toBe('The execution was cancelled');
		expect(elapsed).toBeLessThan(1_000);
		expect(emu.control.requests().length).toBe(requestsBefore); // nothing sent after Stop
		cancelFigures[label] = elapsed;
		return { elapsed, inFlight };
	}

	it('Video Generate, mid-wait on a 2-minute job', async () => {
		emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 120_000 } });
		const polls = () => emu.control.requests().filter((r) => r.method === 'GET' && r.path.startsWith(`${VIDEOS}/`)).length;
		await stopDuring('video mid-wait', new DigitalOceanVideo(), { operation: 'generate', model: byId('wan2.2-t2v-a14b'), prompt: 'a long one', waitTimeout: 600 }, () => polls() >= 1);
		expect(emu.control.jobs()).toHaveLength(1);
	}, 30_000);

	it('Fal Generate, mid-wait on a 2-minute request', async () => {
		emu.control.configure({ asyncTimings: { queuedMs: 0, runningMs: 120_000 } });
		const polls = () => emu.control.requests().filter((r) => r.method === 'GET' && r.path.startsWith(`${INVOKE}/`)).length;
		await stopDuring('fal mid-wait', new DigitalOceanFal(), { operation: 'generate', model: 'fal-ai/flux/schnell', prompt: 'a long one', waitTimeout: 600 }, () => polls() >= 1);
	}, 30_000);

	it('Chat, mid-stream', async () => {
		emu.control.configure({ streamChunkDelayMs: 400 });
		const { inFlight } = await stopDuring(
			'chat mid-stream',
			new DigitalOceanChat(),
			{ model: byId('llama3.3-70b-instruct'), inputType: 'prompt', prompt: 'Tell me a long story about a lighthouse keeper and the sea' },
			() => emu.control.requests().length === 1,
		);
		expect(inFlight).toBe(1); // the stream was still running when Stop came
	}, 30_000);

	it('Chat, while every request waits out a 30 s retry-after', async () => {
		emu.control.enqueueFaults([{ kind: 'status', status: 429, path: CHAT, headers: { 'retry-after': '30' } }]);
		await stopDuring(
			'chat 429 wait',
			new DigitalOceanChat(),
			{ model: byId('llama3.3-70b-instruct'), inputType: 'prompt', prompt: 'Hi', requestOptions: { maxRetries: 3 } },
			() => emu.control.requests()[0]?.status === 429,
		);
		summary.extra.cancelWithinMs = cancelFigures;
	}, 30_000);
});

describe('5. the key appears nowhere', () => {
	it('not in outputs, errors (every property, causes included), logs, console or the summary; the media origin never saw Authorization', () => {
		const file = summary.write(Date.now() - suiteStarted);
		const table = summary.table(Date.now() - suiteStarted);
		collector.add('summary', table);
		collector.add('cdn requests', cdnSeen);

		// Positive control: the scanner finds the key where it rightly is (the Authorization header the API got).
		const control = new Collector();
		control.add('emulator request log', keyBearingRequests);
		expect(keyBearingRequests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
		expect(control.scan([KEY]).hits.length).toBeGreaterThan(0);
		// …and would find it inside a binary file, or cut short / partly masked in a message.
		for (const plant of [
			[{ json: {}, binary: { data: { data: Buffer.from(`xx${KEY}xx`).toString('base64') } } }],
			new Error(`bad key …${KEY.slice(20, 40)}…`),
		]) {
			const planted = new Collector();
			planted.add('planted', plant);
			expect(planted.scan([KEY]).hits).toHaveLength(1);
		}

		restoreOutput();
		const { hits, bytesScanned } = collector.scan([KEY, WRONG_KEY]);
		expect(hits).toEqual([]);
		expect(collector.size).toBeGreaterThan(10);

		expect(cdnSeen.length).toBeGreaterThan(0);
		expect(cdnSeen.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
		expect(cdnSeen.filter((request) => Object.values(request.headers).some((value) => value.includes(KEY)))).toEqual([]);

		summary.extra.keyScan = { sources: collector.size, charsScanned: bytesScanned, hits: hits.length, cdnRequests: cdnSeen.length, cdnWithAuthorization: 0 };
		summary.write(Date.now() - suiteStarted);
		process.stdout.write(`\n${summary.table(Date.now() - suiteStarted)}\nsummary: ${file}\n\n`);
	});
});
