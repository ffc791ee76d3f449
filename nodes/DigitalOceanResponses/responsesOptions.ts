/** The Responses node's "Options" collection: every field is sent only when the user adds it. */
import type { INodeProperties } from 'n8n-workflow';

import { REASONING_EFFORT_OPTIONS } from '../shared/reasoning';

export const responsesOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Function Tools',
			name: 'functionTools',
			type: 'json',
			default: '[]',
			description:
				'Functions the model may ask your workflow to call, as a JSON array such as [{"name": "get_weather", "description": "…", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]. Chat-style and Anthropic-style definitions are accepted too. Calls appear under functionCalls in the output.',
		},
		{
			displayName: 'Image Binary Fields',
			name: 'imageBinaryFields',
			type: 'string',
			default: 'data',
			placeholder: 'e.g. data, photo',
			description:
				'Names of the input binary fields holding images (PNG, JPEG or WebP) to send with the last user message, separated by commas. Needs a vision model.',
		},
		{
			displayName: 'Image Detail',
			name: 'imageDetail',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'High', value: 'high' },
				{ name: 'Low', value: 'low' },
			],
			description: 'How closely the vision model looks at the images',
		},
		{
			displayName: 'Max Output Tokens',
			name: 'maxOutputTokens',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1024,
			description:
				'Upper limit for generated tokens including reasoning tokens. Reasoning models may answer with empty text when this is small.',
		},
		{
			displayName: 'Metadata',
			name: 'metadata',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Metadata',
			default: {},
			description: 'Up to 16 key/value pairs stored with the response (keys up to 64 characters, values up to 512)',
			options: [
				{
					displayName: 'Entry',
					name: 'entry',
					values: [
						{ displayName: 'Key', name: 'key', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
		{
			displayName: 'Previous Response ID',
			name: 'previousResponseId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.responseId }}',
			description:
				'Continue the conversation of a stored earlier response: map the responseId of a previous DigitalOcean Responses node. That response must have been created with Store on.',
		},
		{
			displayName: 'Reasoning Effort',
			name: 'reasoningEffort',
			type: 'options',
			default: 'medium',
			options: REASONING_EFFORT_OPTIONS,
			description: 'How much the model thinks before answering (reasoning models); sent as reasoning.effort',
		},
		{
			displayName: 'Stop Sequences',
			name: 'stop',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Up to 4 sequences, one per line, where the model stops generating',
		},
		{
			displayName: 'Store',
			name: 'store',
			type: 'boolean',
			default: true,
			description:
				'Whether DigitalOcean keeps the response so a later request can continue from it with Previous Response ID',
		},
		{
			displayName: 'Stream Response',
			name: 'stream',
			type: 'boolean',
			default: true,
			description:
				'Whether to receive the answer as a stream inside the node, so long answers never hit the timeout. The output is the same either way.',
		},
		{
			displayName: 'Temperature',
			name: 'temperature',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
			default: 1,
			description: 'Higher values make the answer more random, lower values more focused',
		},
		{
			displayName: 'Tool Choice',
			name: 'toolChoice',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto', description: 'The model decides whether to use a tool' },
				{ name: 'None', value: 'none', description: 'The model answers without tools' },
				{ name: 'Required', value: 'required', description: 'The model must use a tool' },
				{ name: 'A Named Function', value: 'function', description: 'The model must call one function' },
			],
			description: 'Whether and which tool the model must use',
		},
		{
			displayName: 'Tool Choice Function Name',
			name: 'toolChoiceFunction',
			type: 'string',
			default: '',
			placeholder: 'e.g. get_weather',
			description: 'The function (from Function Tools) the model must call',
			displayOptions: { show: { toolChoice: ['function'] } },
		},
		{
			displayName: 'Top P',
			name: 'topP',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			default: 1,
			description: 'Nucleus sampling: only the tokens within this probability mass are considered',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'An ID of your end user, passed on to the model provider',
		},
	],
};
