/** The Messages node's "Options" collection: every field is sent only when the user adds it. */
import type { INodeProperties } from 'n8n-workflow';

import { REASONING_EFFORT_OPTIONS } from '../shared/reasoning';
import { imageBinaryFieldsOption, streamResponseOption, temperatureOption, topPOption } from '../shared/textOptions';

export const messagesOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Cache System Prompt',
			name: 'cacheSystemPrompt',
			type: 'options',
			default: '5m',
			options: [
				{ name: 'For 5 Minutes', value: '5m' },
				{ name: 'For 1 Hour', value: '1h' },
			],
			description:
				'Whether to mark the system prompt for prompt caching, and for how long. Repeated calls with the same system prompt then read it from the cache (see cache_read_input_tokens in the usage).',
		},
		{
			displayName: 'Function Tools',
			name: 'functionTools',
			type: 'json',
			// Empty by default: adding the option must not send an example tool the user never wrote.
			default: '[]',
			hint: 'e.g. [{"name": "get_weather", "description": "Current weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]',
			description:
				'Functions the model may call, as a JSON array of {name, description, input_schema}. OpenAI-style definitions with "parameters" are accepted too. The calls come back in toolUses.',
		},
		imageBinaryFieldsOption,
		{
			displayName: 'Reasoning Effort',
			name: 'reasoningEffort',
			type: 'options',
			default: 'medium',
			options: REASONING_EFFORT_OPTIONS,
			description: "How much the model thinks before answering (DigitalOcean's reasoning_effort)",
		},
		{
			displayName: 'Speed',
			name: 'speed',
			type: 'options',
			default: 'standard',
			options: [
				{ name: 'Standard', value: 'standard' },
				{ name: 'Fast', value: 'fast' },
			],
			description: "DigitalOcean's speed tier for the request, where the model offers one",
		},
		{
			displayName: 'Stop Sequences',
			name: 'stopSequences',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Sequences, one per line, where the model stops generating',
		},
		streamResponseOption,
		{
			displayName: 'System Prompt',
			name: 'system',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			description: 'Instructions for the model, sent as the top-level system prompt',
		},
		temperatureOption(1),
		{
			displayName: 'Thinking',
			name: 'thinking',
			type: 'options',
			default: 'enabled',
			options: [
				{ name: 'Enabled', value: 'enabled' },
				{ name: 'Disabled', value: 'disabled' },
			],
			description: 'Whether the model thinks step by step before answering (extended thinking)',
		},
		{
			displayName: 'Thinking Budget (Tokens)',
			name: 'thinkingBudget',
			type: 'number',
			typeOptions: { minValue: 1024 },
			default: 1024,
			description:
				'Most tokens the model may spend thinking: at least 1024 and less than Max Tokens. 1024 when not set.',
			displayOptions: { show: { thinking: ['enabled'] } },
		},
		{
			displayName: 'Tool Choice',
			name: 'toolChoice',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto', description: 'The model decides whether to call a tool' },
				{ name: 'Any', value: 'any', description: 'The model must call one of the tools' },
				{ name: 'None', value: 'none', description: 'The model must not call a tool' },
				{ name: 'Named Tool', value: 'tool', description: 'The model must call the tool named below' },
			],
			description: 'Whether and how the model must use the function tools',
		},
		{
			displayName: 'Tool Name',
			name: 'toolName',
			type: 'string',
			default: '',
			placeholder: 'e.g. get_weather',
			description: 'The function tool the model must call',
			displayOptions: { show: { toolChoice: ['tool'] } },
		},
		{
			displayName: 'Top K',
			name: 'topK',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 40,
			description: 'Only the K most likely tokens are considered at each step',
		},
		topPOption,
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'string',
			default: '',
			description: 'An opaque ID of your end user, sent as metadata.user_id',
		},
	],
};
