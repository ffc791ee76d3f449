/**
 * n8n's AI SDK messages and tools (what the Agent and chains hand the model) to the /v1/chat/completions
 * wire format, and a completion back to the SDK's GenerateResult.
 */
import type { ContentFile, FinishReason, GenerateResult, Message, MessageContent, TokenUsage } from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';
import { randomUUID } from 'node:crypto';

import { contentText, type ChatChoice, type ChatCompletion } from '../shared/chatCompletion';
import { InputError } from '../shared/validation';

interface WireToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

type WirePart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface WireMessage {
	role: 'system' | 'user' | 'assistant' | 'tool';
	content: string | WirePart[] | null;
	tool_calls?: WireToolCall[];
	tool_call_id?: string;
}

const textOf = (content: MessageContent[]): string =>
	content.map((block) => (block.type === 'text' ? block.text : '')).join('');

/** An image as the URL the API reads: its own URL, a data URL, or raw bytes made one. */
function imageUrl(file: ContentFile): string {
	const url = file.providerMetadata?.url;
	if (typeof url === 'string') return url;
	if (typeof file.data === 'string' && /^(https?:|data:)/.test(file.data)) return file.data;
	const base64 = typeof file.data === 'string' ? file.data : Buffer.from(file.data).toString('base64');
	return `data:${file.mediaType};base64,${base64}`;
}

function userContent(content: MessageContent[]): WireMessage['content'] {
	const files = content.filter((block): block is ContentFile => block.type === 'file');
	if (files.length === 0) return textOf(content);
	const parts: WirePart[] = [];
	for (const block of content) {
		if (block.type === 'text') parts.push({ type: 'text', text: block.text });
		if (block.type !== 'file') continue;
		if (!block.mediaType?.startsWith('image/')) {
			throw new InputError(
				`DigitalOcean chat models read text and images, not ${block.mediaType ?? 'files of unknown type'}`,
				'Send only images (PNG, JPEG or WebP) to a vision model, or turn the file into text first.',
			);
		}
		parts.push({ type: 'image_url', image_url: { url: imageUrl(block) } });
	}
	return parts;
}

/** A tool's result as the text of a tool message. */
function resultText(result: unknown): string {
	if (typeof result === 'string') return result;
	if (Array.isArray(result) && result.every((block) => block?.type === 'text')) return textOf(result as MessageContent[]);
	return JSON.stringify(result ?? null);
}

function assistantMessage(content: MessageContent[]): WireMessage {
	const text = textOf(content);
	const toolCalls: WireToolCall[] = content.flatMap((block) =>
		block.type === 'tool-call'
			? [{ id: block.toolCallId ?? '', type: 'function' as const, function: { name: block.toolName, arguments: block.input } }]
			: [],
	);
	if (toolCalls.length === 0) return { role: 'assistant', content: text };
	// An assistant message that only calls tools has content null (§3.2).
	return { role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls };
}

/**
 * The conversation on the wire. Reasoning the model returned earlier is not sent back (models that
 * think, DeepSeek's among them, must not get it again); tool results become one tool message each.
 */
export function toWireMessages(messages: Message[]): WireMessage[] {
	return messages.flatMap((message): WireMessage[] => {
		switch (message.role) {
			case 'system':
				return [{ role: 'system', content: textOf(message.content) }];
			case 'assistant':
				return [assistantMessage(message.content)];
			case 'tool':
				return message.content.flatMap((block): WireMessage[] =>
					block.type === 'tool-result' ? [{ role: 'tool', tool_call_id: block.toolCallId, content: resultText(block.result) }] : [],
				);
			default:
				return [{ role: 'user', content: userContent(message.content) }];
		}
	});
}

const FINISH_REASONS: Record<string, FinishReason> = {
	stop: 'stop',
	length: 'length',
	tool_calls: 'tool-calls',
	function_call: 'tool-calls',
	content_filter: 'content-filter',
};

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * DigitalOcean's usage in the SDK's terms. `prompt_tokens` counts only uncached input (S1), cache reads
 * come as `cache_read_input_tokens` (OpenAI-style servers: `prompt_tokens_details.cached_tokens`).
 */
export function tokenUsage(usage: IDataObject | undefined): TokenUsage | undefined {
	if (!usage) return undefined;
	const promptTokens = count(usage.prompt_tokens) ?? 0;
	const completionTokens = count(usage.completion_tokens) ?? 0;
	const cacheRead = count(usage.cache_read_input_tokens) ?? count((usage.prompt_tokens_details as IDataObject | undefined)?.cached_tokens);
	const reasoning = count((usage.completion_tokens_details as IDataObject | undefined)?.reasoning_tokens);
	return {
		promptTokens,
		completionTokens,
		totalTokens: count(usage.total_tokens) ?? promptTokens + completionTokens,
		...(cacheRead ? { inputTokenDetails: { cacheRead } } : {}),
		...(reasoning ? { outputTokenDetails: { reasoning } } : {}),
	};
}

/**
 * One choice of a completion as the SDK's result. A tool call without an id (some servers send "") gets
 * one, so its tool result can name the call it answers.
 */
export function toGenerateResult(completion: ChatCompletion, choice: ChatChoice): GenerateResult {
	const { message } = choice;
	const text = contentText(message.content) || (message.refusal ?? '');
	const content: MessageContent[] = text === '' ? [] : [{ type: 'text', text }];
	for (const call of message.tool_calls ?? []) {
		content.push({
			type: 'tool-call',
			toolCallId: call.id || `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
			toolName: call.function?.name ?? '',
			input: call.function?.arguments || '{}',
		});
	}
	return {
		id: completion.id || undefined,
		finishReason: FINISH_REASONS[choice.finish_reason ?? ''] ?? 'other',
		usage: tokenUsage(completion.usage),
		message: { role: 'assistant', content, ...(completion.id ? { id: completion.id } : {}) },
	};
}
