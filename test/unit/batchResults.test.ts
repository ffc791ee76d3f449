/**
 * Result lines of both providers' native batch formats (nodes/DigitalOceanBatch/batchResults.ts), their
 * Simplified output (the Chat / Responses / Messages nodes' own), the submission order of custom IDs,
 * and the JSON Lines reader the node streams result files through (nodes/shared/jsonLines.ts).
 */
import { Readable } from 'node:stream';

import { failedLineJson, readResultLine, simplifyResultBody, submissionOrder, type LineResult } from '../../nodes/DigitalOceanBatch/batchResults';
import { LineTooLongError, readLines } from '../../nodes/shared/jsonLines';

/** OpenAI's batch output line (their docs' example, trimmed). */
const OPENAI_OK = {
	id: 'batch_req_123',
	custom_id: 'request-2',
	response: {
		status_code: 200,
		request_id: 'req_123',
		body: {
			id: 'chatcmpl-123',
			object: 'chat.completion',
			created: 1711652795,
			model: 'gpt-3.5-turbo-0125',
			choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, logprobs: null, finish_reason: 'stop' }],
			usage: { prompt_tokens: 22, completion_tokens: 2, total_tokens: 24 },
		},
	},
	error: null,
};

/** Anthropic's Message Batches results (their docs' example, trimmed). */
const ANTHROPIC_OK = {
	custom_id: 'my-second-request',
	result: {
		type: 'succeeded',
		message: {
			id: 'msg_014VwiXbi91y3JMjcpyGBHX5',
			type: 'message',
			role: 'assistant',
			model: 'claude-3-5-sonnet-20240620',
			content: [{ type: 'text', text: 'Hello again!' }],
			stop_reason: 'end_turn',
			stop_sequence: null,
			usage: { input_tokens: 11, output_tokens: 36 },
		},
	},
};

const failure = (result: LineResult | undefined) => {
	expect(result?.ok).toBe(false);
	return result as Extract<LineResult, { ok: false }>;
};

describe('batch results: OpenAI lines', () => {
	it('reads a succeeded line: the body and the request id', () => {
		expect(readResultLine(OPENAI_OK)).toEqual({ ok: true, customId: 'request-2', body: OPENAI_OK.response.body, requestId: 'req_123' });
	});

	it('reads a line that failed before running: response null, error {code, message}', () => {
		const result = failure(readResultLine({ id: 'batch_req_456', custom_id: 'request-1', response: null, error: { code: 'invalid_request', message: 'Missing messages' } }));
		expect(result).toEqual({ ok: false, customId: 'request-1', message: 'Missing messages', code: 'invalid_request', statusCode: null });
	});

	it('reads a line whose request got an error status: the message from its OpenAI or DigitalOcean error body', () => {
		const openAi = failure(
			readResultLine({
				custom_id: 'item-7',
				response: { status_code: 400, request_id: 'r', body: { error: { message: "'messages' is required", type: 'invalid_request_error', code: null } } },
				error: null,
			}),
		);
		expect(openAi).toMatchObject({ customId: 'item-7', message: "'messages' is required", code: 'invalid_request_error', statusCode: 400 });
		const digitalOcean = failure(readResultLine({ custom_id: 'item-8', response: { status_code: 429, body: { id: 'too_many_requests', message: 'slow down' } }, error: null }));
		expect(digitalOcean).toMatchObject({ message: 'slow down', code: 'too_many_requests', statusCode: 429 });
		const bare = failure(readResultLine({ custom_id: 'item-9', response: { status_code: 500 }, error: null }));
		expect(bare).toMatchObject({ message: 'The request failed with status 500', statusCode: 500 });
	});
});

describe('batch results: Anthropic lines', () => {
	it('reads a succeeded result: the message', () => {
		expect(readResultLine(ANTHROPIC_OK)).toEqual({ ok: true, customId: 'my-second-request', body: ANTHROPIC_OK.result.message, requestId: null });
	});

	it('reads an errored result, nested ({type:"error", error:{…}}) or flat', () => {
		const nested = failure(
			readResultLine({
				custom_id: 'my-first-request',
				result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'Validation error: max_tokens' } } },
			}),
		);
		expect(nested).toEqual({ ok: false, customId: 'my-first-request', message: 'Validation error: max_tokens', code: 'invalid_request_error', statusCode: null });
		const flat = failure(readResultLine({ custom_id: 'x', result: { type: 'errored', error: { type: 'api_error', message: 'Overloaded' } } }));
		expect(flat).toMatchObject({ message: 'Overloaded', code: 'api_error' });
	});

	it('reads canceled and expired results as failed, saying why', () => {
		expect(failure(readResultLine({ custom_id: 'a', result: { type: 'canceled' } }))).toMatchObject({
			message: 'The batch was cancelled before this request ran',
			code: 'canceled',
		});
		expect(failure(readResultLine({ custom_id: 'b', result: { type: 'expired' } }))).toMatchObject({
			message: 'The batch expired before this request ran',
			code: 'expired',
		});
	});

	it('ignores lines that are no result lines', () => {
		for (const line of [null, 'text', [], {}, { custom_id: 'x' }, { result: { type: 'succeeded' } }]) expect(readResultLine(line)).toBeUndefined();
	});
});

