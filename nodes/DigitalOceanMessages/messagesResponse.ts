/**
 * Reading /v1/messages replies: folds the Anthropic SSE stream back into the exact message object a
 * non-streamed call returns (so the node's output is the same either way), and builds the
 * "Simplified" output.
 */
import type { IDataObject } from 'n8n-workflow';

import { parseSseJson, type SseEvent } from '../shared/sse';
import { parseToolArguments } from '../shared/tools';
import { IncompleteStreamError, StreamErrorEvent } from '../shared/transport';

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
 * Reads every event of a Messages stream. A stream that ends without `message_stop` throws
 * IncompleteStreamError (the transport then starts over); an `error` event throws StreamErrorEvent.
 */
export async function collectMessagesStream(events: AsyncIterable<SseEvent>): Promise<Message> {
	let message: Message | undefined;
	const partialJson = new Map<ContentBlock, string>();
	let stopped = false;

	for await (const event of events) {
		if (event.data.trim() === '') continue;
		const data = parseSseJson<StreamEvent>(event);
		// The JSON's `type` is authoritative; the `event:` line names the same thing.
		const type = data.type ?? event.event;
		if (type === 'error') throw new StreamErrorEvent(data.error ?? data);
		if (type === 'message_start' && data.message) {
			message = { ...data.message, content: [], usage: { ...(data.message.usage ?? {}) } };
			continue;
		}
		if (!message) continue; // nothing precedes message_start but pings
		const index = data.index ?? 0;
		switch (type) {
			case 'content_block_start':
				message.content[index] = { ...(data.content_block ?? { type: 'text' }) };
				break;
			case 'content_block_delta':
				if (message.content[index] && data.delta) applyDelta(message.content[index], data.delta, partialJson);
				break;
			case 'content_block_stop': {
				const block = message.content[index];
				if (block?.type === 'tool_use') {
					const json = partialJson.get(block);
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
				stopped = true;
				break;
			default:
				break; // ping and event types added later
		}
	}

	if (!message || !stopped) throw new IncompleteStreamError();
	message.content = message.content.filter((block) => block !== undefined);
	return message;
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
