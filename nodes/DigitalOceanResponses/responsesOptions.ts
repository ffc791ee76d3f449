/** The Responses node's "Options" collection: every field is sent only when the user adds it. */
import type { INodeProperties } from 'n8n-workflow';

import { streamToChatOption } from '../shared/answerRelay';
import { keyValuePairsProperty } from '../shared/descriptions';
import { REASONING_EFFORT_OPTIONS } from '../shared/reasoning';
import { imageBinaryFieldsOption, imageDetailOption, streamResponseOption, temperatureOption, topPOption, userOption, toolChoiceOptions } from '../shared/textOptions';

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
		imageBinaryFieldsOption,
		imageDetailOption,
		{
			displayName: 'Max Output Tokens',
			name: 'maxOutputTokens',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1024,
			description:
				'Upper limit for generated tokens including reasoning tokens. Reasoning models may answer with empty text when this is small.',
		},
		keyValuePairsProperty('metadata', 'Metadata', 'Up to 16 key/value pairs stored with the response (keys up to 64 characters, values up to 512)'),
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
		streamResponseOption,
		streamToChatOption(),
		temperatureOption(2),
		...toolChoiceOptions,
		topPOption,
		userOption,
	],
};
