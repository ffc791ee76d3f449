/**
 * Fault plans for the fault suite: which item gets which fault, chosen by a seeded generator so a run
 * can be repeated exactly (FAULT_SEED=<n> npm run test:faults). Each fault is aimed at one item with
 * the emulator's `bodyIncludes` target (the item's unique prompt), so the plan is exact, not a
 * probability: the expected request count of every item is known before the run.
 */
import { randomBytes } from 'node:crypto';

import type { Fault } from '../emulator';

/** mulberry32: tiny, seedable, good enough to place faults. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function seedFromEnv(): number {
	const fromEnv = Number(process.env.FAULT_SEED);
	return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : randomBytes(4).readUInt32BE(0) || 1;
}

export function shuffled<T>(values: T[], random: () => number): T[] {
	const copy = [...values];
	for (let i = copy.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[copy[i], copy[j]] = [copy[j], copy[i]];
	}
	return copy;
}

/**
 * The transient fault types of the chat run (labels are what the summary prints). Those before any of
 * the answer arrived (429, 5xx, resets before the headers or before the stream's first event, slow
 * headers) are recovered from; those after part of the paid answer arrived (a stream reset or cut
 * short, a JSON reply cut mid-body) fail their item without a second request.
 */
export type TransientKind =
	| '429'
	| '500'
	| '503'
	| 'reset before headers'
	| 'reset after headers'
	| 'reset mid-stream'
	| 'reset mid-body (JSON)'
	| 'truncated stream'
	| 'slow headers';

export const TRANSIENT_KINDS: TransientKind[] = [
	'429',
	'500',
	'503',
	'reset before headers',
	'reset after headers',
	'reset mid-stream',
	'reset mid-body (JSON)',
	'truncated stream',
	'slow headers',
];

/** Kinds that need a streamed reply / a JSON reply. */
const STREAM_ONLY: TransientKind[] = ['reset after headers', 'reset mid-stream', 'truncated stream'];
const JSON_ONLY: TransientKind[] = ['reset mid-body (JSON)'];

export interface PlannedFault {
	kind: TransientKind;
	/** What the emulator logs as this request's status (0 = connection reset). */
	loggedStatus: number;
	/** The client must send the request again after this fault. */
	retried: boolean;
	/** Part of the paid answer had arrived: the item fails, and the request is not sent again. */
	failsItem: boolean;
	/** The wait the server asked for (429 only). */
	waitMs?: number;
	fault: Fault;
}

export interface ChatItemPlan {
	index: number;
	prompt: string;
	stream: boolean;
	faults: PlannedFault[];
}

export interface ChatPlanOptions {
	items: number;
	/** Share of items that get a fault (exact: round(items × share) items). */
	faultedShare: number;
	/** Share of the faulted items that get a second fault on their retry. */
	doubleShare: number;
	/** Every n-th item asks for a JSON reply instead of a stream. */
	jsonEvery: number;
	slowHeadersMs: number;
	path: string;
}

export function faultFor(kind: TransientKind, target: { path: string; bodyIncludes: string }, slowHeadersMs: number, random: () => number): PlannedFault {
	switch (kind) {
		case '429': {
			// DO sends seconds; retry-after-ms is the finer variant clients also honour.
			const inSeconds = random() < 0.4;
			const waitMs = inSeconds ? 1_000 : 200;
			const headers: Record<string, string> = inSeconds ? { 'retry-after': '1' } : { 'retry-after-ms': String(waitMs) };
			return { kind, loggedStatus: 429, retried: true, failsItem: false, waitMs, fault: { kind: 'status', status: 429, headers, ...target } };
		}
		case '500':
			return { kind, loggedStatus: 500, retried: true, failsItem: false, fault: { kind: 'status', status: 500, ...target } };
		case '503':
			return { kind, loggedStatus: 503, retried: true, failsItem: false, fault: { kind: 'status', status: 503, ...target } };
		case 'reset before headers':
			return { kind, loggedStatus: 0, retried: true, failsItem: false, fault: { kind: 'reset-before-headers', ...target } };
		case 'reset after headers':
			// 200 and its headers, then a reset before the first event: nothing of the answer arrived.
			return { kind, loggedStatus: 0, retried: true, failsItem: false, fault: { kind: 'reset-after-headers', ...target } };
		case 'reset mid-stream':
		case 'reset mid-body (JSON)':
			return { kind, loggedStatus: 0, retried: false, failsItem: true, fault: { kind: 'reset-mid-body', ...target } };
		case 'truncated stream':
			// The stream ends cleanly (HTTP 200 in the log) but without its finish chunk and [DONE].
			return { kind, loggedStatus: 200, retried: false, failsItem: true, fault: { kind: 'truncate-stream', ...target } };
		case 'slow headers':
			return { kind, loggedStatus: 200, retried: false, failsItem: false, fault: { kind: 'slow-headers', ms: slowHeadersMs, ...target } };
	}
}

