/**
 * Runs input items in batches: one request carries many items (embeddings), so the one-item-one-request
 * runner in items.ts does not fit. Same promises as items.ts: every item is prepared (validated) before
 * the first request; outputs keep input order and carry `pairedItem: {item: i}`; with "Continue On Fail"
 * an item that fails to prepare becomes `{json: {error}, pairedItem}` and is left out of every batch, and
 * every item of a failed batch gets the batch's error; without it, the first failure (by item order) is
 * rethrown with its itemIndex — a failed batch reports its first item. A batch the API rejects for its
 * input (400/413/422: often one over-long text) is halved until the culprit stands alone, so one bad
 * text never sinks the good ones (a bounded number of extra requests, only on failure). A cancelled
 * execution is never turned into error items.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from './errors';
import { cancelledError, errorItem, isCancellation } from './items';

/** One item inside a batch: its index in the node's input and what `prepare` made of it. */
export interface BatchEntry<T> {
	itemIndex: number;
	input: T;
}

export interface Batch<T> {
	/** Position of this batch in sending order (0, 1, …). */
	index: number;
	entries: Array<BatchEntry<T>>;
}

/** Returns the outputs of every entry of the batch, in the batch's order (one array per entry). */
export type BatchHandler<T> = (batch: Batch<T>) => Promise<INodeExecutionData[][]>;

export interface BatchRunOptions<T> {
	/** Largest number of items in one batch (at least 1). */
	batchSize: number;
	/** How many batches are in flight at the same time (default 1). */
	concurrency?: number;
	/**
	 * Reads and checks one item without any request. Runs for every item before the first batch is sent,
	 * so bad input in item k fails the run (or becomes an error item) before anything is billed.
	 */
	prepare: (itemIndex: number) => Promise<T> | T;
	/**
	 * Items whose keys differ never share a batch (e.g. a model set per item by an expression). Groups
	 * are batched in the order of their first item; one key for all items gives plain consecutive batches.
	 */
	groupKey?: (input: T) => string;
}

/** Splits entries into batches of at most `batchSize`, never mixing two group keys. */
export function splitIntoBatches<T>(
	entries: Array<BatchEntry<T>>,
	batchSize: number,
	groupKey?: (input: T) => string,
): Array<Batch<T>> {
	const size = Math.max(1, Math.floor(batchSize));
	const groups = new Map<string, Array<BatchEntry<T>>>();
	for (const entry of entries) {
		const key = groupKey ? groupKey(entry.input) : '';
		const group = groups.get(key);
		if (group) group.push(entry);
		else groups.set(key, [entry]);
	}
	const batches: Array<Batch<T>> = [];
	for (const group of groups.values()) {
		for (let start = 0; start < group.length; start += size) {
			batches.push({ index: batches.length, entries: group.slice(start, start + size) });
		}
	}
	return batches;
}

/** The API refused the request for what it carried (not auth, quota or an outage). */
function isInputRejection(error: unknown): boolean {
	return error instanceof NodeApiError && ['400', '413', '422'].includes(String(error.httpCode));
}

/** Extra requests one batch may spend isolating bad items: two per halving level, plus slack. */
function bisectionBudget(size: number): number {
	return 2 * Math.ceil(Math.log2(Math.max(2, size))) + 2;
}

export async function runBatches<T>(
	ctx: IExecuteFunctions,
	handler: BatchHandler<T>,
	options: BatchRunOptions<T>,
): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	const continueOnFail = ctx.continueOnFail();
	const results: INodeExecutionData[][] = new Array(itemCount);

	const ready: Array<BatchEntry<T>> = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			ready.push({ itemIndex, input: await options.prepare(itemIndex) });
		} catch (error) {
			if (!continueOnFail) throw withItemIndex(ctx.getNode(), error, itemIndex);
			results[itemIndex] = [errorItem(error, itemIndex)];
		}
	}

	const batches = splitIntoBatches(ready, options.batchSize, options.groupKey);
	const concurrency = Math.max(1, Math.min(Math.floor(options.concurrency ?? 1), batches.length || 1));
	/** Failed batches without continueOnFail, keyed by their first item's index. */
	const failures = new Map<number, unknown>();
	let cancelled: unknown;
	let next = 0;

	/** Sends one (part of a) batch; returns its error instead of throwing, results stored on success. */
	const attempt = async (batch: Batch<T>): Promise<unknown> => {
		const first = batch.entries[0].itemIndex;
		try {
			const outputs = await handler(batch);
			if (outputs.length !== batch.entries.length) {
				throw new NodeOperationError(
					ctx.getNode(),
					`A batch of ${batch.entries.length} items produced ${outputs.length} results`,
					{ itemIndex: first, description: 'This is a bug in the node: every item of a batch needs its own result.' },
				);
			}
			batch.entries.forEach((entry, position) => {
				results[entry.itemIndex] = outputs[position].map((output) => ({ ...output, pairedItem: { item: entry.itemIndex } }));
			});
			return undefined;
		} catch (error) {
			if (isCancellation(ctx, error)) throw cancelledError(ctx); // what runBatches reports in the end anyway
			return error;
		}
	};

	const fail = (batch: Batch<T>, error: unknown) => {
		if (continueOnFail) {
			for (const entry of batch.entries) results[entry.itemIndex] = [errorItem(error, entry.itemIndex)];
		} else failures.set(batch.entries[0].itemIndex, error);
	};

	/** Halves an input-rejected batch until each failing part is a single item (or the budget is spent). */
	const settle = async (batch: Batch<T>, error: unknown, budget: { left: number }): Promise<void> => {
		if (batch.entries.length === 1 || !isInputRejection(error) || budget.left < 2) return fail(batch, error);
		const middle = Math.ceil(batch.entries.length / 2);
		for (const entries of [batch.entries.slice(0, middle), batch.entries.slice(middle)]) {
			if (!continueOnFail && failures.size > 0) return; // the run fails anyway: spend nothing more
			const part = { index: batch.index, entries };
			budget.left -= 1;
			const partError = await attempt(part);
			if (partError !== undefined) await settle(part, partError, budget);
		}
	};

	const worker = async () => {
		// Stop taking new batches once one failed (without continueOnFail) or the run was cancelled.
		while (next < batches.length && failures.size === 0 && cancelled === undefined) {
			const batch = batches[next++];
			try {
				const error = await attempt(batch);
				if (error !== undefined) await settle(batch, error, { left: bisectionBudget(batch.entries.length) });
			} catch (error) {
				cancelled = error;
			}
		}
	};

	await Promise.all(Array.from({ length: concurrency }, worker));

	if (cancelled !== undefined) throw cancelledError(ctx);
	if (failures.size > 0) {
		const firstFailed = Math.min(...failures.keys());
		throw withItemIndex(ctx.getNode(), failures.get(firstFailed), firstFailed);
	}
	return results.flat();
}
