/** The Embeddings node's "Options" collection: `encoding_format` and `user` reach the API only when added. */
import type { INodeProperties } from 'n8n-workflow';
import { userOption } from '../shared/textOptions';

/** The API takes 1–2048 strings per request (contract §10). */
export const MAX_BATCH_SIZE = 2048;
export const DEFAULT_BATCH_SIZE = 256;

export const embeddingsOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
			default: DEFAULT_BATCH_SIZE,
			description:
				'How many items are embedded in one request (at most 2048, the API\'s limit). Read from the first item. Request Options → Concurrency sets how many requests run at the same time.',
		},
		{
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
			description: 'How the API sends the vectors. The output always holds plain numbers.',
		},
		{
			displayName: 'Include Text',
			name: 'includeText',
			type: 'boolean',
			default: false,
			description: 'Whether to add the embedded text to the output item, next to its vector',
		},
		userOption,
	],
};