/**
 * Exactly round(items × faultedShare) items get one fault each, the kinds dealt round-robin over a
 * shuffled order (so every kind gets its share); round(faulted × doubleShare) of the retried ones get a
 * second fault of any kind but slow headers on their retry. Stream-only kinds land on streamed items,
 * JSON-only on JSON ones.
 */
export function planChatRun(options: ChatPlanOptions, random: () => number): ChatItemPlan[] {
	const runTag = Math.floor(random() * 0xffffff)
		.toString(16)
		.padStart(6, '0');
	const plans: ChatItemPlan[] = Array.from({ length: options.items }, (_, index) => {
		const id = String(index).padStart(4, '0');
		return {
			index,
			// Unique per item and run; the echo of it proves which request answered which item.
			prompt: `Fault suite question ${id} [fs-${runTag}-${id}] about lighthouse number ${index * 7 + 3}`,
			stream: (index + 1) % options.jsonEvery !== 0,
			faults: [],
		};
	});
	const faultedCount = Math.round(options.items * options.faultedShare);
	const streamed = shuffled(plans.filter((p) => p.stream), random);
	const json = shuffled(plans.filter((p) => !p.stream), random);
	const kinds = shuffled(
		Array.from({ length: faultedCount }, (_, i) => TRANSIENT_KINDS[i % TRANSIENT_KINDS.length]),
		random,
	);
	const faulted: ChatItemPlan[] = [];
	for (const kind of kinds) {
		const pool = JSON_ONLY.includes(kind) ? json : STREAM_ONLY.includes(kind) ? streamed : random() < 0.5 && json.length > 0 ? json : streamed;
		const plan = pool.pop();
		if (!plan) throw new Error(`not enough items for fault kind ${kind}`);
		plan.faults.push(faultFor(kind, targetOf(plan, options), options.slowHeadersMs, random));
		faulted.push(plan);
	}
	const doubleCount = Math.round(faultedCount * options.doubleShare);
	const secondKinds = TRANSIENT_KINDS.filter((kind) => kind !== 'slow headers');
	// Not after a slow-headers fault: that request succeeds, so a second fault would never be consumed.
	const doubles = shuffled(
		faulted.filter((plan) => plan.faults[0].retried),
		random,
	).slice(0, doubleCount);
	for (const plan of doubles) {
		const choices = secondKinds.filter((kind) => (plan.stream ? !JSON_ONLY.includes(kind) : !STREAM_ONLY.includes(kind)));
		const kind = choices[Math.floor(random() * choices.length)];
		plan.faults.push(faultFor(kind, targetOf(plan, options), options.slowHeadersMs, random));
	}
	return plans;
}

function targetOf(plan: ChatItemPlan, options: ChatPlanOptions) {
	return { path: options.path, bodyIncludes: plan.prompt };
}

/** Requests the emulator must see for this item: one per fault that forces a retry, plus the last. */
export function expectedRequests(plan: ChatItemPlan): number {
	// A slow-headers fault delays a request that then succeeds, a failing one ends the item: no extra request.
	return 1 + plan.faults.filter((f) => f.retried).length;
}

/** The fault that failed this item (always its last), if any. */
export function failingFault(plan: ChatItemPlan): PlannedFault | undefined {
	return plan.faults.find((f) => f.failsItem);
}

/** The logged status of each request of this item, in order. */
export function expectedStatuses(plan: ChatItemPlan): number[] {
	const statuses: number[] = [];
	for (const fault of plan.faults) if (fault.retried) statuses.push(fault.loggedStatus);
	statuses.push(failingFault(plan)?.loggedStatus ?? 200);
	return statuses;
}
