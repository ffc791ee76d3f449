/**
 * Folds a /v1/responses stream back into the response object a non-streamed request returns, so the
 * node's output is the same either way. Two stream formats are documented (contract §4.3, CONFLICT):
 * typed OpenAI-style events (`response.created` … `response.output_text.delta` … `response.completed`)
 * and chat-like `response.chunk` objects with `choices[].delta` ending in `[DONE]`. Each event says
 * which one it is, so both are read without configuration.
 */
import type { IDataObject } from 'n8n-workflow';

import { StreamErrorEvent, type Received, type StreamReader } from '../shared/answerStream';
import { parseSseJson, type SseEvent } from '../shared/sse';

export interface ContentPart {
	type: string;
	text?: string;
	[key: string]: unknown;
}

export interface OutputItem {
	type: string;
	id?: string;
	role?: string;
	status?: string;
	content?: ContentPart[];
	summary?: ContentPart[];
	call_id?: string;
	name?: string;
	arguments?: string;
	[key: string]: unknown;
}

export interface ResponseObject {
	id: string;
	object: string;
	model: string;
	status: string;
	output: OutputItem[];
	usage?: IDataObject;
	[key: string]: unknown;
}

interface TypedEvent {
	type: string;
	response?: Partial<ResponseObject>;
	item?: OutputItem;
	output_index?: number;
	content_index?: number;
	delta?: string;
	text?: string;
	arguments?: string;
}

interface ChunkToolCall {
	index?: number;
	id?: string;
	function?: { name?: string; arguments?: string };
}

interface Chunk {
	id?: string;
	created?: number;
	model?: string;
	choices?: Array<{
		index?: number;
		delta?: { content?: string | null; reasoning_content?: string | null; tool_calls?: ChunkToolCall[] };
		finish_reason?: string | null;
	}>;
	usage?: IDataObject | null;
}

/** Hears the answer's text and reasoning as they arrive (answerRelay.ts streams the text to n8n's chat). */
type OnDelta = (kind: 'text' | 'reasoning', text: string) => void;

/** Typed events: the final `response.completed` object wins; deltas only fill in what it lacks. */
class TypedEventReader {
	private base: Partial<ResponseObject> = {};
	private final: Partial<ResponseObject> | undefined;
	private readonly items = new Map<number, OutputItem>();

	constructor(private readonly onDelta?: OnDelta) {}

	get finished(): boolean {
		return this.final !== undefined;
	}

	read(event: TypedEvent): void {
		const index = event.output_index ?? 0;
		switch (event.type) {
			case 'response.created':
			case 'response.in_progress':
				this.base = { ...this.base, ...event.response };
				break;
			case 'response.completed':
			case 'response.incomplete':
				this.final = event.response ?? {};
				break;
			case 'response.output_item.added':
			case 'response.output_item.done':
				if (event.item) this.items.set(index, structuredClone(event.item));
				break;
			case 'response.output_text.delta':
				this.part(index, event.content_index ?? 0, 'output_text').text += event.delta ?? '';
				if (event.delta) this.onDelta?.('text', event.delta);
				break;
			case 'response.output_text.done':
				if (typeof event.text === 'string') this.part(index, event.content_index ?? 0, 'output_text').text = event.text;
				break;
			case 'response.reasoning_text.delta':
				this.part(index, event.content_index ?? 0, 'reasoning_text', 'reasoning').text += event.delta ?? '';
				if (event.delta) this.onDelta?.('reasoning', event.delta);
				break;
			case 'response.function_call_arguments.delta':
				this.item(index, 'function_call').arguments = (this.item(index, 'function_call').arguments ?? '') + (event.delta ?? '');
				break;
			case 'response.function_call_arguments.done':
				if (typeof event.arguments === 'string') this.item(index, 'function_call').arguments = event.arguments;
				break;
			default:
				break; // content_part.*, *.done echoes and unknown events add nothing the final object lacks
		}
	}

	/** Text and reasoning from the parts; every other output item is a tool call (function or built-in). */
	received(): Received {
		const received = { text: 0, reasoning: 0, toolCalls: 0 };
		for (const item of this.items.values()) {
			const chars = [...(item.content ?? []), ...(item.summary ?? [])].reduce((sum, part) => sum + (part.text?.length ?? 0), 0);
			if (item.type === 'message') received.text += chars;
			else if (item.type === 'reasoning') received.reasoning += chars;
			else received.toolCalls += 1;
		}
		return received;
	}

	result(): ResponseObject {
		const final = this.final ?? {};
		const assembled = [...this.items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
		return {
			...this.base,
			...final,
			id: final.id ?? this.base.id ?? '',
			object: final.object ?? this.base.object ?? 'response',
			model: final.model ?? this.base.model ?? '',
			status: final.status ?? 'completed',
			// A final event with an empty output must not discard what the stream delivered.
			output: Array.isArray(final.output) && (final.output.length > 0 || assembled.length === 0) ? final.output : assembled,
		} as ResponseObject;
	}

	private item(index: number, type: string): OutputItem {
		let item = this.items.get(index);
		if (!item) {
			item = type === 'message' ? { type, role: 'assistant', content: [] } : { type };
			this.items.set(index, item);
		}
		return item;
	}

	private part(index: number, contentIndex: number, type: string, itemType = 'message'): ContentPart & { text: string } {
		const content = (this.item(index, itemType).content ??= []);
		const part = (content[contentIndex] ??= { type, text: '' });
		part.text ??= '';
		return part as ContentPart & { text: string };
	}
}

/** `response.chunk` objects: chat-like deltas, rebuilt into the output items of a response. */
class ChunkReader {
	private id = '';
	private created: number | undefined;
	private model = '';
	private usage: IDataObject | undefined;
	private reasoning: string | undefined;
	private text: string | undefined;
	private finishReason: string | undefined;
	private readonly calls: Array<{ call_id: string; name: string; arguments: string }> = [];

