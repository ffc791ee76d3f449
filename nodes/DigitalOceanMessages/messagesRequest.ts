/**
 * Turns the Messages node's parameters for one item into a /v1/messages (Anthropic-compatible) body.
 * Only parameters the user set are sent; everything is checked here so bad input fails before a
 * billable request.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { readImage } from '../shared/binary';
import { readBuiltInToolsIf, type RequestFeatures } from '../shared/builtInTools';
import { readConversation, stopSequences } from '../shared/conversation';
import { parseFunctionTools, toAnthropicTools, type FunctionTool } from '../shared/tools';
import { asItemInputError, checkRange, commaList, definedOnly, InputError } from '../shared/validation';

export const MESSAGE_ROLES = ['user', 'assistant'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export interface MessagesOptions {
	system?: string;
	cacheSystemPrompt?: '5m' | '1h';
	imageBinaryFields?: string;
	temperature?: number;
	topP?: number;
	topK?: number;
	stopSequences?: string;
	functionTools?: string | IDataObject | IDataObject[];
	toolChoice?: 'auto' | 'any' | 'none' | 'tool';
	toolName?: string;
	thinking?: 'enabled' | 'disabled';
	thinkingBudget?: number;
	reasoningEffort?: string;
	speed?: 'standard' | 'fast';
	userId?: string;
	stream?: boolean;
}

type ContentBlock =
	| { type: 'text'; text: string }
	| { type: 'image'; source: { type: 'base64'; media_type: string; data: string } };

export interface AnthropicMessage {
	role: MessageRole;
	content: string | ContentBlock[];
}

export interface MessagesRequestBody {
	model: string;
	max_tokens: number;
	messages: AnthropicMessage[];
	[key: string]: unknown;
}

export interface MessagesRequest {
	body: MessagesRequestBody;
	/** Values inside the body (MCP authorizations) that must never reach output, errors or logs. */
	secrets: string[];
}

/** Anthropic's minimum thinking budget. */
const MIN_THINKING_BUDGET = 1024;

function readMaxTokens(ctx: IExecuteFunctions, itemIndex: number): number {
	const raw = ctx.getNodeParameter('maxTokens', itemIndex, 1024) as unknown;
	// An expression may hand over "1024" as text.
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw new InputError(
			`Max Tokens must be a whole number of at least 1 (got ${String(value)})`,
			'The Messages API requires an upper limit for the answer; 1024 is a common choice.',
		);
	}
	return value;
}

function readMessages(ctx: IExecuteFunctions, itemIndex: number): AnthropicMessage[] {
	return readConversation(ctx, itemIndex, MESSAGE_ROLES, 'user').map(({ role, content }) => ({ role, content }));
}

/** Images go into the last user message as base64 image blocks, before its text (as Anthropic advises). */
async function attachImages(
	ctx: IExecuteFunctions,
	itemIndex: number,
	messages: AnthropicMessage[],
	fields: string[],
): Promise<void> {
	if (fields.length === 0) return;
	const target = [...messages].reverse().find((message) => message.role === 'user');
	if (!target) {
		throw new InputError('Images need a user message to go with', 'Add a user message to the list.');
	}
	const images: ContentBlock[] = [];
	for (const field of fields) {
		const image = await readImage(ctx, itemIndex, field);
		images.push({ type: 'image', source: { type: 'base64', media_type: image.mime, data: image.base64 } });
	}
	const text: ContentBlock[] = typeof target.content === 'string' ? [{ type: 'text', text: target.content }] : target.content;
	target.content = [...images, ...text];
}

function system(options: MessagesOptions): string | IDataObject[] | undefined {
	const text = options.system ?? '';
	if (options.cacheSystemPrompt === undefined) return text === '' ? undefined : text;
	if (text.trim() === '') {
		throw new InputError('Cache System Prompt is set but there is no System Prompt', 'Add a System Prompt, or remove the caching option.');
	}
	// cache_control lives on content blocks, so a cached system prompt is sent as a one-block array.
	return [{ type: 'text', text, cache_control: { type: 'ephemeral', ttl: options.cacheSystemPrompt } }];
}

function toolChoice(options: MessagesOptions, tools: FunctionTool[], builtInCount: number): IDataObject | undefined {
	const choice = options.toolChoice;
	if (choice === undefined) return undefined;
	if (tools.length + builtInCount === 0) {
		throw new InputError('Tool Choice is set but there are no tools', 'Add Function Tools or Built-in Tools, or remove Tool Choice.');
	}
	if (choice !== 'tool') return { type: choice };
	const name = (options.toolName ?? '').trim();
	if (!tools.some((tool) => tool.name === name)) {
		throw new InputError(
			name === '' ? 'Tool Choice "Named Tool" needs a Tool Name' : `Tool Choice names "${name}", which is not among the Function Tools`,
			`Enter one of: ${tools.map((tool) => tool.name).join(', ')}.`,
		);
	}
	return { type: 'tool', name };
}

function thinking(options: MessagesOptions, maxTokens: number): IDataObject | undefined {
	if (options.thinking === undefined) return undefined;
	if (options.thinking === 'disabled') return { type: 'disabled' };
	const budget = options.thinkingBudget ?? MIN_THINKING_BUDGET;
	if (!Number.isInteger(budget) || budget < MIN_THINKING_BUDGET || budget >= maxTokens) {
		throw new InputError(
			`The thinking budget must be a whole number of at least ${MIN_THINKING_BUDGET} and less than Max Tokens (got ${String(budget)}, Max Tokens ${maxTokens})`,
			'Raise Max Tokens above the budget: thinking tokens count against Max Tokens.',
		);
	}
	return { type: 'enabled', budget_tokens: budget };
}

function optionalFields(options: MessagesOptions, maxTokens: number, builtInTools: IDataObject[]): IDataObject {
	checkRange(options.temperature, 'Temperature', 0, 1);
	checkRange(options.topP, 'Top P', 0, 1);
	checkRange(options.topK, 'Top K', 0);
	const functions = parseFunctionTools(options.functionTools);
	// DigitalOcean's built-in tools work on /v1/messages too (S2); declared as on chat (shape UNVERIFIED here).
	const tools = [...toAnthropicTools(functions), ...builtInTools];
	return definedOnly({
		system: system(options),
		temperature: options.temperature,
		top_p: options.topP,
		top_k: options.topK,
		stop_sequences: stopSequences(options.stopSequences),
		tools: tools.length > 0 ? tools : undefined,
		tool_choice: toolChoice(options, functions, builtInTools.length),
		thinking: thinking(options, maxTokens),
		reasoning_effort: options.reasoningEffort,
		speed: options.speed,
		metadata: options.userId ? { user_id: options.userId } : undefined,
	});
}

export async function buildMessagesRequest(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: string,
	features: RequestFeatures = {},
): Promise<MessagesRequest> {
	return await asItemInputError(ctx, itemIndex, async () => {
		if (!model || model.trim() === '') {
			throw new InputError('No model selected', 'Pick a model from the list or enter its ID.');
		}
		const options = ctx.getNodeParameter('options', itemIndex, {}) as MessagesOptions;
		const maxTokens = readMaxTokens(ctx, itemIndex);
		const messages = readMessages(ctx, itemIndex);
		const builtIn = await readBuiltInToolsIf(ctx, itemIndex, features);
		const fields = optionalFields(options, maxTokens, builtIn.tools);
		await attachImages(ctx, itemIndex, messages, commaList(options.imageBinaryFields));
		return { body: { model: model.trim(), max_tokens: maxTokens, messages, ...fields }, secrets: builtIn.secrets };
	});
}
