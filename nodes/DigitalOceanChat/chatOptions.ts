/** The Chat node's "Options" collection: every field is sent only when the user adds it. */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { streamToChatOption } from '../shared/answerRelay';
import { REASONING_EFFORT_OPTIONS } from '../shared/reasoning';
import {
	imageBinaryFieldsOption,
	imageDetailOption,
	promptCacheRetentionOption,
	reasoningEffortOption,
	streamResponseOption,
	temperatureOption,
	topPOption,
	userOption,
	toolChoiceOptions,
} from '../shared/textOptions';

export const CACHE_TTL_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Off', value: 'none' },
	{ name: '5 Minutes', value: '5m' },
	{ name: '1 Hour', value: '1h' },
];

export const chatOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Frequency Penalty',
			name: 'frequencyPenalty',
			type: 'number',
			typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
			default: 0,
			description: 'Positive values make the model less likely to repeat the same words',
		},
		{
			displayName: 'Function Tools',
			name: 'functionTools',
			type: 'json',
			// Empty by default: adding the option must not send an example tool the user never wrote.
			default: '[]',
			hint: 'e.g. [{"name": "get_weather", "description": "Current weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]',
			description:
				'Functions the model may ask you to call, as a JSON array. Chat, Responses and Anthropic formats are all accepted. The calls appear in the output under toolCalls, each with its arguments also under input (which expressions can read).',
		},
		imageBinaryFieldsOption,
		imageDetailOption,
		{
			displayName: 'JSON Schema',
			name: 'jsonSchema',
			type: 'json',
			default: '{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  },\n  "required": ["answer"]\n}',
			description: 'The schema the answer must follow when Response Format is JSON Schema',
			displayOptions: { show: { responseFormat: ['json_schema'] } },
		},
		{
			displayName: 'JSON Schema Name',
			name: 'jsonSchemaName',
			type: 'string',
			default: 'response',
			description: 'A name for the schema (letters, digits, underscores and dashes)',
			displayOptions: { show: { responseFormat: ['json_schema'] } },
		},
		{
			displayName: 'Max Completion Tokens',
			name: 'maxCompletionTokens',
			type: 'number',
			typeOptions: { minValue: 256 },
			default: 1024,
			description:
				'Upper limit for generated tokens including reasoning tokens (newer models), at least 256. Reasoning models may answer with empty content when this is small. Use either this or Max Tokens, not both.',
		},
		{
			displayName: 'Max Tokens',
			name: 'maxTokens',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1024,
			description: 'Maximum number of tokens to generate. Use either this or Max Completion Tokens, not both.',
		},
		{
			displayName: 'Number of Choices',
			name: 'n',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 128 },
			default: 1,
			description: 'How many answers to generate; each becomes its own output item',
		},
		{
			displayName: 'Presence Penalty',
			name: 'presencePenalty',
			type: 'number',
			typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
			default: 0,
			description: 'Positive values make the model more likely to talk about new topics',
		},
		promptCacheRetentionOption,
		{
			displayName: 'Reasoning Budget',
			name: 'reasoning',
			type: 'fixedCollection',
			default: {},
			placeholder: 'Set Reasoning Budget',
			description:
				'Anthropic-style reasoning object. Without a token budget the model thinks with a share of Max Completion Tokens (low 20%, medium 50%, high 80%, max 95%).',
			options: [
				{
					displayName: 'Settings',
					name: 'settings',
					values: [
						{
							displayName: 'Effort',
							name: 'effort',
							type: 'options',
							default: 'medium',
							options: REASONING_EFFORT_OPTIONS,
						},
						{
							displayName: 'Max Tokens',
							name: 'maxTokens',
							type: 'number',
							typeOptions: { minValue: 0 },
							default: 0,
							description: 'Thinking budget in tokens (0 = a share of Max Completion Tokens)',
						},
					],
				},
			],
		},
		reasoningEffortOption,
		{
			displayName: 'Response Format',
			name: 'responseFormat',
			type: 'options',
			default: 'text',
			options: [
				{ name: 'Text', value: 'text' },
				{ name: 'JSON Object', value: 'json_object' },
				{ name: 'JSON Schema', value: 'json_schema' },
			],
			description: 'Ask for plain text, any JSON object, or JSON that follows a schema',
		},
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: 0,
			description: 'Makes sampling repeatable where the model supports it',
		},
		{
			displayName: 'Stop Sequences',
			name: 'stop',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Up to 4 sequences, one per line, where the model stops generating',
		},
		streamResponseOption,
		streamToChatOption(' Until this option is added, JSON answers (Response Format JSON Object or JSON Schema) are not sent.'),
		{
			displayName: 'System Message',
			name: 'systemMessage',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			description: 'Instructions sent first, as a system message',
		},
		{
			displayName: 'System Message Cache',
			name: 'systemMessageCache',
			type: 'options',
			default: '5m',
			options: CACHE_TTL_OPTIONS,
			description:
				'Mark the system message for prompt caching (Anthropic and OpenAI models): repeated calls within the time read it from the cache at a lower price',
		},
		temperatureOption(2),
		...toolChoiceOptions,
		topPOption,
		userOption,
	],
};
