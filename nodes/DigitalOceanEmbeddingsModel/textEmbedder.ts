/**
 * What the sub-node hands to n8n's vector stores and retrievers: an object with LangChain's two
 * embeddings methods, `embedDocuments` and `embedQuery` — all they call (n8n 2.8–2.41). It is a plain
 * object, not a LangChain class, so the package loads no LangChain and works on every n8n version.
 *
 * n8n's own embeddings get their panel entries from n8n's logWrapper, which only wraps LangChain's
 * class; this object writes its own: each call is one run of the sub-node, with the texts as input
 * and, as output, what came back — model, number of vectors, dimensions, requests, usage and request
 * ids — never the vectors themselves (megabytes of numbers nobody reads). A failed call shows its error.
 */
import type { IDataObject, ISupplyDataFunctions } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from '../shared/errors';
import { cancelledError, isCancellation } from '../shared/items';
import type { InferenceClient } from '../shared/transport';
import { embedInBatches, type EmbeddedBatches } from './embedInBatches';
import type { EmbeddingsModelSettings } from './modelSettings';

/** LangChain's `EmbeddingsInterface`. */
export interface TextEmbedder {
	embedDocuments(texts: string[]): Promise<number[][]>;
	embedQuery(text: string): Promise<number[]>;
}

const isBlank = (text: unknown) => typeof text !== 'string' || text.trim() === '';

/** The API cannot embed an empty text: say which one before anything is sent. */
function checkDocuments(ctx: ISupplyDataFunctions, texts: unknown, itemIndex: number): string[] {
	if (!Array.isArray(texts)) {
		throw new NodeOperationError(ctx.getNode(), 'The texts to embed must be a list of strings', { itemIndex });
	}
	const blank = texts.findIndex(isBlank);
	if (blank !== -1) {
		throw new NodeOperationError(ctx.getNode(), `Text ${blank + 1} of ${texts.length} to embed is empty`, {
			itemIndex,
			description: "DigitalOcean cannot embed an empty text. Check the documents the vector store receives, e.g. the Default Data Loader's input.",
		});
	}
	return texts as string[];
}

function checkQuery(ctx: ISupplyDataFunctions, text: unknown, itemIndex: number): string[] {
	if (isBlank(text)) {
		throw new NodeOperationError(ctx.getNode(), 'The query to embed is empty', {
			itemIndex,
			description: 'DigitalOcean cannot embed an empty text. Check the search text given to the vector store, e.g. an expression that resolves to nothing.',
		});
	}
	return [text as string];
}

function summary(result: EmbeddedBatches, model: string): IDataObject {
	return {
		model: result.model ?? model,
		vectors: result.vectors.length,
		dimensions: result.vectors[0]?.length ?? 0,
		requests: result.requests,
		usage: result.usage,
		requestIds: result.requestIds,
	};
}

export function createTextEmbedder(
	ctx: ISupplyDataFunctions,
	client: InferenceClient,
	settings: EmbeddingsModelSettings,
	itemIndex: number,
): TextEmbedder {
	const connection = NodeConnectionTypes.AiEmbedding;
	const embed = async (input: IDataObject, check: () => string[]): Promise<number[][]> => {
		const { index } = ctx.addInputData(connection, [[{ json: input }]]);
		try {
			const result = await embedInBatches(client, settings.request, check(), settings.plan, itemIndex);
			ctx.addOutputData(connection, index, [[{ json: summary(result, settings.request.model) }]]);
			return result.vectors;
		} catch (error) {
			const failure = isCancellation(ctx, error) ? cancelledError(ctx) : withItemIndex(ctx.getNode(), error, itemIndex);
			ctx.addOutputData(connection, index, failure);
			throw failure;
		}
	};
	return {
		embedDocuments: async (texts) => await embed({ documents: texts }, () => checkDocuments(ctx, texts, itemIndex)),
		embedQuery: async (text) => (await embed({ query: text }, () => checkQuery(ctx, text, itemIndex)))[0],
	};
}
