/**
 * Streamed answers (chat, responses, messages): the transport reads the SSE events and hands each to a
 * reader that folds them into the answer. When a stream breaks, the reader tells the transport whether
 * the answer is whole anyway (then it is accepted) and how much of it had arrived: nothing yet, and the
 * request may be sent again like a refused one; something, and it is not, since that work is billed.
 */
import type { SseEvent } from './sse';

/** How much of an answer arrived; counted by the readers, quoted in errors. */
export interface Received {
	/** Characters of answer text (refusals included). */
	text: number;
	/** Characters of reasoning / thinking. */
	reasoning: number;
	/** Tool calls begun: function calls and server-side tools (MCP, web search, knowledge bases). */
	toolCalls: number;
}

export interface StreamReader<T> {
	/** Takes one event (never one with empty data); throws StreamErrorEvent for an error event. */
	read(event: SseEvent): void;
	/** What of the answer has arrived so far. */
	received(): Received;
	/** Whether the answer is whole; `sawDone`: the stream's `data: [DONE]` arrived. */
	complete(sawDone: boolean): boolean;
	result(): T;
}

/** A stream that ended (or broke) before its answer was complete. */
export class IncompleteStreamError extends Error {
	constructor(message = 'The response stream ended before the answer was complete') {
		super(message);
		this.name = 'IncompleteStreamError';
	}
}

/** An error the server reported inside a stream that had started fine. */
export class StreamErrorEvent extends Error {
	constructor(readonly payload: unknown) {
		super('The server reported an error while streaming');
		this.name = 'StreamErrorEvent';
	}
}

export function answerStarted(received: Received): boolean {
	return received.text > 0 || received.reasoning > 0 || received.toolCalls > 0;
}

/** "412 characters of text, 80 characters of reasoning and 1 tool call" */
export function describeReceived(received: Received): string {
	const count = (n: number) => n.toLocaleString('en-US');
	const parts = [
		received.text > 0 ? `${count(received.text)} characters of text` : undefined,
		received.reasoning > 0 ? `${count(received.reasoning)} characters of reasoning` : undefined,
		received.toolCalls > 0 ? `${count(received.toolCalls)} tool call${received.toolCalls === 1 ? '' : 's'}` : undefined,
	].filter((part): part is string => part !== undefined);
	if (parts.length === 0) return 'nothing of the answer';
	return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * Feeds every event to `reader` and returns its answer. A stream that ends without the answer's final
 * sign throws IncompleteStreamError; one that breaks once the answer is whole (say, before the usage
 * chunk or `[DONE]` after the finish reason) has lost nothing, so the break is ignored.
 */
export async function readAnswer<T>(events: AsyncIterable<SseEvent>, reader: StreamReader<T>, sse: { sawDone: boolean }): Promise<T> {
	const iterator = events[Symbol.asyncIterator]();
	try {
		for (;;) {
			let next: IteratorResult<SseEvent>;
			try {
				next = await iterator.next();
			} catch (error) {
				if (reader.complete(sse.sawDone)) break;
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the transport classifies the raw break (reset, timeout) to decide on a retry and maps it to a NodeApiError
				throw error;
			}
			if (next.done) break;
			if (next.value.data.trim() !== '') reader.read(next.value);
		}
	} finally {
		// Closes the body too when the reader stopped early; a body that already failed has nothing to add.
		await Promise.resolve(iterator.return?.()).catch(() => undefined);
	}
	if (!reader.complete(sse.sawDone)) throw new IncompleteStreamError();
	return reader.result();
}
