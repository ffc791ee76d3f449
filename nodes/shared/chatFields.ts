/**
 * The sampling, length, format and reasoning fields of a /v1/chat/completions body, shared by the Chat
 * node and the Chat Model sub-node: validated (InputError) and sent only when set.
 */
import type { IDataObject } from 'n8n-workflow';

import { stopSequences } from './conversation';
import { checkRange, definedOnly, InputError, parseJsonParameter } from './validation';

/** OA's minimum for max_completion_tokens (the emulator enforces it too). */
export const MIN_MAX_COMPLETION_TOKENS = 256;

export interface ChatFieldOptions {
	temperature?: number;
	topP?: number;
	maxTokens?: number;
	maxCompletionTokens?: number;
	stop?: string;
	seed?: number;
	frequencyPenalty?: number;
	presencePenalty?: number;
	n?: number;
	responseFormat?: 'text' | 'json_object' | 'json_schema';
	jsonSchema?: string | IDataObject;
	jsonSchemaName?: string;
	user?: string;
	reasoningEffort?: string;
	reasoning?: { settings?: { effort?: string; maxTokens?: number } };
	promptCacheRetention?: 'in_memory' | '24h';
}

function responseFormat(options: ChatFieldOptions): IDataObject | undefined {
	if (!options.responseFormat) return undefined;
	if (options.responseFormat !== 'json_schema') return { type: options.responseFormat };
	const schema = parseJsonParameter(options.jsonSchema, 'JSON Schema');
	if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
		throw new InputError('The JSON Schema must be a JSON object', 'Check the "JSON Schema" option.');
	}
	return { type: 'json_schema', json_schema: { name: options.jsonSchemaName || 'response', schema } };
}

function reasoningObject(options: ChatFieldOptions): IDataObject | undefined {
	const settings = options.reasoning?.settings;
	if (!settings) return undefined;
	checkRange(settings.maxTokens, 'Reasoning Budget', 0, Number.MAX_SAFE_INTEGER);
	return definedOnly({ effort: settings.effort, max_tokens: settings.maxTokens || undefined });
}

/** The body fields for the options the user set; throws InputError for a value out of range. */
export function chatOptionFields(options: ChatFieldOptions): IDataObject {
	checkRange(options.temperature, 'Temperature', 0, 2);
	checkRange(options.topP, 'Top P', 0, 1);
	checkRange(options.frequencyPenalty, 'Frequency Penalty', -2, 2);
	checkRange(options.presencePenalty, 'Presence Penalty', -2, 2);
	checkRange(options.n, 'Number of Choices', 1, 128);
	checkRange(options.maxTokens, 'Max Tokens', 1, Number.MAX_SAFE_INTEGER);
	checkRange(
		options.maxCompletionTokens,
		'Max Completion Tokens',
		MIN_MAX_COMPLETION_TOKENS,
		Number.MAX_SAFE_INTEGER,
		`DigitalOcean's API takes at least ${MIN_MAX_COMPLETION_TOKENS} here. For a shorter limit use "Max Tokens" instead.`,
	);
	// Two limits with different meanings (reasoning included or not): which one the user meant is not ours to guess.
	if (options.maxTokens !== undefined && options.maxCompletionTokens !== undefined) {
		throw new InputError(
			'Max Tokens and Max Completion Tokens are both set',
			'Keep one: Max Completion Tokens (newer models; counts reasoning tokens too) or Max Tokens (any model).',
		);
	}
	return definedOnly({
		temperature: options.temperature,
		top_p: options.topP,
		max_tokens: options.maxTokens,
		max_completion_tokens: options.maxCompletionTokens,
		stop: stopSequences(options.stop, 4),
		seed: options.seed,
		frequency_penalty: options.frequencyPenalty,
		presence_penalty: options.presencePenalty,
		n: options.n,
		response_format: responseFormat(options),
		user: options.user || undefined,
		reasoning_effort: options.reasoningEffort,
		reasoning: reasoningObject(options),
		prompt_cache_retention: options.promptCacheRetention,
	});
}
