/**
 * Embeds a list of texts (what a vector store hands over) in batches of at most `batchSize` texts,
 * `concurrency` requests at a time, and returns the vectors in the order of the texts. Each reply is
 * checked against its own batch by index (shared/embeddingsResponse.ts), so vectors never move to
 * another text. The first failure stops further batches and fails the whole call: a vector store has
 * no way to keep part of a call's vectors.
 */
import type { IDataObject } from 'n8n-workflow';

import { splitIntoBatches } from '../shared/batches';
import { requestEmbeddings, type EmbeddedTexts, type EmbeddingsRequest } from '../shared/embeddingsApi';
import type { InferenceClient } from '../shared/transport';

export interface BatchPlan {
	batchSize: number;
	concurrency: number;
}

export interface EmbeddedBatches {
	vectors: number[][];
	/** The model the API reported (the first reply's), if any. */
	model?: string;
	requests: number;
	/** Every numeric usage field summed over the requests (the API reports usage per request). */
	usage: IDataObject;
	requestIds: string[];
}

function addUsage(total: IDataObject, usage: IDataObject | undefined): void {
	for (const [key, value] of Object.entries(usage ?? {})) {
		if (typeof value === 'number') total[key] = ((total[key] as number | undefined) ?? 0) + value;
	}
}

export async function embedInBatches(
	client: InferenceClient,
	request: Omit<EmbeddingsRequest, 'texts'>,
	texts: string[],
	plan: BatchPlan,
	itemIndex?: number,
): Promise<EmbeddedBatches> {
	const batches = splitIntoBatches(texts.map((input, position) => ({ itemIndex: position, input })), plan.batchSize);
	const replies = new Array<EmbeddedTexts>(batches.length);
	let failure: { error: unknown } | undefined;
	let next = 0;
	const worker = async () => {
		while (next < batches.length && failure === undefined) {
			const batch = batches[next++];
			try {
				replies[batch.index] = await requestEmbeddings(client, { ...request, texts: batch.entries.map((entry) => entry.input) }, itemIndex);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(plan.concurrency, batches.length)) }, worker));
	if (failure !== undefined) throw failure.error;

	const usage: IDataObject = {};
	for (const reply of replies) addUsage(usage, reply.usage);
	return {
		vectors: replies.flatMap((reply) => reply.vectors),
		model: replies[0]?.model,
		requests: replies.length,
		usage,
		requestIds: replies.flatMap((reply) => (reply.requestId ? [reply.requestId] : [])),
	};
}