describe('batch results: Simplified output', () => {
	it('simplifies a chat completion like the Chat node (one json per choice)', () => {
		expect(simplifyResultBody(OPENAI_OK.response.body, 'req_123')).toEqual([
			{
				content: 'Hello.',
				reasoning: null,
				toolCalls: [],
				finishReason: 'stop',
				model: 'gpt-3.5-turbo-0125',
				usage: { prompt_tokens: 22, completion_tokens: 2, total_tokens: 24 },
				requestId: 'req_123',
				output: 'Hello.',
			},
		]);
	});

	it('simplifies a response object like the Responses node', () => {
		const response = {
			id: 'resp_1',
			object: 'response',
			status: 'completed',
			model: 'openai-gpt-4.1-mini',
			output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there' }] }],
			usage: { input_tokens: 3, output_tokens: 2 },
		};
		expect(simplifyResultBody(response, null)).toEqual([
			expect.objectContaining({ text: 'Hi there', responseId: 'resp_1', status: 'completed', output: 'Hi there', usage: response.usage, requestId: null }),
		]);
	});

	it('simplifies an Anthropic message like the Messages node', () => {
		expect(simplifyResultBody(ANTHROPIC_OK.result.message, null)).toEqual([
			{
				text: 'Hello again!',
				thinking: null,
				toolUses: [],
				stopReason: 'end_turn',
				model: 'claude-3-5-sonnet-20240620',
				usage: { input_tokens: 11, output_tokens: 36 },
				messageId: 'msg_014VwiXbi91y3JMjcpyGBHX5',
				requestId: null,
			},
		]);
	});

	it('passes an unknown body on as it is', () => {
		expect(simplifyResultBody({ something: 'else' }, null)).toEqual([{ something: 'else' }]);
	});

	it('gives a failed line its message under error', () => {
		const result = failure(readResultLine({ custom_id: 'a', response: null, error: { code: 'c', message: 'm' } }));
		expect(failedLineJson(result)).toEqual({ error: 'm', errorCode: 'c', statusCode: null });
	});
});

describe('batch results: submission order', () => {
	it('orders default custom IDs by item index, others after them in natural order', () => {
		expect(submissionOrder(['item-10', 'sku-10', 'item-2', 'sku-2', 'item-0', 'a'])).toEqual(['item-0', 'item-2', 'item-10', 'a', 'sku-2', 'sku-10']);
	});
});

describe('JSON Lines reader', () => {
	const collect = async (chunks: Array<Buffer | string>, max?: number) => {
		const lines: Array<[number, string]> = [];
		for await (const { line, lineNumber } of readLines(Readable.from(chunks), max)) lines.push([lineNumber, line]);
		return lines;
	};

	it('splits on newlines across chunk boundaries, CRLF too, with a last line without newline', async () => {
		expect(await collect(['{"a":', '1}\n{"b"', ':2}\r\n\n', '{"c":3}'])).toEqual([
			[1, '{"a":1}'],
			[2, '{"b":2}'],
			[3, ''],
			[4, '{"c":3}'],
		]);
		expect(await collect(['x\n'])).toEqual([[1, 'x']]);
		expect(await collect([])).toEqual([]);
	});

	it('keeps a multi-byte character split between chunks whole', async () => {
		const bytes = Buffer.from('{"t":"héllo 🌊"}\n');
		const chunks = Array.from(bytes, (byte) => Buffer.from([byte]));
		expect(await collect(chunks)).toEqual([[1, '{"t":"héllo 🌊"}']]);
	});

	it('refuses a line longer than the limit, naming it', async () => {
		await expect(collect(['ok\n', 'x'.repeat(6), 'x'.repeat(6), '\n'], 10)).rejects.toThrow(new LineTooLongError(2));
		await expect(collect(['ok\n', `${'y'.repeat(11)}\n`], 10)).rejects.toThrow(LineTooLongError);
	});

	it('passes on an error of the stream', async () => {
		const broken = new Readable({
			read() {
				this.push('{"a":1}\n{"b"');
				this.destroy(new Error('socket hang up'));
			},
		});
		const seen: string[] = [];
		await expect(
			(async () => {
				for await (const { line } of readLines(broken)) seen.push(line);
			})(),
		).rejects.toThrow('socket hang up');
		expect(seen).toEqual(['{"a":1}']);
	});
});
