/**
 * One POST /v1/embeddings: the body (the API rejects unknown fields, so `model` and `input` and, only
 * when the user set them, `encoding_format` and `user`) and the vectors of its reply, checked and put
 * in the order of the texts sent. Shared by the Embeddings action node and the Embeddings sub-node.
 */
import type { IDataObject } from 'n8n-workflow';

import { vectorsInInputOrder, type EmbeddingsReply } from './embeddingsResponse';
import type { InferenceClient } from './transport';
import { definedOnly } from './validation';

export const EMBEDDINGS_PATH = '/v1/embeddings';

export type EncodingFormat = 'float' | 'base64';

export interface EmbeddingsRequest {
	model: string;
	/** 1–2048 texts (contract §10). */
	texts: string[];
	/** Undefined when the user did not choose: nothing is sent and the API's default (float) applies. */
	encodingFormat?: EncodingFormat;
	user?: string;
}

/** What one request gave back: one vector per text sent, in their order. */
export interface EmbeddedTexts {
	vectors: number[][];
	/** The model the API reports, if any. */
	model?: string;
	/** The API reports usage per request, not per text. */
	usage?: IDataObject;
	requestId?: string;
}

export function buildEmbeddingsBody(request: EmbeddingsRequest): IDataObject {
	return {
		model: request.model,
		input: request.texts,
		...definedOnly({ encoding_format: request.encodingFormat, user: request.user }),
	};
}

/** Sends one request; `itemIndex` names the item a failure is reported on. */
export async function requestEmbeddings(client: InferenceClient, request: EmbeddingsRequest, itemIndex?: number): Promise<EmbeddedTexts> {
	const reply = await client.json<EmbeddingsReply>({ path: EMBEDDINGS_PATH, body: buildEmbeddingsBody(request), itemIndex });
	return {
		vectors: vectorsInInputOrder(reply.data, request.texts.length),
		model: reply.data.model,
		usage: reply.data.usage,
		requestId: reply.requestId,
	};
}
