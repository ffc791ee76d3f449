import { MAX_SSE_EVENT_CHARS, parseSse, parseSseJson, SseLimitError, type SseEvent } from '../../nodes/shared/sse';

const encoder = new TextEncoder();

async function* fromChunks(chunks: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
	for (const chunk of chunks) yield chunk;
}

async function parseAll(chunks: Array<Uint8Array | string>): Promise<{ events: SseEvent[]; sawDone: boolean }> {
	const result = { sawDone: false };
	const events: SseEvent[] = [];
	for await (const event of parseSse(fromChunks(chunks), result)) events.push(event);
	return { events, sawDone: result.sawDone };
}

/** Splits bytes into pieces at the given offsets. */
function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
	const pieces: Uint8Array[] = [];
	let start = 0;
	for (const offset of [...offsets, bytes.length]) {
		pieces.push(bytes.subarray(start, offset));
		start = offset;
	}
	return pieces;
}

describe('parseSse', () => {
	// Every feature at once: BOM, comment, CRLF, lone CR, LF, event names, multi-line data,
	// id/retry, a 4-byte emoji and a 2-byte character, then [DONE] and an event after it.
	const representative =
		'\uFEFF: keep-alive\r\n' +
		'event: message_start\r\n' +
		'data: {"type":"message_start"}\r\n\r\n' +
		'id: 7\rretry: 1500\rdata: héllo 😀\rdata: second line\r\r' +
		'data: {"choices":[{"delta":{"content":"x"}}]}\n\n' +
		'data: [DONE]\n\n' +
		'data: after done\n\n';
	const expected: SseEvent[] = [
		{ event: 'message_start', data: '{"type":"message_start"}' },
		{ event: 'message', data: 'héllo 😀\nsecond line', id: '7', retry: 1500 },
		{ event: 'message', data: '{"choices":[{"delta":{"content":"x"}}]}', id: '7' },
	];
	const bytes = encoder.encode(representative);

	it('parses the representative stream in one chunk', async () => {
		expect(await parseAll([bytes])).toEqual({ events: expected, sawDone: true });
	});

	it('gives the same events when the bytes are split at every position', async () => {
		for (let i = 0; i <= bytes.length; i++) {
			const parsed = await parseAll(splitAt(bytes, [i]));
			expect({ at: i, ...parsed }).toEqual({ at: i, events: expected, sawDone: true });
		}
	});

	it('gives the same events when split into three chunks at every pair of positions', async () => {
		const expectedJson = JSON.stringify({ events: expected, sawDone: true });
		for (let i = 0; i <= bytes.length; i++) {
			for (let j = i; j <= bytes.length; j++) {
				const parsed = await parseAll(splitAt(bytes, [i, j]));
				if (JSON.stringify(parsed) !== expectedJson) {
					expect({ at: [i, j], ...parsed }).toEqual({ at: [i, j], events: expected, sawDone: true });
				}
			}
		}
		// The loop only asserts on a mismatch (too many combinations for one expect each).
		expect(await parseAll(splitAt(bytes, [3, 80]))).toEqual({ events: expected, sawDone: true });
	});

	it('gives the same events one byte per chunk', async () => {
		const oneByteChunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
		expect(await parseAll(oneByteChunks)).toEqual({ events: expected, sawDone: true });
	});

	it('accepts string chunks split at every character', async () => {
		for (let i = 0; i <= representative.length; i++) {
			const parsed = await parseAll([representative.slice(0, i), representative.slice(i)]);
			expect({ at: i, ...parsed }).toEqual({ at: i, events: expected, sawDone: true });
		}
	});

	it('handles CRLF line endings', async () => {
		const { events } = await parseAll(['data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n']);
		expect(events.map((e) => e.data)).toEqual(['a\nb', 'c']);
	});

	it('handles lone CR line endings', async () => {
		const { events } = await parseAll(['event: ping\rdata: a\r\rdata: b\r\r']);
		expect(events).toEqual([
			{ event: 'ping', data: 'a' },
			{ event: 'message', data: 'b' },
		]);
	});

	it('treats CR at the end of a chunk and LF at the start of the next as one line break', async () => {
		const { events } = await parseAll(['data: a\r', '\ndata: b\r', '\n\r', '\n']);
		expect(events).toEqual([{ event: 'message', data: 'a\nb' }]);
	});

	it('keeps a CR|LF pair as one break even with empty chunks in between', async () => {
		const { events } = await parseAll(['data: a\r', '', new Uint8Array(0), '\n\r\n']);
		expect(events).toEqual([{ event: 'message', data: 'a' }]);
	});

	it('dispatches an event ended by CR CR without waiting for more input', async () => {
		let release: () => void = () => undefined;
		const gate = new Promise<void>((resolve) => (release = resolve));
		async function* source(): AsyncGenerator<string> {
			yield 'data: first\r\r';
			await gate; // the consumer must get "first" before this resolves
			yield 'data: second\n\n';
		}
		const iterator = parseSse(source());
		expect((await iterator.next()).value).toEqual({ event: 'message', data: 'first' });
		release();
		expect((await iterator.next()).value).toEqual({ event: 'message', data: 'second' });
		expect((await iterator.next()).done).toBe(true);
	});

	it('joins multiple data lines with \\n', async () => {
		const { events } = await parseAll(['data: line 1\ndata: line 2\ndata:line 3\n\n']);
		expect(events[0].data).toBe('line 1\nline 2\nline 3');
	});

	it('strips only one space after the colon', async () => {
		const { events } = await parseAll(['data:  two spaces\ndata:none\n\n']);
		expect(events[0].data).toBe(' two spaces\nnone');
	});

	it('ignores comment lines', async () => {
		const { events } = await parseAll([': comment\ndata: a\n: another\n\n:ping\n\n']);
		expect(events).toEqual([{ event: 'message', data: 'a' }]);
	});

	it('reads Anthropic-style event names', async () => {
		const stream =
			'event: message_start\ndata: {"type":"message_start"}\n\n' +
			'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"Hi"}}\n\n' +
			'event: ping\ndata: {"type": "ping"}\n\n' +
			'event: message_stop\ndata: {"type":"message_stop"}\n\n';
		const { events, sawDone } = await parseAll([stream]);
		expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_delta', 'ping', 'message_stop']);
		expect(parseSseJson<{ delta: { text: string } }>(events[1]).delta.text).toBe('Hi');
		expect(sawDone).toBe(false);
	});

	it('resets the event name after each event', async () => {
		const { events } = await parseAll(['event: a\ndata: 1\n\ndata: 2\n\n']);
		expect(events.map((e) => e.event)).toEqual(['a', 'message']);
	});

	it('reads id and retry fields; id persists, retry is per event, invalid values are ignored', async () => {
		const { events } = await parseAll([
			'id: 1\nretry: 3000\ndata: a\n\ndata: b\n\nid: 2\nretry: 12x\ndata: c\n\nid: bad\0id\ndata: d\n\nid\ndata: e\n\n',
		]);
		expect(events).toEqual([
			{ event: 'message', data: 'a', id: '1', retry: 3000 },
			{ event: 'message', data: 'b', id: '1' },
			{ event: 'message', data: 'c', id: '2' },
			{ event: 'message', data: 'd', id: '2' },
			{ event: 'message', data: 'e' },
		]);
	});

	it('ignores unknown fields', async () => {
		const { events } = await parseAll(['foo: bar\ndata: a\nbaz\n\n']);
		expect(events).toEqual([{ event: 'message', data: 'a' }]);
	});

	it('stops at [DONE]: sets sawDone, does not yield it or anything after it', async () => {
		const { events, sawDone } = await parseAll(['data: 1\n\ndata: [DONE]\n\ndata: 2\n\nevent: x\ndata: 3\n\n']);
		expect(events.map((e) => e.data)).toEqual(['1']);
		expect(sawDone).toBe(true);
	});

	it('closes the source after [DONE] (so the HTTP body is released)', async () => {
		let closed = false;
		async function* source(): AsyncGenerator<string> {
			try {
				yield 'data: 1\n\ndata: [DONE]\n\n';
				yield 'data: never\n\n';
			} finally {
				closed = true;
			}
		}
		const events: SseEvent[] = [];
		for await (const event of parseSse(source())) events.push(event);
		expect(events).toHaveLength(1);
		expect(closed).toBe(true);
	});

	it('closes the source when the consumer stops early', async () => {
		let closed = false;
		async function* source(): AsyncGenerator<string> {
			try {
				yield 'data: 1\n\ndata: 2\n\n';
				yield 'data: 3\n\n';
			} finally {
				closed = true;
			}
		}
		for await (const event of parseSse(source())) {
			expect(event.data).toBe('1');
			break;
		}
		expect(closed).toBe(true);
	});

	it('ends with sawDone false when the stream ends without [DONE], flushing the unterminated last event', async () => {
		const { events, sawDone } = await parseAll(['data: 1\n\nevent: last\ndata: 2']);
		expect(events).toEqual([
			{ event: 'message', data: '1' },
			{ event: 'last', data: '2' },
		]);
		expect(sawDone).toBe(false);
	});

	it('flushes a last event terminated by a single line break', async () => {
		const { events } = await parseAll(['data: 1\n']);
		expect(events).toEqual([{ event: 'message', data: '1' }]);
	});

	it('recognises an unterminated final [DONE]', async () => {
		const { events, sawDone } = await parseAll(['data: 1\n\ndata: [DONE]']);
		expect(events.map((e) => e.data)).toEqual(['1']);
		expect(sawDone).toBe(true);
	});

	it('resets sawDone to false at the start', async () => {
		const result = { sawDone: true };
		for await (const event of parseSse(fromChunks(['data: x\n\n']), result)) void event;
		expect(result.sawDone).toBe(false);
	});

	it('handles an empty stream', async () => {
		expect(await parseAll([])).toEqual({ events: [], sawDone: false });
		expect(await parseAll(['', new Uint8Array(0)])).toEqual({ events: [], sawDone: false });
	});

	it('decodes a 4-byte emoji split across chunks at every byte', async () => {
		const emojiBytes = encoder.encode('data: 😀🎉 ok\n\n');
		for (let i = 0; i <= emojiBytes.length; i++) {
			const { events } = await parseAll(splitAt(emojiBytes, [i]));
			expect(events).toEqual([{ event: 'message', data: '😀🎉 ok' }]);
		}
	});

	it('replaces an incomplete UTF-8 sequence at the very end with U+FFFD', async () => {
		const truncated = encoder.encode('data: 😀').subarray(0, 8);
		const { events } = await parseAll([truncated]);
		expect(events).toEqual([{ event: 'message', data: '\uFFFD' }]);
	});

	it('drops a BOM at the start, also when its bytes are split, but only one', async () => {
		const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('data: a\n\n')]);
		for (let i = 0; i <= 3; i++) {
			expect((await parseAll(splitAt(withBom, [i]))).events).toEqual([{ event: 'message', data: 'a' }]);
		}
		expect((await parseAll(['\uFEFFdata: s\n\n'])).events).toEqual([{ event: 'message', data: 's' }]);
		// A second BOM is part of the first line's field name, so that line is an unknown field.
		expect((await parseAll(['\uFEFF\uFEFFdata: x\n\ndata: y\n\n'])).events.map((e) => e.data)).toEqual(['y']);
	});

	it('keeps a BOM that is not at the start of the stream', async () => {
		const { events } = await parseAll(['data: a\n\n', 'data: \uFEFFb\n\n']);
		expect(events.map((e) => e.data)).toEqual(['a', '\uFEFFb']);
	});

	it('dispatches empty data lines, but not events without any data line', async () => {
		const { events } = await parseAll(['data:\n\ndata\n\ndata:\ndata:\n\nevent: nodata\n\nid: 5\n\n\n\n']);
		expect(events).toEqual([
			{ event: 'message', data: '' },
			{ event: 'message', data: '' },
			{ event: 'message', data: '\n' },
		]);
	});

	it('accepts Buffer chunks', async () => {
		const { events } = await parseAll([Buffer.from('data: buf'), Buffer.from('fer\n\n')]);
		expect(events).toEqual([{ event: 'message', data: 'buffer' }]);
	});

	it('handles a long line arriving in many small chunks', async () => {
		const payload = 'x'.repeat(100_000);
		const text = `data: ${payload}\n\n`;
		const chunks: string[] = [];
		for (let i = 0; i < text.length; i += 7) chunks.push(text.slice(i, i + 7));
		const { events } = await parseAll(chunks);
		expect(events).toHaveLength(1);
		expect(events[0].data).toBe(payload);
	});
});

