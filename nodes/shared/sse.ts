/**
 * Server-Sent Events parser (WHATWG HTML "event stream interpretation"), for the streaming replies of
 * /v1/chat/completions, /v1/responses and /v1/messages.
 */

export interface SseEvent {
	/** The `event:` name, or 'message' when the event had none. */
	event: string;
	/** The `data:` lines joined with "\n". */
	data: string;
	/** The last `id:` seen in the stream (it persists across events, as in the spec). */
	id?: string;
	/** A valid `retry:` value given in this event's block, in ms. */
	retry?: number;
}

const DONE = '[DONE]';

/**
 * The longest line, and the most data one event may carry, in characters. The largest legitimate
 * events are a Responses `response.completed` holding generated images and an image stream's partial
 * image (a 1536×1024 PNG is at most ~8.4 MB as base64); this is several times that, and it keeps a
 * server that never sends a line break from filling n8n's memory.
 */
export const MAX_SSE_EVENT_CHARS = 64 * 1024 * 1024;

/** A line or an event beyond MAX_SSE_EVENT_CHARS: not something the API sends, so not retried. */
export class SseLimitError extends Error {
	readonly description =
		'No answer of this API sends single events this large, so the stream was stopped to protect n8n\'s memory. ' +
		"Check that the credential's Base URL points at DigitalOcean's inference API (a proxy may have changed the reply).";

	constructor(limitChars: number) {
		super(`A streamed event is larger than the limit of ${formatChars(limitChars)}`);
		this.name = 'SseLimitError';
	}
}

function formatChars(chars: number): string {
	// Event text is JSON (ASCII), so a character is a byte.
	return chars >= 1024 * 1024 ? `${Math.round(chars / (1024 * 1024))} MB` : `${chars.toLocaleString('en-US')} characters`;
}

/**
 * Parses a byte/string stream into events. Stops (returns) after a `data: [DONE]` event WITHOUT
 * yielding it, and sets `result.sawDone = true`. A stream that ends without [DONE] simply ends (the
 * last event is flushed even without a trailing blank line, unlike the spec, so a truncated stream
 * loses nothing that arrived).
 */
export async function* parseSse(
	source: AsyncIterable<Uint8Array | string>,
	result?: { sawDone: boolean },
	maxEventChars = MAX_SSE_EVENT_CHARS,
): AsyncGenerator<SseEvent> {
	if (result) result.sawDone = false;
	// ignoreBOM keeps the BOM so it is stripped exactly once below, for byte and string input alike.
	const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
	const parser = new EventBuilder(maxEventChars);
	let partialLine = '';
	let started = false;
	// A CR ending one chunk and an LF starting the next are one line break.
	let skipLeadingLf = false;

	function* feed(text: string): Generator<SseEvent> {
		if (!started && text.length > 0) {
			started = true;
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
		}
		if (skipLeadingLf && text.length > 0) {
			skipLeadingLf = false;
			if (text[0] === '\n') text = text.slice(1);
		}
		let start = 0;
		const lineBreak = /\r\n|\r|\n/g;
		for (let match = lineBreak.exec(text); match; match = lineBreak.exec(text)) {
			const line = partialLine + text.slice(start, match.index);
			if (line.length > maxEventChars) throw new SseLimitError(maxEventChars);
			partialLine = '';
			start = match.index + match[0].length;
			if (match[0] === '\r' && start === text.length) skipLeadingLf = true;
			const event = parser.line(line);
			if (event) yield event;
		}
		partialLine += text.slice(start);
		if (partialLine.length > maxEventChars) throw new SseLimitError(maxEventChars);
	}

	function isDone(event: SseEvent): boolean {
		if (event.data.trim() !== DONE) return false;
		if (result) result.sawDone = true;
		return true;
	}

	for await (const chunk of source) {
		const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
		for (const event of feed(text)) {
			if (isDone(event)) return;
			yield event;
		}
	}

	// End of stream: flush the decoder, then the unterminated last line and event.
	const events = [...feed(decoder.decode())];
	if (partialLine !== '') {
		const event = parser.line(partialLine);
		if (event) events.push(event);
	}
	const last = parser.line('');
	if (last) events.push(last);
	for (const event of events) {
		if (isDone(event)) return;
		yield event;
	}
}

/** Collects the fields of one event; `line('')` dispatches it. */
class EventBuilder {
	private eventType = '';
	private dataLines: string[] = [];
	private dataChars = 0;
	private lastEventId = '';
	private retry: number | undefined;

	constructor(private readonly maxEventChars: number) {}

	line(line: string): SseEvent | undefined {
		if (line === '') return this.dispatch();
		if (line.startsWith(':')) return undefined; // comment / keep-alive
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		switch (field) {
			case 'event':
				this.eventType = value;
				break;
			case 'data':
				this.dataChars += value.length + 1;
				if (this.dataChars > this.maxEventChars) throw new SseLimitError(this.maxEventChars);
				this.dataLines.push(value);
				break;
			case 'id':
				if (!value.includes('\0')) this.lastEventId = value;
				break;
			case 'retry':
				if (/^\d+$/.test(value)) this.retry = Number(value);
				break;
			default:
				break; // unknown fields are ignored
		}
		return undefined;
	}

	private dispatch(): SseEvent | undefined {
		const dataLines = this.dataLines;
		const event: SseEvent = { event: this.eventType || 'message', data: dataLines.join('\n') };
		if (this.lastEventId !== '') event.id = this.lastEventId;
		if (this.retry !== undefined) event.retry = this.retry;
		this.eventType = '';
		this.dataLines = [];
		this.dataChars = 0;
		this.retry = undefined;
		// An event without any data line is not dispatched (spec); `data:` alone is an empty event.
		return dataLines.length > 0 ? event : undefined;
	}
}

/** JSON-parses an event's data; a clear error names the event and the (truncated) bad payload. */
export function parseSseJson<T>(ev: SseEvent): T {
	try {
		return JSON.parse(ev.data) as T;
	} catch {
		const payload = ev.data.length > 200 ? `${ev.data.slice(0, 200)}…` : ev.data;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the SSE parser has no node; runItems reports this as a NodeOperationError of the item
		throw new Error(`The server sent a streaming event ("${ev.event}") that is not valid JSON: ${payload}`);
	}
}
