/**
 * One batch of items → one POST /v1/embeddings → one output per item. The API rejects unknown fields,
 * so the body holds `model` and `input` and, only when the user set them, `encoding_format` and `user`.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Batch } from '../shared/batches';
import type { InferenceClient } from '../shared/transport';
import { definedOnly } from '../shared/validation';
import type { EmbeddingInput } from './embeddingsInput';
import { vectorsInInputOrder, type EmbeddingsReply } from './embeddingsResponse';

export const EMBEDDINGS_PATH = '/v1/embeddings';

/** The request body of a batch; every entry shares model, encoding and user (see requestKey). */
export function buildEmbeddingsBody(inputs: EmbeddingInput[]): IDataObject {
	const [first] = inputs;
	return {
		model: first.model,
		input: inputs.map((input) => input.text),
		...definedOnly({ encoding_format: first.encodingFormat, user: first.user }),
	};
}

export async function embedBatch(client: InferenceClient, batch: Batch<EmbeddingInput>): Promise<INodeExecutionData[][]> {
	const inputs = batch.entries.map((entry) => entry.input);
	const reply = await client.json<EmbeddingsReply>({
		path: EMBEDDINGS_PATH,
		body: buildEmbeddingsBody(inputs),
		// A failed batch is reported on its first item.
		itemIndex: batch.entries[0].itemIndex,
	});
	const vectors = vectorsInInputOrder(reply.data, inputs.length);
	// The API reports usage per request, not per text: every item carries its batch's usage under `batch`
	// (to total it, count it once per `batch.index`).
	const usage = reply.data.usage;
	// A fresh object per item: n8n items must not share mutable json.
	const batchInfo = (): IDataObject => ({
		index: batch.index,
		size: inputs.length,
		usage: usage ? { ...usage } : null,
		requestId: reply.requestId ?? null,
	});
	return inputs.map((input, position) => {
		const json: IDataObject = {
			embedding: vectors[position],
			dimensions: vectors[position].length,
			model: reply.data.model ?? input.model,
		};
		if (input.includeText) json.text = input.text;
		json.batch = batchInfo();
		return [{ json }];
	});
}
