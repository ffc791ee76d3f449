/**
 * Turns the Chat node's parameters for one item into a /v1/chat/completions body. Only parameters the
 * user set are sent; everything is validated here so bad input fails before a billable request.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readImageAsDataUrl } from '../shared/binary';
import { commaList } from '../shared/validation';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant';

export interface ChatOptions {
	systemMessage?: string;
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
	imageBinaryFields?: string;
	imageDetail?: 'auto' | 'low' | 'high';
	stream?: boolean;
}

type ContentPart =
	| { type: 'text'; text: string }
	| { type: 'image_url'; image_url: { url: string; detail?: string } };

export interface ChatMessage {
	role: ChatRole;
	content: string | ContentPart[];
}

export interface ChatRequestBody {
	model: string;
	messages: ChatMessage[];
	[key: string]: unknown;
}

class InputError {
	constructor(
		readonly message: string,
		readonly description?: string,
	) {}
}

function checkRange(value: number | undefined, name: string, min: number, max: number): void {
	if (value === undefined) return;
	if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
		throw new InputError(`${name} must be between ${min} and ${max} (got ${String(value)})`);
	}
}

function stopSequences(stop: string | undefined): string[] | undefined {
	if (stop === undefined || stop === '') return undefined;
	const sequences = stop.split('\n').filter((sequence) => sequence !== '');
	if (sequences.length > 4) {
		throw new InputError(`At most 4 stop sequences are allowed (got ${sequences.length})`, 'Put one stop sequence per line.');
	}
	return sequences;
}

function responseFormat(options: ChatOptions): IDataObject | undefined {
	if (!options.responseFormat) return undefined;
	if (options.responseFormat !== 'json_schema') return { type: options.responseFormat };
	let schema = options.jsonSchema;
	if (typeof schema === 'string') {
		try {
			schema = JSON.parse(schema) as IDataObject;
		} catch {
			throw new InputError('The JSON Schema is not valid JSON', 'Check the "JSON Schema" option.');
		}
	}
	if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
		throw new InputError('The JSON Schema must be a JSON object', 'Check the "JSON Schema" option.');
	}
	return {
		type: 'json_schema',
		json_schema: { name: options.jsonSchemaName || 'response', schema },
	};
}

function readMessages(ctx: IExecuteFunctions, itemIndex: number, options: ChatOptions): ChatMessage[] {
	const messages: ChatMessage[] = [];
	if (options.systemMessage) messages.push({ role: 'system', content: options.systemMessage });

	const inputType = ctx.getNodeParameter('inputType', itemIndex, 'prompt') as string;
	if (inputType === 'messages') {
		const list = ctx.getNodeParameter('messages.message', itemIndex, []) as Array<{ role?: ChatRole; content?: string }>;
		if (list.length === 0) {
			throw new InputError('The message list is empty', 'Add at least one message under "Messages".');
		}
		list.forEach((message, position) => {
			if (typeof message.content !== 'string' || message.content.trim() === '') {
				throw new InputError(`Message ${position + 1} has no content`, 'Every message needs text content.');
			}
			messages.push({ role: message.role ?? 'user', content: message.content });
		});
	} else {
		const prompt = ctx.getNodeParameter('prompt', itemIndex, '') as unknown;
		const text = typeof prompt === 'string' ? prompt : prompt == null ? '' : JSON.stringify(prompt);
		if (text.trim() === '') {
			throw new InputError('The prompt is empty', 'Enter a prompt, or map it from the input with an expression.');
		}
		messages.push({ role: 'user', content: text });
	}
	return messages;
}

/** Vision images go into the last user message as image_url parts after its text. */
async function attachImages(
	ctx: IExecuteFunctions,
	itemIndex: number,
	messages: ChatMessage[],
	options: ChatOptions,
): Promise<void> {
	const fields = commaList(options.imageBinaryFields);
	if (fields.length === 0) return;
	const target = [...messages].reverse().find((message) => message.role === 'user');
	if (!target) {
		throw new InputError('Images need a user message to go with', 'Add a user message to the list.');
	}
	const parts: ContentPart[] = typeof target.content === 'string' ? [{ type: 'text', text: target.content }] : target.content;
	for (const field of fields) {
		const url = await readImageAsDataUrl(ctx, itemIndex, field);
		parts.push({ type: 'image_url', image_url: options.imageDetail ? { url, detail: options.imageDetail } : { url } });
	}
	target.content = parts;
}

function optionalFields(options: ChatOptions): IDataObject {
	checkRange(options.temperature, 'Temperature', 0, 2);
	checkRange(options.topP, 'Top P', 0, 1);
	checkRange(options.frequencyPenalty, 'Frequency Penalty', -2, 2);
	checkRange(options.presencePenalty, 'Presence Penalty', -2, 2);
	checkRange(options.n, 'Number of Choices', 1, 128);
	checkRange(options.maxTokens, 'Max Tokens', 1, Number.MAX_SAFE_INTEGER);
	checkRange(options.maxCompletionTokens, 'Max Completion Tokens', 1, Number.MAX_SAFE_INTEGER);
	const fields: IDataObject = {
		temperature: options.temperature,
		top_p: options.topP,
		max_tokens: options.maxTokens,
		max_completion_tokens: options.maxCompletionTokens,
		stop: stopSequences(options.stop),
		seed: options.seed,
		frequency_penalty: options.frequencyPenalty,
		presence_penalty: options.presencePenalty,
		n: options.n,
		response_format: responseFormat(options),
		user: options.user || undefined,
	};
	for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
	return fields;
}

export async function buildChatRequest(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: string,
): Promise<ChatRequestBody> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ChatOptions;
	try {
		if (!model || model.trim() === '') {
			throw new InputError('No model selected', 'Pick a model from the list or enter its ID.');
		}
		const messages = readMessages(ctx, itemIndex, options);
		await attachImages(ctx, itemIndex, messages, options);
		return { model: model.trim(), messages, ...optionalFields(options) };
	} catch (error) {
		if (error instanceof InputError) {
			throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: error.description });
		}
		throw error;
	}
}
