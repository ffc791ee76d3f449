/** Options that mean the same on every text node, defined once so they read and behave alike. */
import type { INodeProperties } from 'n8n-workflow';

import { REASONING_EFFORT_OPTIONS } from './reasoning';

export const imageBinaryFieldsOption: INodeProperties = {
	displayName: 'Image Binary Fields',
	name: 'imageBinaryFields',
	type: 'string',
	default: 'data',
	placeholder: 'e.g. data, photo',
	description:
		'Names of the input binary fields holding images (PNG, JPEG or WebP) to send with the last user message, separated by commas. Needs a vision model such as nemotron-nano-12b-v2-vl.',
};

export const imageDetailOption: INodeProperties = {
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
};

export const streamResponseOption: INodeProperties = {
	displayName: 'Stream Response',
	name: 'stream',
	type: 'boolean',
	default: true,
	description:
		'Whether to receive the answer as a stream inside the node, so long answers never hit the timeout. The output is the same either way.',
};

/** Chat and Responses accept 0–2; the Anthropic-compatible Messages API 0–1. */
export function temperatureOption(max: 1 | 2): INodeProperties {
	return {
		displayName: 'Temperature',
		name: 'temperature',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: max, numberPrecision: 2 },
		default: 1,
		description: 'Higher values make the answer more random, lower values more focused',
	};
}

export const topPOption: INodeProperties = {
	displayName: 'Top P',
	name: 'topP',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
	default: 1,
	description: 'Nucleus sampling: only the tokens within this probability mass are considered',
};

export const userOption: INodeProperties = {
	displayName: 'User',
	name: 'user',
	type: 'string',
	default: '',
	description: 'An ID of your end user, passed on to the model provider',
};

/** Chat Completions and the Responses API: auto, none, required, or one named function. */
export const toolChoiceOptions: INodeProperties[] = [
	{
		displayName: 'Tool Choice',
		name: 'toolChoice',
		type: 'options',
		default: 'auto',
		options: [
			{ name: 'Auto', value: 'auto', description: 'The model decides whether to use a tool' },
			{ name: 'None', value: 'none', description: 'The model answers without tools' },
			{ name: 'Required', value: 'required', description: 'The model must use at least one tool' },
			{ name: 'A Named Function', value: 'function', description: 'The model must call the function named below' },
		],
		description: 'Whether and which tool the model must use; needs Function Tools or Built-in Tools',
	},
	{
		displayName: 'Tool Choice Function Name',
		name: 'toolChoiceFunction',
		type: 'string',
		default: '',
		placeholder: 'e.g. get_weather',
		description: 'The function the model must call; it must be one of the Function Tools',
		displayOptions: { show: { toolChoice: ['function'] } },
	},
];

export const reasoningEffortOption: INodeProperties = {
	displayName: 'Reasoning Effort',
	name: 'reasoningEffort',
	type: 'options',
	default: 'medium',
	options: REASONING_EFFORT_OPTIONS,
	description:
		'How hard a reasoning model thinks before answering (OpenAI-style reasoning_effort). Which values a model accepts depends on the model.',
};

export const promptCacheRetentionOption: INodeProperties = {
	displayName: 'Prompt Cache Retention',
	name: 'promptCacheRetention',
	type: 'options',
	default: 'in_memory',
	options: [
		{ name: 'In Memory', value: 'in_memory' },
		{ name: '24 Hours', value: '24h' },
	],
	description: 'How long OpenAI models keep a cached prompt prefix (prompts of 1,024 tokens or more)',
};
