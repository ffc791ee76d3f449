/**
 * The Batch node's parameters. Submit builds each request with the same fields as the Chat, Responses
 * and Messages nodes (their option collections, minus what a batch cannot do: streaming and images),
 * or takes a raw JSON body per item.
 */
import type { INodeProperties } from 'n8n-workflow';

import { chatOptions } from '../DigitalOceanChat/chatOptions';
import { messagesOptions } from '../DigitalOceanMessages/messagesOptions';
import { responsesOptions } from '../DigitalOceanResponses/responsesOptions';
import { CHAT_ROLES } from '../DigitalOceanChat/chatRequest';
import { MESSAGE_ROLES } from '../DigitalOceanMessages/messagesRequest';
import { RESPONSES_ROLES } from '../DigitalOceanResponses/responsesRequest';
import { inputTypeProperty, messageListProperty, promptProperty } from '../shared/conversation';
import { keyValuePairsProperty, modelLocator, requestOptions } from '../shared/descriptions';
import { maxFileSizeOption } from '../shared/jobOperations';
import type { BatchApi } from './batchFile';

export type BatchOperation = 'submit' | 'getStatus' | 'waitForCompletion' | 'getResults' | 'cancel' | 'list';

export const DEFAULT_MAX_RESULTS_MB = 1024;

const SUBMIT = ['submit'];
const ON_BATCH: BatchOperation[] = ['getStatus', 'waitForCompletion', 'getResults', 'cancel'];

const fieldsFor = (api: BatchApi) => ({ show: { operation: SUBMIT, bodySource: ['fields'], api: [api] } });
const FIELDS = { show: { operation: SUBMIT, bodySource: ['fields'] } };

/** Options a batch request cannot use: batches run text only and deliver a file, never a stream. */
const NOT_IN_BATCHES = new Set(['imageBinaryFields', 'imageDetail', 'stream', 'streamToChat']);

function batchOptionsOf(collection: INodeProperties, api: BatchApi): INodeProperties {
	const options = (collection.options ?? []) as INodeProperties[];
	return { ...collection, displayOptions: fieldsFor(api), options: options.filter((option) => !NOT_IN_BATCHES.has(option.name)) };
}

function messagesFor(api: BatchApi, roles: readonly string[]): INodeProperties {
	const list = messageListProperty([...roles]);
	return { ...list, displayOptions: { show: { ...FIELDS.show, api: [api], inputType: ['messages'] } } };
}

function jsonBodyFor(api: BatchApi, example: object): INodeProperties {
	return {
		displayName: 'JSON Body',
		name: 'jsonBody',
		type: 'json',
		default: JSON.stringify(example, null, 2),
		required: true,
		displayOptions: { show: { operation: SUBMIT, bodySource: ['json'], api: [api] } },
		description:
			'The request body of this item, as the API takes it (map item fields with expressions). Text only; "stream" is not allowed.',
	};
}

