/**
 * The options both embeddings nodes offer (the action node and the sub-node), defined once so they
 * read and check alike: Batch Size (at most the API's 2,048 texts per request) and Encoding.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { EncodingFormat } from './embeddingsApi';
import { checkRange, InputError } from './validation';

/** The API takes 1–2048 strings per request (contract §10). */
export const MAX_BATCH_SIZE = 2048;

export function batchSizeOption(defaultSize: number, description: string): INodeProperties {
	return {
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
		default: defaultSize,
		description,
	};
}

export const encodingOption: INodeProperties = {
	displayName: 'Encoding',
	name: 'encodingFormat',
	type: 'options',
	default: 'float',
	options: [
		{ name: 'Float', value: 'float', description: 'Vectors arrive as JSON numbers' },
		{
			name: 'Base64',
			value: 'base64',
			description: 'Vectors arrive as packed float32 (a smaller reply); the node decodes them to numbers',
		},
	],
	description: 'How the API sends the vectors. They are always decoded to plain numbers.',
};

/** A whole number from 1 to 2048. */
export function checkBatchSize(batchSize: number): number {
	checkRange(batchSize, 'Batch Size', 1, MAX_BATCH_SIZE);
	if (!Number.isInteger(batchSize)) throw new InputError(`Batch Size must be a whole number (got ${batchSize})`);
	return batchSize;
}

/** The chosen encoding, or undefined when the option was not added (then nothing is sent). */
export function checkEncoding(encodingFormat: unknown): EncodingFormat | undefined {
	if (encodingFormat === undefined || encodingFormat === 'float' || encodingFormat === 'base64') return encodingFormat;
	throw new InputError(`Unknown encoding "${String(encodingFormat)}"`, 'Choose Float or Base64.');
}
