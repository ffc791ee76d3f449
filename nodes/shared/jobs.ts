/**
 * Waiting for an async job (video, fal) inside a node's execution: polls with an interval of a tenth
 * of the time waited so far (at least ~1 s, at most a cap), never past the user's Wait Timeout, and ends within a moment when the execution
 * is cancelled. Submitting is the caller's business (once, `before-send-only`); this only polls.
 */
import { abortableSleep } from './sleep';

export type JobState = 'pending' | 'done' | 'failed';

export interface WaitOptions {
	/** How long to wait in total before giving up (the user's "Wait Timeout"). */
	timeoutMs: number;
	signal?: AbortSignal;
	/** Shortest wait between two polls (and the first one); short jobs are noticed quickly. */
	initialIntervalMs?: number;
	/** Longest wait between two polls. */
	maxIntervalMs?: number;
	/** The interval as a share of the time waited so far: a finished job is noticed within that share of its run time. */
	elapsedShare?: number;
	now?: () => number;
}

export type WaitResult<T> =
	| { outcome: 'done'; job: T; polls: number; waitedMs: number }
	| { outcome: 'failed'; job: T; polls: number; waitedMs: number }
	| { outcome: 'timeout'; job: T | undefined; polls: number; waitedMs: number };

/**
 * Polls `poll()` until `stateOf(job)` is done or failed, or the timeout passes. The interval is 10 % of
 * the time waited so far, between 1 s and the 10 s cap: a job is noticed within max(1 s, 10 % of its
 * run time) of finishing (5 s → 5 polls, 2 min → ~36, 10 min → ~84). The last sleep is cut to the
 * deadline, and one final poll runs at the deadline.
 */
export async function waitForJob<T>(
	poll: () => Promise<T>,
	stateOf: (job: T) => JobState,
	options: WaitOptions,
): Promise<WaitResult<T>> {
	const now = options.now ?? Date.now;
	const started = now();
	const deadline = started + Math.max(0, options.timeoutMs);
	const maxInterval = options.maxIntervalMs ?? 10_000;
	const minInterval = Math.min(options.initialIntervalMs ?? 1_000, maxInterval);
	const share = options.elapsedShare ?? 0.1;
	let interval = minInterval;
	let polls = 0;
	let job: T | undefined;

	for (;;) {
		const remaining = deadline - now();
		if (remaining <= 0 && polls > 0) return { outcome: 'timeout', job, polls, waitedMs: now() - started };
		await abortableSleep(Math.min(interval, Math.max(0, remaining)), options.signal);
		job = await poll();
		polls++;
		const state = stateOf(job);
		if (state !== 'pending') return { outcome: state, job, polls, waitedMs: now() - started };
		interval = Math.min(maxInterval, Math.max(minInterval, Math.round((now() - started) * share)));
	}
}
