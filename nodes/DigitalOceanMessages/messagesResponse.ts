/**
 * Reading /v1/messages replies: folds the Anthropic SSE stream back into the exact message object a
 * non-streamed call returns (so the node's output is the same either way), and builds the
 * "Simplified" output.
 */
import type { IDataObject } from 'n8n-workflow';

import { StreamErrorEvent, type Received, type StreamReader } from '../shared/answerStream';
import { parseSseJson, type SseEvent } from '../shared/sse';
import { parseToolArguments } from '../shared/tools';

export interface ContentBlock {
	type: string;
	text?: string;
	thinking?: string;
	signature?: string;
	id?: string;
	name?: string;
	input?: unknown;
	[key: string]: unknown;
}

export interface Message {
	id: string;
	type: string;
	role: string;
	model: string;
	content: ContentBlock[];
	stop_reason: string | null;
	stop_sequence: string | null;
	usage: IDataObject;
	[key: string]: unknown;
}

interface StreamEvent {
	type?: string;
	message?: Message;
	index?: number;
	content_block?: ContentBlock;
	delta?: {
		type?: string;
		text?: string;
		thinking?: string;
		signature?: string;
		partial_json?: string;
		citation?: unknown;
		stop_reason?: string | null;
		stop_sequence?: string | null;
	};
	usage?: IDataObject;
	error?: unknown;
}

/** Applies one content_block_delta to its block; tool input JSON is collected in `partialJson`. */
function applyDelta(block: ContentBlock, delta: NonNullable<StreamEvent['delta']>, partialJson: Map<ContentBlock, string>): void {
	switch (delta.type) {
		case 'text_delta':
			block.text = (block.text ?? '') + (delta.text ?? '');
			break;
		case 'thinking_delta':
			block.thinking = (block.thinking ?? '') + (delta.thinking ?? '');
			break;
		case 'signature_delta':
			block.signature = (block.signature ?? '') + (delta.signature ?? '');
			break;
		case 'input_json_delta':
			partialJson.set(block, (partialJson.get(block) ?? '') + (delta.partial_json ?? ''));
			break;
		case 'citations_delta':
			((block.citations ??= []) as unknown[]).push(delta.citation);
			break;
		default:
			break; // an unknown delta type changes nothing we output
	}
}

/**
 * Folds the events of a Messages stream. The answer is whole at `message_stop`, or already at the
 * `message_delta` that carries the stop reason (only `message_stop` follows it); an `error` event
 * throws StreamErrorEvent.
 */
export class MessagesStreamReader implements StreamReader<Message> {
	private message: Message | undefined;
	private readonly partialJson = new Map<ContentBlock, string>();
	private stopped = false;

	read(event: SseEvent): void {
		const data = parseSseJson<StreamEvent>(event);
		// The JSON's `type` is authoritative; the `event:` line names the same thing.
		const type = data.type ?? event.event;
		if (type === 'error') throw new StreamErrorEvent(data.error ?? data);
		if (type === 'message_start' && data.message) {
			this.message = { ...data.message, content: [], usage: { ...(data.message.usage ?? {}) } };
			return;
		}
		const message = this.message;
		if (!message) return; // nothing precedes message_start but pings
		const index = data.index ?? 0;
		switch (type) {
			case 'content_block_start':
				message.content[index] = { ...(data.content_block ?? { type: 'text' }) };
				break;
			case 'content_block_delta':
				if (message.content[index] && data.delta) applyDelta(message.content[index], data.delta, this.partialJson);
				break;
			case 'content_block_stop': {
				const block = message.content[index];
				if (block?.type === 'tool_use') {
					const json = this.partialJson.get(block);
					// The start event carries `input: {}`; the real input arrives as JSON pieces.
					if (json !== undefined && json !== '') block.input = parseToolArguments(json);
				}
				break;
			}
			case 'message_delta':
				if (data.delta?.stop_reason !== undefined) message.stop_reason = data.delta.stop_reason;
				if (data.delta?.stop_sequence !== undefined) message.stop_sequence = data.delta.stop_sequence;
				if (data.usage) Object.assign(message.usage, data.usage);
				break;
			case 'message_stop':
				this.stopped = true;
				break;
			default:
				break; // ping and event types added later
		}
	}

	/** Text and thinking by characters; every other block (tool_use, server tools) is a tool call. */
	received(): Received {
		const received = { text: 0, reasoning: 0, toolCalls: 0 };
		for (const block of this.message?.content ?? []) {
			if (!block) continue;
			if (block.type === 'text') received.text += block.text?.length ?? 0;
			else if (block.type === 'thinking' || block.type === 'redacted_thinking') received.reasoning += block.thinking?.length ?? 0;
			else received.toolCalls += 1;
		}
		return received;
	}

	complete(): boolean {
		return this.message !== undefined && (this.stopped || Boolean(this.message.stop_reason));
	}

	result(): Message {
		const message = this.message!;
		message.content = message.content.filter((block) => block !== undefined);
		return message;
	}
}

export interface SimplifyContext {
	requestId?: string;
}

/** The answer text, the thinking, parsed tool uses, stop reason, usage and ids of one message. */
export function simplifyMessage(message: Message, context: SimplifyContext): IDataObject {
	const blocks = Array.isArray(message.content) ? message.content : [];
	const thinking = blocks.filter((block) => block.type === 'thinking').map((block) => block.thinking ?? '');
	return {
		text: blocks
			.filter((block) => block.type === 'text')
			.map((block) => block.text ?? '')
			.join(''),
		thinking: thinking.length > 0 ? thinking.join('\n\n') : null,
		toolUses: blocks
			.filter((block) => block.type === 'tool_use')
			.map((block) => ({ id: block.id, name: block.name, input: parseToolArguments(block.input) })),
		stopReason: message.stop_reason ?? null,
		model: message.model,
		usage: message.usage ?? {},
		messageId: message.id,
		requestId: context.requestId ?? null,
	};
}
