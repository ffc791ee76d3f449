/**
 * Turns the Chat node's parameters for one item into a /v1/chat/completions body. Only parameters the
 * user set are sent; everything is validated here so bad input fails before a billable request.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { AGENT_MODEL_PLACEHOLDER } from '../shared/agent';
import { readImageAsDataUrl } from '../shared/binary';
import { readBuiltInToolsIf, type RequestFeatures } from '../shared/builtInTools';
import type { Target } from '../shared/client';
import { chatOptionFields, type ChatFieldOptions } from '../shared/chatFields';
import { readConversation, type ConversationMessage } from '../shared/conversation';
import { readModelId } from '../shared/models';
import { parseFunctionTools, toChatTools } from '../shared/tools';
import { asItemInputError, commaList, InputError } from '../shared/validation';
import { parseToolCalls, toolCallIdOf, type WireToolCall } from './chatToolCalls';

export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];
type CacheTtl = 'none' | '5m' | '1h';

export interface ChatOptions extends ChatFieldOptions {
	systemMessage?: string;
	systemMessageCache?: CacheTtl;
	imageBinaryFields?: string;
	imageDetail?: 'auto' | 'low' | 'high';
	functionTools?: string | IDataObject[];
	toolChoice?: 'auto' | 'none' | 'required' | 'function';
	toolChoiceFunction?: string;
	stream?: boolean;
	/** Send the answer to a streaming workflow's caller (answerRelay.ts); unset: yes, unless the answer is JSON. */
	streamToChat?: boolean;
}

type ContentPart =
	| { type: 'text'; text: string; cache_control?: { type: 'ephemeral'; ttl: string } }
	| { type: 'image_url'; image_url: { url: string; detail?: string } };

export interface ChatMessage {
	role: ChatRole;
	/** null only for an assistant message that carries tool calls and no text (§3.2). */
	content: string | ContentPart[] | null;
	tool_calls?: WireToolCall[];
	tool_call_id?: string;
}

export interface ChatRequest {
	body: IDataObject & { messages: ChatMessage[] };
	/** Values inside the body (MCP authorizations) that must never reach output or errors. */
	secrets: string[];
}

/** A message whose text is marked for prompt caching becomes a text part with cache_control. */
function textMessage(role: ChatRole, text: string, cache: CacheTtl | undefined): ChatMessage {
	if (!cache || cache === 'none') return { role, content: text };
	return { role, content: [{ type: 'text', text, cache_control: { type: 'ephemeral', ttl: cache } }] };
}

const labelOf = (position: number) => `Message ${position + 1}`;

/** Assistant messages may repeat an earlier answer's tool calls: then their text is optional. */
function assistantToolCalls(message: ConversationMessage<ChatRole>, position: number): WireToolCall[] {
	return message.role === 'assistant' ? parseToolCalls(message.toolCalls, labelOf(position)) : [];
}

function listMessage(message: ConversationMessage<ChatRole>, position: number): ChatMessage {
	const chat = textMessage(message.role, message.content, message.cache as CacheTtl | undefined);
	if (message.role === 'tool') return { ...chat, tool_call_id: toolCallIdOf(message.toolCallId, labelOf(position)) };
	const toolCalls = assistantToolCalls(message, position);
	if (toolCalls.length === 0) return chat;
	return { ...chat, content: message.content.trim() === '' ? null : chat.content, tool_calls: toolCalls };
}

function readMessages(ctx: IExecuteFunctions, itemIndex: number, options: ChatOptions): ChatMessage[] {
	const messages: ChatMessage[] = [];
	if (options.systemMessage) messages.push(textMessage('system', options.systemMessage, options.systemMessageCache));

	const conversation = readConversation(ctx, itemIndex, CHAT_ROLES, 'user', {
		contentOptional: (message, position) => assistantToolCalls(message, position).length > 0,
	});
	conversation.forEach((message, position) => messages.push(listMessage(message, position)));
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
	const parts: ContentPart[] = typeof target.content === 'string' ? [{ type: 'text', text: target.content }] : (target.content ?? []);
	for (const field of fields) {
		const url = await readImageAsDataUrl(ctx, itemIndex, field);
		parts.push({ type: 'image_url', image_url: options.imageDetail ? { url, detail: options.imageDetail } : { url } });
	}
	target.content = parts;
}

function toolChoice(options: ChatOptions, functionNames: string[]): unknown {
	if (!options.toolChoice) return undefined;
	if (options.toolChoice !== 'function') return options.toolChoice;
	const name = options.toolChoiceFunction?.trim();
	if (!name || !functionNames.includes(name)) {
		throw new InputError(
			`Tool Choice names the function "${name ?? ''}", which is not among the Function Tools`,
			`Defined functions: ${functionNames.join(', ') || 'none'}.`,
		);
	}
	return { type: 'function', function: { name } };
}

export async function buildChatRequest(
	ctx: IExecuteFunctions,
	itemIndex: number,
	target: Target,
	features: RequestFeatures = {},
): Promise<ChatRequest> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ChatOptions;
	return await asItemInputError(ctx, itemIndex, async () => {
		const body: IDataObject = {};
		if (target === 'model') {
			const model = readModelId(ctx, itemIndex);
			if (model === '' || model === 'router:') {
				throw new InputError('No model selected', 'Pick a model from the list, enter its ID, or name a router.');
			}
			body.model = model;
		} else {
			// The agent's own model answers, but the chat schema requires the field (§12.2).
			body.model = AGENT_MODEL_PLACEHOLDER;
		}
		const messages = readMessages(ctx, itemIndex, options);
		await attachImages(ctx, itemIndex, messages, options);

		const functions = parseFunctionTools(options.functionTools);
		const builtIn = await readBuiltInToolsIf(ctx, itemIndex, features);
		const tools = [...toChatTools(functions), ...builtIn.tools];
		Object.assign(body, { messages }, chatOptionFields(options));
		if (tools.length > 0) body.tools = tools;
		const choice = toolChoice(options, functions.map((tool) => tool.name));
		if (choice !== undefined && tools.length === 0) {
			throw new InputError('Tool Choice needs at least one tool', 'Add Function Tools or Built-in Tools, or remove Tool Choice.');
		}
		if (choice !== undefined) body.tool_choice = choice;
		return { body: body as ChatRequest['body'], secrets: builtIn.secrets };
	});
}