	constructor(private readonly onDelta?: OnDelta) {}

	get finished(): boolean {
		return this.finishReason !== undefined;
	}

	read(chunk: Chunk): void {
		this.id ||= chunk.id ?? '';
		this.created ??= chunk.created;
		this.model ||= chunk.model ?? '';
		if (chunk.usage) this.usage = chunk.usage;
		for (const choice of chunk.choices ?? []) {
			const delta = choice.delta ?? {};
			if (typeof delta.reasoning_content === 'string') {
				this.reasoning = (this.reasoning ?? '') + delta.reasoning_content;
				if (delta.reasoning_content) this.onDelta?.('reasoning', delta.reasoning_content);
			}
			if (typeof delta.content === 'string') {
				this.text = (this.text ?? '') + delta.content;
				if (delta.content) this.onDelta?.('text', delta.content);
			}
			for (const call of delta.tool_calls ?? []) {
				const target = (this.calls[call.index ?? this.calls.length] ??= { call_id: '', name: '', arguments: '' });
				if (call.id) target.call_id = call.id;
				target.name += call.function?.name ?? '';
				target.arguments += call.function?.arguments ?? '';
			}
			if (choice.finish_reason) this.finishReason = choice.finish_reason;
		}
	}

	received(): Received {
		return { text: this.text?.length ?? 0, reasoning: this.reasoning?.length ?? 0, toolCalls: this.calls.length };
	}

	result(): ResponseObject {
		const output: OutputItem[] = [];
		if (this.reasoning !== undefined) {
			output.push({ type: 'reasoning', content: [{ type: 'reasoning_text', text: this.reasoning }], summary: [] });
		}
		if (this.text !== undefined && (this.text !== '' || this.calls.length === 0)) {
			output.push({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: this.text }] });
		}
		for (const call of this.calls) output.push({ type: 'function_call', ...call, status: 'completed' });
		return {
			id: this.id,
			object: 'response',
			...(this.created !== undefined ? { created: this.created } : {}),
			model: this.model,
			status: this.finishReason === 'length' ? 'incomplete' : 'completed',
			output,
			...(this.usage ? { usage: responsesUsage(this.usage) } : {}),
		};
	}
}

/** The chunk variant may report chat-style usage; the node always shows the Responses names. */
function responsesUsage(usage: IDataObject): IDataObject {
	if (usage.input_tokens !== undefined || usage.prompt_tokens === undefined) return usage;
	const promptDetails = (usage.prompt_tokens_details ?? {}) as IDataObject;
	const completionDetails = (usage.completion_tokens_details ?? {}) as IDataObject;
	return {
		input_tokens: usage.prompt_tokens,
		input_tokens_details: { cached_tokens: promptDetails.cached_tokens ?? usage.cache_read_input_tokens ?? 0 },
		output_tokens: usage.completion_tokens,
		output_tokens_details: { reasoning_tokens: completionDetails.reasoning_tokens ?? 0 },
		total_tokens: usage.total_tokens,
	};
}

function streamError(event: IDataObject): unknown {
	if (event.type === 'error') return event;
	if (event.type === 'response.failed') return (event.response as IDataObject | undefined)?.error ?? event;
	if (event.type === undefined && event.error) return event.error;
	return undefined;
}

/**
 * Folds the events of a Responses stream, in whichever format they come. The answer is whole at
 * `response.completed` (or `.incomplete`), or in the chunk format at the finish reason: the usage chunk
 * and `[DONE]` after it add no answer, so a stream cut there is accepted.
 */
export class ResponsesStreamReader implements StreamReader<ResponseObject> {
	private readonly typed: TypedEventReader;
	private readonly chunks: ChunkReader;
	private format: 'typed' | 'chunks' | undefined;

	constructor(onDelta?: (kind: 'text' | 'reasoning', text: string) => void) {
		this.typed = new TypedEventReader(onDelta);
		this.chunks = new ChunkReader(onDelta);
	}

	read(event: SseEvent): void {
		const data = parseSseJson<IDataObject>(event);
		const error = streamError(data);
		if (error !== undefined) throw new StreamErrorEvent(error);
		if (Array.isArray(data.choices) || data.object === 'response.chunk') {
			this.format ??= 'chunks';
			this.chunks.read(data as Chunk);
		} else if (typeof data.type === 'string') {
			this.format ??= 'typed';
			this.typed.read(data as unknown as TypedEvent);
		}
	}

	received(): Received {
		if (this.format === undefined) return { text: 0, reasoning: 0, toolCalls: 0 };
		return this.format === 'typed' ? this.typed.received() : this.chunks.received();
	}

	complete(): boolean {
		return this.format === 'typed' ? this.typed.finished : this.format === 'chunks' && this.chunks.finished;
	}

	result(): ResponseObject {
		return this.format === 'typed' ? this.typed.result() : this.chunks.result();
	}
}
