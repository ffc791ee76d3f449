/**
 * Reading chat completions: folds an SSE stream back into the exact shape of a non-streamed
 * completion (so the node's output is the same either way), and builds the "Simplified" output.
 */
import type { IDataObject } from 'n8n-workflow';

import { StreamErrorEvent, type Received, type StreamReader } from '../shared/answerStream';
import { parseSseJson, type SseEvent } from '../shared/sse';
import { parseToolArguments } from '../shared/tools';

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
		tool_calls?: ToolCall[];
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

interface ChunkDelta {
	role?: string;
	content?: string | null;
	reasoning_content?: string | null;
	refusal?: string | null;
	tool_calls?: Array<{ index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }>;
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

	/**
	 * `onDelta` hears the first choice's text and reasoning as they arrive (with several choices the
	 * others would interleave with it).
	 */
	constructor(private readonly onDelta?: (kind: 'text' | 'reasoning', text: string) => void) {}

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

	private announce(delta: ChunkDelta): void {
		if (!this.onDelta) return;
		if (delta.reasoning_content) this.onDelta('reasoning', delta.reasoning_content);
		if (delta.content) this.onDelta('text', delta.content);
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

export interface SimplifyContext {
	requestId?: string;
	route?: string;
}

/** The text of the first choice: what goes to the chat when the answer streams there. */
export function firstChoiceText(completion: ChatCompletion): string {
	return contentText(completion.choices[0]?.message.content);
}

/**
 * One output json per choice: answer, reasoning, parsed tool calls, usage and ids. `output` repeats the
 * answer under the name n8n's Chat Trigger reads in its "Last Node" response mode.
 */
export function simplifyCompletion(completion: ChatCompletion, context: SimplifyContext): IDataObject[] {
	const multiple = completion.choices.length > 1;
	return completion.choices.map((choice) => {
		const content = contentText(choice.message.content);
		const output: IDataObject = {
			content,
			reasoning: choice.message.reasoning_content ?? null,
			toolCalls: (choice.message.tool_calls ?? []).map((call) => {
				const args = parseToolArguments(call.function?.arguments);
				// `input` repeats the arguments because n8n expressions refuse to read a key named
				// "arguments" ("Cannot access due to security concerns"): {{ $json.toolCalls[0].input.city }}.
				return { id: call.id, name: call.function?.name, arguments: args, input: args };
			}),
			finishReason: choice.finish_reason,
			model: completion.model,
			usage: completion.usage ?? {},
			requestId: context.requestId ?? null,
			output: content,
		};
		if (context.route) output.route = context.route;
		if (multiple) output.choiceIndex = choice.index;
		return output;
	});
}
