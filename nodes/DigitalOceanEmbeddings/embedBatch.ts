/** One batch of items → one POST /v1/embeddings (shared/embeddingsApi.ts) → one output per item. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Batch } from '../shared/batches';
import { requestEmbeddings } from '../shared/embeddingsApi';
import type { InferenceClient } from '../shared/transport';
import type { EmbeddingInput } from './embeddingsInput';

export async function embedBatch(client: InferenceClient, batch: Batch<EmbeddingInput>): Promise<INodeExecutionData[][]> {
	const inputs = batch.entries.map((entry) => entry.input);
	// Every entry shares model, encoding and user (see requestKey).
	const [first] = inputs;
	const reply = await requestEmbeddings(
		client,
		{ model: first.model, texts: inputs.map((input) => input.text), encodingFormat: first.encodingFormat, user: first.user },
		// A failed batch is reported on its first item.
		batch.entries[0].itemIndex,
	);
	// The API reports usage per request, not per text: every item carries its batch's usage under `batch`
	// (to total it, count it once per `batch.index`).
	const usage = reply.usage;
	// A fresh object per item: n8n items must not share mutable json.
	const batchInfo = (): IDataObject => ({
		index: batch.index,
		size: inputs.length,
		usage: usage ? { ...usage } : null,
		requestId: reply.requestId ?? null,
	});
	return inputs.map((input, position) => {
		const json: IDataObject = {
			embedding: reply.vectors[position],
			dimensions: reply.vectors[position].length,
			model: reply.model ?? input.model,
		};
		if (input.includeText) json.text = input.text;
		json.batch = batchInfo();
		return [{ json }];
	});
}