export const batchProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'submit',
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a batch',
				description: 'Stop a running batch; requests already finished stay in its results',
			},
			{
				name: 'Get Results',
				value: 'getResults',
				action: 'Get the results of a batch',
				description: 'Download the results of a finished batch: one item per request, in the order submitted',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				action: 'Get the status of a batch',
				description: 'Check a batch once and output its status and request counts',
			},
			{
				name: 'List',
				value: 'list',
				action: 'List batches',
				description: 'List the batches of this account, newest first',
			},
			{
				name: 'Submit',
				value: 'submit',
				action: 'Submit a batch',
				description: 'Send all input items as one batch (up to 50 % cheaper, results within 24 hours)',
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				action: 'Wait for a batch to finish',
				description: 'Check a batch until it has finished or the wait timeout passes',
			},
		],
	},
	{
		displayName: 'API',
		name: 'api',
		type: 'options',
		noDataExpression: true,
		default: 'chat',
		displayOptions: { show: { operation: SUBMIT } },
		options: [
			{
				name: 'Anthropic Messages',
				value: 'messages',
				description: 'Claude models, in the Anthropic Messages format (up to 100,000 requests)',
			},
			{
				name: 'OpenAI Chat Completions',
				value: 'chat',
				description: 'OpenAI models, /v1/chat/completions (up to 50,000 requests, one model per batch)',
			},
			{
				name: 'OpenAI Responses',
				value: 'responses',
				description: 'OpenAI models, /v1/responses (up to 50,000 requests, one model per batch)',
			},
		],
		description: 'Which API every request of the batch calls. Batch inference runs OpenAI and Anthropic models only, on text.',
	},
	{
		displayName: 'Request Body',
		name: 'bodySource',
		type: 'options',
		noDataExpression: true,
		default: 'fields',
		displayOptions: { show: { operation: SUBMIT } },
		options: [
			{ name: 'From Fields', value: 'fields', description: 'Model, prompt and options, like the Chat, Responses and Messages nodes' },
			{ name: 'JSON', value: 'json', description: 'A complete request body per item' },
		],
	},
	{
		...modelLocator('searchBatchModels', 'e.g. openai-gpt-4o or anthropic-claude-3.5-haiku'),
		description: 'The model to use: an OpenAI model for the OpenAI APIs, a Claude model for Anthropic Messages',
		displayOptions: FIELDS,
	},
	{
		...inputTypeProperty('A conversation of several messages'),
		displayOptions: FIELDS,
	},
	{
		...promptProperty,
		displayOptions: { show: { ...FIELDS.show, inputType: ['prompt'] } },
	},
	// Tool messages need the earlier answer's tool calls, which a one-shot batch request has no use for.
	messagesFor('chat', CHAT_ROLES.filter((role) => role !== 'tool')),
	messagesFor('responses', RESPONSES_ROLES),
	messagesFor('messages', MESSAGE_ROLES),
	{
		displayName: 'Instructions',
		name: 'instructions',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. You write product descriptions of at most 60 words.',
		description: 'System-level instructions for each request; sent only when filled in',
		displayOptions: fieldsFor('responses'),
	},
	{
		displayName: 'Max Tokens',
		name: 'maxTokens',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1024,
		required: true,
		description: 'Maximum number of tokens to generate per request, thinking included (required by the Messages API)',
		displayOptions: fieldsFor('messages'),
	},
	batchOptionsOf(chatOptions, 'chat'),
	batchOptionsOf(responsesOptions, 'responses'),
	batchOptionsOf(messagesOptions, 'messages'),
	jsonBodyFor('chat', { model: 'openai-gpt-4o', messages: [{ role: 'user', content: 'Hello!' }] }),
	jsonBodyFor('responses', { model: 'openai-gpt-4o', input: 'Hello!' }),
	jsonBodyFor('messages', { model: 'anthropic-claude-3.5-haiku', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello!' }] }),
	{
		displayName: 'Batch Options',
		name: 'batchOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: SUBMIT } },
		options: [
			{
				displayName: 'Custom ID',
				name: 'customId',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.sku }}',
				description:
					'An ID per item that comes back with its result (unique in the batch; for Anthropic 1–64 letters, digits, _ and -). Empty: item-0, item-1, …, which Get Results also uses to put the results back in input order and pair them with the input items.',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				placeholder: "e.g. {{ $now.toFormat('yyyy-LL-dd') }}",
				description:
					"Submitting the same requests again returns the batch already created, so a retried or re-run Submit is never billed twice. Set a key (e.g. today's date) to submit identical requests as a new batch.",
			},
			keyValuePairsProperty('metadata', 'Metadata', 'Text values stored with the batch (e.g. which workflow made it); List outputs them'),
		],
	},
	{
		displayName: 'Batch ID',
		name: 'batchId',
		type: 'string',
		default: '={{ $json.batchId }}',
		required: true,
		displayOptions: { show: { operation: ON_BATCH } },
		description: 'The ID a Submit or List operation output (field batchId)',
	},
	{
		displayName: 'Wait Timeout (Seconds)',
		name: 'waitTimeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 900,
		displayOptions: { show: { operation: ['waitForCompletion'] } },
		description:
			'Longest time to wait in this node. Batches can take up to 24 hours: for long waits, loop through a Wait node or check from a scheduled workflow instead. Stopping the workflow ends the wait at once.',
	},
	{
		displayName: 'Max Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 30,
		displayOptions: { show: { operation: ['waitForCompletion'] } },
		description:
			'The batch is checked after 1–2 seconds, then every tenth of the time waited so far, but never less often than this',
	},
	{
		displayName: 'On Timeout',
		name: 'onTimeout',
		type: 'options',
		default: 'output',
		displayOptions: { show: { operation: ['waitForCompletion'] } },
		options: [
			{
				name: 'Fail',
				value: 'fail',
				description: 'Stop with an error that names the batch ID',
			},
			{
				name: 'Output the Status to Continue Later',
				value: 'output',
				description: 'Output the batch status (finished: false, timedOut: true) and go on, e.g. to a Wait node that loops back',
			},
		],
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'simplified',
		displayOptions: { show: { operation: ['getResults'] } },
		options: [
			{
				name: 'Simplified',
				value: 'simplified',
				description: 'One item per request: the answer, usage and custom ID, like the Chat, Responses and Messages nodes',
			},
			{
				name: 'Raw',
				value: 'raw',
				description: 'One item per request: its result line as DigitalOcean wrote it',
			},
			{
				name: 'Files',
				value: 'files',
				description: 'The result files as binary data (output in "data", failed requests in "errors"), never split into items',
			},
		],
	},
	{
		displayName: 'Results Options',
		name: 'resultsOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['getResults'] } },
		options: [
			{
				displayName: 'If Not Finished',
				name: 'ifNotReady',
				type: 'options',
				default: 'fail',
				options: [
					{ name: 'Fail', value: 'fail', description: 'Stop with an error that names the status' },
					{ name: 'Output the Status', value: 'status', description: 'Output the batch status (resultsReady: false) instead of results' },
				],
				description: 'What to do when the batch is still running',
			},
			{ ...maxFileSizeOption(DEFAULT_MAX_RESULTS_MB), description: 'A result file larger than this is not downloaded' },
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: ['list'] } },
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { operation: ['list'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { operation: ['list'] } },
		options: [
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'completed',
				options: [
					{ name: 'Cancelled', value: 'cancelled' },
					{ name: 'Cancelling', value: 'cancelling' },
					{ name: 'Completed', value: 'completed' },
					{ name: 'Expired', value: 'expired' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Finalizing', value: 'finalizing' },
					{ name: 'In Progress', value: 'in_progress' },
					{ name: 'Validating', value: 'validating' },
				],
				description: 'Only batches in this status',
			},
		],
	},
	requestOptions,
];
