/** The Embeddings node's "Options" collection: `encoding_format` and `user` reach the API only when added. */
import type { INodeProperties } from 'n8n-workflow';

import { batchSizeOption, encodingOption } from '../shared/embeddingsFields';
import { userOption } from '../shared/textOptions';

export const DEFAULT_BATCH_SIZE = 256;

export const embeddingsOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		batchSizeOption(
			DEFAULT_BATCH_SIZE,
			'How many items are embedded in one request (at most 2048, the API\'s limit). Read from the first item. Request Options → Concurrency sets how many requests run at the same time.',
		),
		encodingOption,
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
