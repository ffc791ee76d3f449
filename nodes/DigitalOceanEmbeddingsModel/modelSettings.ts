/**
 * What the sub-node reads once, when a vector store or retriever asks n8n for it (supplyData): the
 * model, the options and the request options, all checked before anything is sent.
 */
import type { ISupplyDataFunctions } from 'n8n-workflow';

import { readRequestSettings, type RequestSettings } from '../shared/client';
import type { EmbeddingsRequest, EncodingFormat } from '../shared/embeddingsApi';
import { checkBatchSize, checkEncoding } from '../shared/embeddingsFields';
import { asItemInputError, InputError } from '../shared/validation';
import type { BatchPlan } from './embedInBatches';

/** Vector stores hand over their own batches (n8n's default: 200 documents), so one request per call is the norm. */
export const DEFAULT_BATCH_SIZE = 2048;

/**
 * The vectors only pass through to the vector store, so by default they travel packed: base64 float32
 * is a quarter of the JSON numbers' size and decodes to the same numbers (what OpenAI's SDK asks for too).
 */
export const DEFAULT_ENCODING: EncodingFormat = 'base64';

export interface EmbeddingsModelSettings {
	/** Everything of a request but its texts. */
	request: Omit<EmbeddingsRequest, 'texts'>;
	plan: BatchPlan;
	transport: RequestSettings;
}

interface ModelOptions {
	batchSize?: number;
	encodingFormat?: unknown;
	user?: string;
}

export function readModelSettings(ctx: ISupplyDataFunctions, itemIndex: number): Promise<EmbeddingsModelSettings> {
	return asItemInputError(ctx, itemIndex, () => {
		const model = String(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '').trim();
		if (model === '') throw new InputError('No model selected', 'Pick an embedding model from the list or enter its ID.');
		const options = ctx.getNodeParameter('options', itemIndex, {}) as ModelOptions;
		const transport = readRequestSettings(ctx, itemIndex);
		return {
			request: { model, encodingFormat: checkEncoding(options.encodingFormat ?? DEFAULT_ENCODING), user: options.user || undefined },
			plan: { batchSize: checkBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE), concurrency: transport.concurrency },
			transport,
		};
	});
}
