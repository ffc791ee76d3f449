/**
 * Reads and checks what one item asks for (its text, the model and the options), and the run's batch
 * size. Runs for every item before the first request, so bad input never costs a billed batch.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { EncodingFormat } from '../shared/embeddingsApi';
import { checkBatchSize, checkEncoding } from '../shared/embeddingsFields';
import { asItemInputError, InputError } from '../shared/validation';
import { DEFAULT_BATCH_SIZE } from './embeddingsOptions';

export interface EmbeddingsOptions {
	batchSize?: number;
	encodingFormat?: EncodingFormat;
	includeText?: boolean;
	user?: string;
}

/** One item, ready to go into a batch. */
export interface EmbeddingInput {
	text: string;
	model: string;
	/** Undefined when the user did not add the option: then nothing is sent and the API's default (float) applies. */
	encodingFormat?: EncodingFormat;
	user?: string;
	includeText: boolean;
}

function kindOf(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The text of one item: a non-blank string, or a number (turned into its digits). Sent as is, not trimmed. */
export function textToEmbed(value: unknown): string {
	if (value === undefined || value === null) {
		throw new InputError(
			'There is no text to embed',
			'The "Text" parameter resolved to nothing for this item. Check that the input has the field you mapped, e.g. {{ $json.text }}.',
		);
	}
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string') {
		throw new InputError(
			`The text to embed must be a string (got ${kindOf(value)})`,
			'Map a field that holds text. For a list of texts, turn it into one item per text first (e.g. with a Split Out node).',
		);
	}
	if (value.trim() === '') {
		throw new InputError(
			'The text to embed is empty',
			'The API cannot embed an empty text. Map a field that holds text, or drop empty items first (e.g. with a Filter node).',
		);
	}
	return value;
}

export function readEmbeddingInput(ctx: IExecuteFunctions, itemIndex: number): Promise<EmbeddingInput> {
	return asItemInputError(ctx, itemIndex, () => {
		const model = String(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '').trim();
		if (model === '') throw new InputError('No model selected', 'Pick an embedding model from the list or enter its ID.');
		const text = textToEmbed(ctx.getNodeParameter('text', itemIndex, undefined));
		const options = ctx.getNodeParameter('options', itemIndex, {}) as EmbeddingsOptions;
		return {
			text,
			model,
			encodingFormat: checkEncoding(options.encodingFormat),
			user: options.user || undefined,
			includeText: options.includeText === true,
		};
	});
}

/** The batch size, read once from the first item: it shapes the requests, not any one item. */
export function readBatchSize(ctx: IExecuteFunctions): Promise<number> {
	return asItemInputError(ctx, 0, () => {
		const { batchSize = DEFAULT_BATCH_SIZE } = ctx.getNodeParameter('options', 0, {}) as EmbeddingsOptions;
		return checkBatchSize(batchSize);
	});
}

/** Items that differ in any of these cannot share one request. */
export function requestKey(input: EmbeddingInput): string {
	return JSON.stringify([input.model, input.encodingFormat ?? null, input.user ?? null]);
}
