/**
 * Streaming an answer to whoever started the workflow. When the execution streams — a Chat Trigger in
 * Streaming response mode, or a Webhook with Response Mode "Streaming" — n8n's context offers
 * `isStreaming()` and `sendChunk()`, and every chunk a node sends is written at once to the caller's
 * HTTP response as a JSON line. The Chat and Responses nodes send their answer's text as it arrives:
 * `begin`, one `item` per piece of text, `end`, each tagged with the item's index. They still return
 * their normal items. Older n8n versions have neither method: they are looked up, never assumed.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** The "Stream to Chat" option; `note` adds what is particular to one node. */
export function streamToChatOption(note = ''): INodeProperties {
	const description =
		"Whether to send the answer's text to the chat as it arrives when the workflow streams (a Chat Trigger in Streaming response mode, or a Webhook with Response Mode Streaming)." +
		note +
		' Turn it off on a node whose answer is not the reply, e.g. one that rewrites the question.';
	return { displayName: 'Stream to Chat', name: 'streamToChat', type: 'boolean', default: true, description };
}

/**
 * Whether this execution streams to its caller. Never on an n8n without `isStreaming` / `sendChunk`, and
 * never for a node an AI Agent runs as its tool: the agent streams its own answer, and the tool's
 * answer is for the agent, not for the chat.
 */
export function executionStreams(ctx: IExecuteFunctions): boolean {
	const candidate = ctx as Partial<IExecuteFunctions>;
	if (typeof candidate.isStreaming !== 'function' || typeof candidate.sendChunk !== 'function') return false;
	return !runsAsTool(ctx) && candidate.isStreaming() === true;
}

/**
 * A tool run is marked one of two ways: agents that ask the engine to run the tool (n8n 2.x) get it with
 * its output rewired to `ai_tool`; older agents call the node through a tool context.
 */
function runsAsTool(ctx: IExecuteFunctions): boolean {
	if (ctx.getNode().rewireOutputLogTo !== undefined) return true;
	const candidate = ctx as Partial<IExecuteFunctions>;
	return typeof candidate.isToolExecution === 'function' && candidate.isToolExecution() === true;
}

type Chunk = 'begin' | 'item' | 'end';

/**
 * Relays one item's answer. `begin` waits for the first piece of text, so a request the transport
 * retries before any of its answer arrived has sent nothing yet; a retry after text had gone out (only
 * with Retry Broken Answers) starts the new answer after a blank line, since what was sent cannot be
 * taken back. Only text is relayed: reasoning and tool calls are not the reply.
 */
export class AnswerRelay {
	private begun = false;

	private sentText = false;

	private restarted = false;

	/** Chunks go out one after the other, in order. */
	private queue: Promise<void> = Promise.resolve();

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly itemIndex: number,
	) {}

	/** The stream readers' hook. */
	readonly onDelta = (kind: 'text' | 'reasoning', text: string): void => {
		if (kind === 'text') this.text(text);
	};

	/** The transport starts a fresh attempt of the request (a new reader). */
	newAttempt(): void {
		if (this.sentText) this.restarted = true;
	}

	/**
	 * Ends the item's message once its request is over. `answer` is the whole text when the request
	 * succeeded: sent in one piece when nothing streamed (Stream Response off). After a failure there is
	 * none; n8n sends the caller an `error` chunk itself when the node fails.
	 */
	async finish(answer?: string): Promise<void> {
		if (!this.sentText && answer !== undefined) this.text(answer);
		if (this.begun) this.send('end');
		this.begun = false;
		await this.queue;
	}

	private text(piece: string): void {
		if (piece === '') return;
		if (!this.begun) this.send('begin');
		this.begun = true;
		this.send('item', this.restarted ? `\n\n${piece}` : piece);
		this.restarted = false;
		this.sentText = true;
	}

	private send(type: Chunk, content?: string): void {
		// A caller that went away must not fail the item: its answer is in the node's output all the same.
		this.queue = this.queue
			.then(async () => {
				// Typed void, but n8n's implementation is async: waiting keeps the chunks in order.
				await (this.ctx.sendChunk(type, this.itemIndex, content) as unknown);
			})
			.catch(() => undefined);
	}
}

/**
 * Runs one item's request with its relay (when the answer streams to the caller): the relay's message
 * is ended whether the request succeeds or fails, and gets the whole answer if nothing streamed.
 */
export async function relayAnswer<T>(
	relay: AnswerRelay | undefined,
	request: () => Promise<T>,
	answerText: (result: T) => string,
): Promise<T> {
	if (!relay) return await request();
	let answer: string | undefined;
	try {
		const result = await request();
		answer = answerText(result);
		return result;
	} finally {
		await relay.finish(answer);
	}
}
