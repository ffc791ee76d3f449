/**
 * One /v1/chat/completions request, as JSON or as a stream folded back into the exact shape of a
 * non-streamed completion (so whoever reads it gets the same answer either way). Shared by the Chat node
 * and the Chat Model sub-node.
 */
import type { IDataObject } from 'n8n-workflow';

import { StreamErrorEvent, type Received, type StreamReader } from './answerStream';
import { parseSseJson, type SseEvent } from './sse';
import type { CallOptions, InferenceClient, ReplyMeta } from './transport';

export interface ToolCall {
	id?: string;
	type?: string;
	function?: { name?: string; arguments?: string };
}

export interface ChatChoice {
	index: number;
	message: {
		role: string;
		content: unknown;
		refusal?: string | null;
		reasoning_content?: string | null;
		/** null from servers that send `tool_calls: null` on a plain answer (LiteLLM, vLLM). */
		tool_calls?: ToolCall[] | null;
	};
	logprobs?: unknown;
	finish_reason: string | null;
}

export interface ChatCompletion {
	id: string;
	object: string;
	created: number;
	model: string;
	choices: ChatChoice[];
	usage?: IDataObject;
	[key: string]: unknown;
}

/** Called with each piece of the first choice's answer as it arrives (for a chat that shows it live). */
export type OnDelta = (kind: 'text' | 'reasoning', text: string) => void;

interface ChunkDelta {
	role?: string;
	content?: string | null;
	reasoning_content?: string | null;
	refusal?: string | null;
	tool_calls?: Array<{ index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }> | null;
}

interface Chunk {
	id?: string;
	created?: number;
	model?: string;
	system_fingerprint?: string;
	choices?: Array<{ index?: number; delta?: ChunkDelta; finish_reason?: string | null; logprobs?: unknown }>;
	usage?: IDataObject | null;
	error?: unknown;
}

function appendText(previous: string | null | undefined, piece: string | null | undefined): string | null {
	if (piece === undefined || piece === null) return previous ?? null;
	return (previous ?? '') + piece;
}

function mergeToolCalls(target: ToolCall[], deltas: NonNullable<ChunkDelta['tool_calls']>): void {
	for (const delta of deltas) {
		const position = delta.index ?? target.length;
		const call = (target[position] ??= { function: { name: '', arguments: '' } });
		if (delta.id) call.id = delta.id;
		if (delta.type) call.type = delta.type;
		if (delta.function?.name) call.function!.name = (call.function!.name ?? '') + delta.function.name;
		if (delta.function?.arguments) call.function!.arguments = (call.function!.arguments ?? '') + delta.function.arguments;
	}
}

/**
 * Folds the events of a chat stream. The answer is whole once every choice has its finish_reason: the
 * usage chunk and `[DONE]` that follow add no answer, so a stream cut after the finish is accepted
 * (without usage) rather than failed — its answer was paid for and arrived.
 */
export class ChatStreamReader implements StreamReader<ChatCompletion> {
	private readonly completion: ChatCompletion = { id: '', object: 'chat.completion', created: 0, model: '', choices: [] };
	private readonly choices = new Map<number, ChatChoice>();
	private fingerprint: string | undefined;

	constructor(private readonly onDelta?: OnDelta) {}

	read(event: SseEvent): void {
		const chunk = parseSseJson<Chunk>(event);
		if (chunk.error) throw new StreamErrorEvent(chunk.error);
		const completion = this.completion;
		completion.id ||= chunk.id ?? '';
		completion.created ||= chunk.created ?? 0;
		completion.model ||= chunk.model ?? '';
		this.fingerprint ??= chunk.system_fingerprint;
		if (chunk.usage) completion.usage = chunk.usage;
		for (const part of chunk.choices ?? []) {
			const choice = this.choice(part.index ?? 0);
			const delta = part.delta ?? {};
			// S1's example answers with role "": the message stays the assistant's.
			if (delta.role) choice.message.role = delta.role;
			choice.message.content = appendText(choice.message.content as string | null, delta.content);
			choice.message.reasoning_content = appendText(choice.message.reasoning_content, delta.reasoning_content);
			choice.message.refusal = appendText(choice.message.refusal, delta.refusal);
			if (delta.tool_calls) mergeToolCalls((choice.message.tool_calls ??= []), delta.tool_calls);
			if (part.finish_reason) choice.finish_reason = part.finish_reason;
			if (choice.index === 0) this.announce(delta);
		}
	}

	received(): Received {
		const received = { text: 0, reasoning: 0, toolCalls: 0 };
		for (const { message } of this.choices.values()) {
			received.text += contentText(message.content).length + (message.refusal?.length ?? 0);
			received.reasoning += message.reasoning_content?.length ?? 0;
			received.toolCalls += message.tool_calls?.length ?? 0;
		}
		return received;
	}

	complete(): boolean {
		return this.choices.size > 0 && [...this.choices.values()].every((choice) => choice.finish_reason);
	}

	result(): ChatCompletion {
		const completion = this.completion;
		completion.choices = [...this.choices.values()].sort((a, b) => a.index - b.index);
		for (const choice of completion.choices) {
			// A streamed tool-call answer opens with content "" where the JSON answer has null.
			if (choice.message.tool_calls && choice.message.content === '') choice.message.content = null;
		}
		if (this.fingerprint !== undefined) completion.system_fingerprint = this.fingerprint;
		return completion;
	}

	private announce(delta: ChunkDelta): void {
		if (!this.onDelta) return;
		if (delta.reasoning_content) this.onDelta('reasoning', delta.reasoning_content);
		if (delta.content) this.onDelta('text', delta.content);
	}

	private choice(index: number): ChatChoice {
		let choice = this.choices.get(index);
		if (!choice) {
			choice = {
				index,
				message: { role: 'assistant', content: null, refusal: null, reasoning_content: null },
				logprobs: null,
				finish_reason: null,
			};
			this.choices.set(index, choice);
		}
		return choice;
	}
}

/** Some reasoning models answer with content parts instead of a string; join their text. */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (content == null) return '';
	const parts = Array.isArray(content) ? content : [content];
	return parts
		.map((part) => (typeof part === 'string' ? part : ((part as { text?: unknown })?.text ?? '')))
		.filter((text): text is string => typeof text === 'string')
		.join('');
}

export interface CompletionReply {
	completion: ChatCompletion;
	meta: ReplyMeta;
}

/**
 * Sends one chat completion request. Streamed (`stream: true` plus usage in the last chunk), the
 * connection stays busy, so a long answer never trips the idle timeout; `onDelta` then hears the
 * answer as it arrives. The result is the same completion either way.
 */
export async function requestChatCompletion(
	client: InferenceClient,
	call: CallOptions & { body: IDataObject },
	options: { stream: boolean; onDelta?: OnDelta; onAttempt?: () => void },
): Promise<CompletionReply> {
	if (!options.stream) {
		const reply = await client.json<ChatCompletion>(call);
		return { completion: reply.data, meta: reply };
	}
	const reply = await client.stream(
		{ ...call, body: { ...call.body, stream: true, stream_options: { include_usage: true } } },
		() => {
			// Each attempt gets a fresh reader; the caller hears of it (a relay to the chat marks a restart).
			options.onAttempt?.();
			return new ChatStreamReader(options.onDelta);
		},
	);
	return { completion: reply.data, meta: reply };
}