describe('parseSse size cap', () => {
	async function parseCapped(chunks: string[], max: number): Promise<SseEvent[]> {
		const events: SseEvent[] = [];
		for await (const event of parseSse(fromChunks(chunks), undefined, max)) events.push(event);
		return events;
	}

	it('passes events up to the cap, line and data alike', async () => {
		const data = 'x'.repeat(94);
		expect(await parseCapped([`data: ${data}\n\n`], 100)).toEqual([{ event: 'message', data }]);
	});

	it('stops a line without a line break once it passes the cap, whatever the chunking', async () => {
		const pieces = Array.from({ length: 50 }, () => 'yyyyyyyyyy');
		await expect(parseCapped(['data: ', ...pieces], 100)).rejects.toThrow(new SseLimitError(100));
		await expect(parseCapped([`data: ${'z'.repeat(200)}\n\n`], 100)).rejects.toBeInstanceOf(SseLimitError);
	});

	it('stops an event whose data lines together pass the cap', async () => {
		const lines = Array.from({ length: 20 }, () => `data: ${'w'.repeat(9)}\n`).join('');
		await expect(parseCapped([lines, '\n'], 100)).rejects.toThrow('A streamed event is larger than the limit of 100 characters');
	});

	it('has a default far above a streamed 1536×1024 PNG (~8.4 MB as base64)', async () => {
		expect(MAX_SSE_EVENT_CHARS).toBeGreaterThanOrEqual(4 * 8.4 * 1024 * 1024);
		const image = 'A'.repeat(9 * 1024 * 1024);
		const events = await parseCapped([`data: {"type":"image_generation.partial_image","b64_json":"`, image, '"}\n\n'], MAX_SSE_EVENT_CHARS);
		expect((JSON.parse(events[0].data) as { b64_json: string }).b64_json).toHaveLength(image.length);
		expect(new SseLimitError(MAX_SSE_EVENT_CHARS).message).toBe('A streamed event is larger than the limit of 64 MB');
	});
});

describe('parseSseJson', () => {
	it('parses the data as JSON', () => {
		expect(parseSseJson<{ a: number }>({ event: 'message', data: '{"a":1}' })).toEqual({ a: 1 });
	});

	it('throws a clear error naming the event and the bad payload', () => {
		expect(() => parseSseJson({ event: 'message', data: '{"a":' })).toThrow(
			'The server sent a streaming event ("message") that is not valid JSON: {"a":',
		);
	});

	it('truncates a long bad payload to 200 characters', () => {
		const data = `{${'y'.repeat(500)}`;
		let message = '';
		try {
			parseSseJson({ event: 'delta', data });
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toBe(
			`The server sent a streaming event ("delta") that is not valid JSON: ${data.slice(0, 200)}…`,
		);
	});
});
