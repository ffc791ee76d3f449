/** Node properties shared by every DigitalOcean node: the model picker, request options, output mode. */
import type { INodeProperties } from 'n8n-workflow';

/** The model picker. `withRouter` adds a "Router" mode for Inference Routers (sent as `router:NAME`). */
export function modelLocator(
	searchListMethod: string,
	placeholder: string,
	options: { withRouter?: boolean } = {},
): INodeProperties {
	const routerMode = {
		displayName: 'Router',
		name: 'router',
		type: 'string' as const,
		placeholder: 'e.g. my-support-router',
		hint: 'The name of an Inference Router; the node sends router:NAME and reports the model it chose',
	};
	return {
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The model to use. "By ID" also accepts Inference Router names such as router:my-router.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a model...',
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder,
			},
			...(options.withRouter ? [routerMode] : []),
		],
	};
}

const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 64 },
	default: 1,
	description:
		'How many items to send at the same time. Output order always matches input order.',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 10 },
	default: 3,
	description:
		'How often a request is retried after a rate limit (429), a temporary server failure (408, 5xx) or a dropped connection, with backoff that honours the server\'s retry-after. A paid answer that broke off after it started arriving is not retried (on the text and image nodes: unless Retry Broken Answers is on).',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 600,
	description:
		'Longest wait for the server to start answering, and longest silence while it answers. There is no other time limit.',
};

/** Only where a paid answer arrives in the reply: Speech audio streams into n8n as it arrives, and job submissions are never repeated. */
const retryBrokenAnswersOption: INodeProperties = {
	displayName: 'Retry Broken Answers',
	name: 'retryBrokenAnswers',
	type: 'boolean',
	default: false,
	description:
		'Whether to send a request again when its answer broke off after it started arriving (a stream cut short or a reply cut mid-way). You may be billed for both attempts. Off: the item fails and says how much had arrived.',
};

export const requestOptions: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [concurrencyOption, maxRetriesOption, timeoutOption],
};

/** Request Options of the nodes whose paid answer arrives in the reply (text, embeddings, images). */
export const answerRequestOptions: INodeProperties = {
	...requestOptions,
	options: [concurrencyOption, maxRetriesOption, retryBrokenAnswersOption, timeoutOption],
};

/** Request Options of the embeddings nodes, where one request carries a whole batch of texts. */
export const batchRequestOptions: INodeProperties = {
	...answerRequestOptions,
	options: [
		{
			...concurrencyOption,
			description: 'How many batches (one request each) to send at the same time. Vectors always keep the order of their texts.',
		},
		maxRetriesOption,
		retryBrokenAnswersOption,
		timeoutOption,
	],
};

/** What one pair is called in the editor and under which key its entries are stored. */
interface KeyValueEntry {
	name: string;
	displayName: string;
}

/**
 * A list of text key/value pairs, read as `<name>.<entry.name>[] = {key, value}` (e.g. metadata stored
 * with a request; Fal's job tags keep their `tags.tag` for workflows saved with them).
 */
export function keyValuePairsProperty(
	name: string,
	displayName: string,
	description: string,
	entry: KeyValueEntry = { name: 'entry', displayName: 'Entry' },
): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: `Add ${entry.name === 'entry' ? displayName : entry.displayName}`,
		default: {},
		description,
		options: [
			{
				displayName: entry.displayName,
				name: entry.name,
				values: [
					{ displayName: 'Key', name: 'key', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	};
}

export const outputMode: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'simplified',
	options: [
		{
			name: 'Simplified',
			value: 'simplified',
			description: 'The answer, reasoning, tool calls, usage and request ID',
		},
		{
			name: 'Raw',
			value: 'raw',
			description: 'The full API response',
		},
	],
};
