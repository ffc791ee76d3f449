/** The Chat Model sub-node's "Options": every field is sent only when the user adds it. */
import type { INodeProperties } from 'n8n-workflow';

import type { ChatFieldOptions } from '../shared/chatFields';
import { maxRetriesOption, timeoutOption } from '../shared/descriptions';
import { promptCacheRetentionOption, reasoningEffortOption, temperatureOption, topPOption } from '../shared/textOptions';

export interface ChatModelOptions
	extends Pick<ChatFieldOptions, 'temperature' | 'topP' | 'maxTokens' | 'reasoningEffort' | 'promptCacheRetention'> {
	responseFormat?: 'text' | 'json_object';
	streaming?: boolean;
	/** Seconds. */
	timeout?: number;
	maxRetries?: number;
}

export const chatModelOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			...maxRetriesOption,
			description:
				"How often a request is retried after a rate limit (429), a temporary server failure (408, 5xx) or a dropped connection, with backoff that honours the server's retry-after. An answer that broke off after it started arriving is not sent again: it was billed.",
		},
		{
			displayName: 'Max Tokens',
			name: 'maxTokens',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 1024,
			description: 'Maximum number of tokens to generate in one answer',
		},
		promptCacheRetentionOption,
		reasoningEffortOption,
		{
			displayName: 'Response Format',
			name: 'responseFormat',
			type: 'options',
			default: 'text',
			options: [
				{ name: 'Text', value: 'text' },
				{
					name: 'JSON',
					value: 'json_object',
					description: 'A JSON object; the prompt must say which (a Structured Output Parser does)',
				},
			],
			description: 'Ask for plain text, or for a JSON object (JSON mode)',
		},
		{
			displayName: 'Streaming',
			name: 'streaming',
			type: 'boolean',
			default: true,
			description:
				'Whether to ask for the answer as a stream: an AI Agent that streams to a chat shows it as it is written, and long answers never hit the timeout. Turn it off for a model that refuses streaming together with tools.',
		},
		temperatureOption(2),
		timeoutOption,
		topPOption,
	],
};
