/**
 * Pairing each result of Get Results with the item it was submitted for. n8n pairs an output item
 * with an input item of the same node, but the items a batch was made of entered the Submit node,
 * several nodes (and often hours) earlier. So Submit records where its input came from — node, output,
 * run and execution — and Get Results, in the same execution, pairs a result whose custom_id is the
 * default `item-<n>` both with its own input item (the batch) and, through n8n's `sourceOverwrite`,
 * with item n of that node: `$('Products').item` then resolves to the very product the answer is for,
 * and n8n's error output still finds the batch item (the first pairing). In any other execution, or
 * for custom IDs of the user's own, a result pairs with its own input item only.
 */
import type { IDataObject, IExecuteFunctions, IPairedItemData, ISourceData } from 'n8n-workflow';

import { itemIndexOfCustomId } from './batchFile';

/** Where Submit's input items came from; carried along in the batch's items as `inputSource`. */
export interface InputSource extends IDataObject {
	executionId: string;
	node: string;
	output: number;
	run: number;
}

function executionIdOf(ctx: IExecuteFunctions): string | undefined {
	const candidate = ctx as Partial<Pick<IExecuteFunctions, 'getExecutionId'>>;
	const id = typeof candidate.getExecutionId === 'function' ? candidate.getExecutionId() : undefined;
	return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The node, output and run Submit's items came from in this execution (older n8n may not say). */
export function inputSourceOf(ctx: IExecuteFunctions): InputSource | undefined {
	const candidate = ctx as Partial<Pick<IExecuteFunctions, 'getInputSourceData'>>;
	const executionId = executionIdOf(ctx);
	if (typeof candidate.getInputSourceData !== 'function' || executionId === undefined) return undefined;
	let source: ISourceData | undefined;
	try {
		source = candidate.getInputSourceData(0);
	} catch {
		return undefined; // n8n throws when the node has no source data (e.g. a trigger-less run)
	}
	if (!source?.previousNode) return undefined;
	return { executionId, node: source.previousNode, output: source.previousNodeOutput ?? 0, run: source.previousNodeRun ?? 0 };
}

/** A valid `inputSource` in an item's json, as Submit wrote it and Get Status / Wait passed it on. */
export function carriedInputSource(json: IDataObject | undefined): InputSource | undefined {
	const value = json?.inputSource as Partial<InputSource> | undefined;
	if (typeof value !== 'object' || value === null) return undefined;
	const { executionId, node, output, run } = value;
	if (typeof executionId !== 'string' || typeof node !== 'string' || !Number.isInteger(output) || !Number.isInteger(run)) return undefined;
	return { executionId, node, output: output as number, run: run as number };
}

/** `{inputSource}` of the operation's input item, to pass on; nothing when it has none. */
export function passInputSource(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const source = carriedInputSource(ctx.getInputData()[itemIndex]?.json);
	return source ? { inputSource: source } : {};
}

export type Pairing = (customId: string) => IPairedItemData | IPairedItemData[];

/** How Get Results pairs the results of the batch named by its input item `itemIndex`. */
export function resultPairing(ctx: IExecuteFunctions, itemIndex: number): Pairing {
	const own: IPairedItemData = { item: itemIndex };
	const source = carriedInputSource(ctx.getInputData()[itemIndex]?.json);
	if (!source || source.executionId !== executionIdOf(ctx)) return () => own;
	const sourceOverwrite: ISourceData = { previousNode: source.node, previousNodeOutput: source.output, previousNodeRun: source.run };
	return (customId) => {
		const submitted = itemIndexOfCustomId(customId);
		return submitted === undefined ? own : [own, { item: submitted, sourceOverwrite }];
	};
}
