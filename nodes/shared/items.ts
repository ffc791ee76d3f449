/**
 * Runs one async function per input item with bounded concurrency and returns the outputs in input
 * order, every output stamped with `pairedItem: {item: i}`. With "Continue On Fail" a failed item
 * becomes `{json: {error}, pairedItem}`; otherwise the first failure (by item order) is rethrown with
 * its itemIndex — and `validate` runs over every item before the first request, so bad input in item
 * k fails the run before items 0…k-1 are sent (and billed) for nothing. A cancelled execution is
 * never turned into an error item.
 */
import type { IExecuteFunctions, INodeExecutionData, ISupplyDataFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { cancelSignalOf } from './client';
import { withItemIndex } from './errors';
import { CancelledError } from './sleep';

export type ItemHandler<T = unknown> = (itemIndex: number, validated?: T) => Promise<INodeExecutionData[]>;

export function isCancellation(ctx: IExecuteFunctions | ISupplyDataFunctions, error: unknown): boolean {
	return error instanceof CancelledError || cancelSignalOf(ctx)?.aborted === true;
}

/**
 * The continueOnFail item for a failure: only `error`, so n8n can route it to the error output. An API
 * or network failure (NodeApiError) also carries its HTTP status and its description — how to fix it,
 * DigitalOcean's request id, and for a job submission that it was not sent again — since the error
 * item is all the user gets to see of it.
 */
export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const message = error instanceof Error && error.message ? error.message : String(error);
	return { json: { error: isApiError(error) ? apiErrorText(error, message) : message }, pairedItem: { item: itemIndex } };
}

function isApiError(error: unknown): error is NodeApiError {
	// `name` also recognises the class from another copy of n8n-workflow.
	return error instanceof NodeApiError || (error instanceof Error && error.name === 'NodeApiError');
}

/** "Not found – … (HTTP 404). Check the model ID … Request ID: 3b0c…" */
function apiErrorText(error: NodeApiError, message: string): string {
	const status = error.httpCode;
	let text = status && !message.includes(`HTTP ${status}`) ? `${message.replace(/[.\s]+$/, '')} (HTTP ${status})` : message;
	const description = typeof error.description === 'string' ? error.description.trim() : '';
	if (description) text += /[.!?…]$/.test(text) ? ` ${description}` : `. ${description}`;
	return text;
}

export function cancelledError(ctx: Pick<IExecuteFunctions, 'getNode'>): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), 'The execution was cancelled', {
		description: 'The workflow was stopped while this node was waiting for DigitalOcean.',
	});
}

function stamp(outputs: INodeExecutionData[], itemIndex: number, keepOwn: boolean): INodeExecutionData[] {
	return outputs.map((output) => ({ ...output, pairedItem: keepOwn && output.pairedItem !== undefined ? output.pairedItem : { item: itemIndex } }));
}

export interface RunOptions<T = unknown> {
	concurrency?: number;
	/** Checks one item's input without any request (builds it, so nothing billable starts with a bad item 7). */
	validate?: (itemIndex: number) => Promise<T>;
	/**
	 * Hands the handler what `validate` built, so the item's expressions are not evaluated twice — but
	 * only when it is small (text requests); big ones (inline images) are dropped and rebuilt, so the
	 * images of all items are never held at once.
	 */
	reuseValidated?: boolean;
	/**
	 * Keep a pairedItem the handler set (the Batch node pairs each result with the item it was submitted
	 * for as well); outputs without one get the usual `{item: i}`.
	 */
	ownPairedItems?: boolean;
}

/** Above this (as JSON), a validated request is rebuilt by the handler rather than kept. */
const KEEP_VALIDATED_MAX_CHARS = 256 * 1024;

function isSmall(value: unknown): boolean {
	try {
		return (JSON.stringify(value)?.length ?? 0) <= KEEP_VALIDATED_MAX_CHARS;
	} catch {
		return false;
	}
}

export async function runItems<T = unknown>(
	ctx: IExecuteFunctions,
	handler: ItemHandler<T>,
	options: RunOptions<T> = {},
): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	const concurrency = Math.max(1, Math.min(options.concurrency ?? 1, itemCount || 1));
	const continueOnFail = ctx.continueOnFail();
	const validated = new Map<number, T>();
	if (options.validate && !continueOnFail) {
		for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
			try {
				const value = await options.validate(itemIndex);
				if (options.reuseValidated && isSmall(value)) validated.set(itemIndex, value);
			} catch (error) {
				throw withItemIndex(ctx.getNode(), error, itemIndex);
			}
		}
	}
	const results: INodeExecutionData[][] = new Array(itemCount);
	const failures = new Map<number, unknown>();
	let cancelled: unknown;
	let next = 0;

	const worker = async () => {
		// Stop taking new items once an item failed (without continueOnFail) or the run was cancelled.
		while (next < itemCount && failures.size === 0 && cancelled === undefined) {
			const itemIndex = next++;
			try {
				const value = validated.get(itemIndex);
				validated.delete(itemIndex);
				results[itemIndex] = stamp(await handler(itemIndex, value), itemIndex, options.ownPairedItems === true);
			} catch (error) {
				if (isCancellation(ctx, error)) cancelled = error;
				else if (continueOnFail) {
					results[itemIndex] = [errorItem(error, itemIndex)];
				} else failures.set(itemIndex, error);
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
