/**
 * Streaming the answer to n8n's caller (nodes/shared/answerRelay.ts): when the execution streams, the
 * Chat and Responses nodes send `begin`, the answer's text piece by piece as DigitalOcean streams it
 * (`item`), then `end` — and return their normal items, which carry the answer under `output` too.
 * The emulator streams for real; the fake context records every sendChunk() call with its time.
 */
import { NodeApiError, type INodeExecutionData, type INodeType } from 'n8n-workflow';

import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DigitalOceanResponses } from '../../nodes/DigitalOceanResponses/DigitalOceanResponses.node';
import { DEFAULT_KEY } from '../emulator';
import { fakeExecuteContext, type FakeContextOptions, type Params, type RecordedChunk } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const CHAT = '/v1/chat/completions';
const RESPONSES = '/v1/responses';
const model = (value: string) => ({ __rl: true, mode: 'id', value });
const prompt = 'Describe the lighthouse at the end of the long pier in three short sentences';
/** What the emulator's model answers to `prompt`, in pieces of at most 16 characters. */
const answer = `Echo: ${prompt}`;

const emulator = useEmulator();

/** Runs the node in a streaming execution (unless `extra` says otherwise); a failure is returned, not thrown. */
async function attempt(node: INodeType, params: Params, extra: Partial<FakeContextOptions> = {}) {
	const ctx = fakeExecuteContext({
		params: { model: model('llama3.3-70b-instruct'), prompt, ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		streaming: true,
		...extra,
		node,
	});
	try {
		const [items] = (await node.execute!.call(ctx)) as INodeExecutionData[][];
		return { items, chunks: ctx.chunks, error: undefined };
	} catch (error) {
		return { items: [], chunks: ctx.chunks, error };
	}
}
async function run(node: INodeType, params: Params, extra: Partial<FakeContextOptions> = {}) {
	const { items, chunks, error } = await attempt(node, params, extra);
	if (error !== undefined) throw error;
	return { items, chunks };
}
const chat = (params: Params = {}, extra: Partial<FakeContextOptions> = {}) => run(new DigitalOceanChat(), params, extra);
const responses = (params: Params = {}, extra: Partial<FakeContextOptions> = {}) => run(new DigitalOceanResponses(), params, extra);

const types = (chunks: RecordedChunk[]) => chunks.map((chunk) => chunk.type);
const text = (chunks: RecordedChunk[]) =>
	chunks
		.filter((chunk) => chunk.type === 'item')
		.map((chunk) => chunk.content)
		.join('');
/** The chunks of one item, in the order they were sent. */
const ofItem = (chunks: RecordedChunk[], itemIndex: number) => chunks.filter((chunk) => chunk.itemIndex === itemIndex);

/** begin, at least `minItems` items, end — and nothing else. */
function expectMessage(chunks: RecordedChunk[], minItems = 2): void {
	const sequence = types(chunks);
	expect(sequence[0]).toBe('begin');
	expect(sequence.at(-1)).toBe('end');
	expect(sequence.slice(1, -1).every((type) => type === 'item')).toBe(true);
	expect(sequence.length - 2).toBeGreaterThanOrEqual(minItems);
}

describe('DigitalOcean Chat streaming to the caller', () => {
	it('sends begin, the answer piece by piece as it arrives, then end; the item carries the answer in output', async () => {
		emulator.control.configure({ streamChunkDelayMs: 40 });
		const { items, chunks } = await chat();
		expectMessage(chunks, 3);
		expect(text(chunks)).toBe(answer);
		expect(chunks.every((chunk) => chunk.itemIndex === 0)).toBe(true);
		// Piece by piece as DigitalOcean streams (40 ms between events), not all at once at the end.
		const pieces = chunks.filter((chunk) => chunk.type === 'item');
		for (let i = 1; i < pieces.length; i++) expect(pieces[i].at - pieces[i - 1].at).toBeGreaterThanOrEqual(25);

		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ content: answer, output: answer, finishReason: 'stop' });
		const [request] = emulator.control.requests().filter((r) => r.path === CHAT);
		expect(request.body).toMatchObject({ stream: true });
	});

	it('sends nothing when the execution does not stream, or on an n8n without streaming; the output is the same', async () => {
		const off = await chat({}, { streaming: false });
		const older = await chat({}, { streaming: undefined });
		expect(off.chunks).toEqual([]);
		expect(older.chunks).toEqual([]);
		for (const { items } of [off, older]) {
			expect(items.map((item) => item.json)).toEqual([expect.objectContaining({ content: answer, output: answer })]);
		}
	});

	it('a stream retried before any text arrived sends begin once and the answer once', async () => {
		// After the role chunk only, then before the first event: nothing of the answer had arrived either time.
		emulator.control.enqueueFaults([
			{ kind: 'reset-mid-body', frames: 1, path: CHAT },
			{ kind: 'stream-error', frames: 0, path: CHAT, error: { message: 'Model overloaded', type: 'overloaded_error' } },
		]);
		const { items, chunks } = await chat();
		expect(emulator.control.requests().filter((r) => r.path === CHAT)).toHaveLength(3);
		expectMessage(chunks);
		expect(text(chunks)).toBe(answer);
		expect(items[0].json.output).toBe(answer);
	});

	it('a stream that broke after text arrived ends the message it began; the node fails (n8n then sends the error chunk)', async () => {
		// Role chunk and two pieces of text, then the connection is reset.
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: 3, path: CHAT }]);
		const { error, chunks } = await attempt(new DigitalOceanChat(), {});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(emulator.control.requests().filter((r) => r.path === CHAT)).toHaveLength(1);
		expectMessage(chunks);
		expect(answer.startsWith(text(chunks))).toBe(true);
		expect(text(chunks).length).toBeLessThan(answer.length);
	});

	it('with Retry Broken Answers, the repeated answer follows what had been sent after a blank line, in the same message', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: 3, path: CHAT }]);
		const { items, chunks } = await chat({ requestOptions: { retryBrokenAnswers: true } });
		expect(emulator.control.requests().filter((r) => r.path === CHAT)).toHaveLength(2);
		expectMessage(chunks);
		expect(types(chunks).filter((type) => type === 'begin')).toHaveLength(1);
		const sent = text(chunks);
		const [partial, repeated] = sent.split('\n\n');
		expect(partial.length).toBeGreaterThan(0);
		expect(answer.startsWith(partial)).toBe(true);
		expect(repeated).toBe(answer);
		expect(items[0].json.output).toBe(answer);
	});

	it('with Stream Response off, sends the whole answer as one piece once it is in', async () => {
		const { items, chunks } = await chat({ options: { stream: false } });
		expect(types(chunks)).toEqual(['begin', 'item', 'end']);
		expect(chunks[1].content).toBe(answer);
		expect(items[0].json.output).toBe(answer);
	});

	it('sends no reasoning, only the answer text', async () => {
		const { items, chunks } = await chat({ model: model('deepseek-r1-distill-llama-70b') });
		expect(String(items[0].json.reasoning).length).toBeGreaterThan(0);
		expectMessage(chunks);
		expect(text(chunks)).toBe(items[0].json.content);
	});

	it('a JSON answer is data for the next node: not sent, unless Stream to Chat is added', async () => {
		const json = { responseFormat: 'json_object', systemMessage: 'Answer in JSON.' };
		const quiet = await chat({ options: json });
		expect(quiet.chunks).toEqual([]);
		expect(typeof quiet.items[0].json.output).toBe('string');

		const sent = await chat({ options: { ...json, streamToChat: true } });
		expectMessage(sent.chunks, 1);
		expect(text(sent.chunks)).toBe(sent.items[0].json.content);
	});

	it('Stream to Chat off sends nothing', async () => {
		const { items, chunks } = await chat({ options: { streamToChat: false } });
		expect(chunks).toEqual([]);
		expect(items[0].json.output).toBe(answer);
	});

	it('with several choices, streams the first one; every choice item has its own output', async () => {
		const { items, chunks } = await chat({ options: { n: 2 } });
		expect(items.map((item) => [item.json.choiceIndex, item.json.output])).toEqual([
			[0, items[0].json.content],
			[1, items[1].json.content],
		]);
		expectMessage(chunks);
		expect(text(chunks)).toBe(items[0].json.content);
	});

	it("several items: each item's answer is one message tagged with its item index, even when they run at once", async () => {
		emulator.control.configure({ streamChunkDelayMs: 10 });
		const prompts = ['The first question about tides', 'The second question about waves', 'The third question about reefs'];
		const { items, chunks } = await chat(
			{ requestOptions: { concurrency: 3 } },
			{ perItem: prompts.map((p) => ({ prompt: p })) },
		);
		expect(items.map((item) => item.json.output)).toEqual(prompts.map((p) => `Echo: ${p}`));
		for (const [itemIndex, p] of prompts.entries()) {
			expectMessage(ofItem(chunks, itemIndex));
			expect(text(ofItem(chunks, itemIndex))).toBe(`Echo: ${p}`);
		}
	});

	it('run as an AI Agent tool, sends nothing: the agent streams its own answer', async () => {
		for (const asTool of ['rewired', 'toolContext'] as const) {
			const { items, chunks } = await chat({}, { asTool });
			expect(chunks).toEqual([]);
			expect(items[0].json.output).toBe(answer);
		}
	});

	it('a caller that went away does not fail the item', async () => {
		const { items } = await chat({}, { sendChunkFails: true });
		expect(items[0].json).toMatchObject({ content: answer, output: answer });
	});
});

describe('DigitalOcean Responses streaming to the caller', () => {
	it.each(['events', 'chunks'] as const)('streams the answer from the %s stream format; the item carries it in output', async (format) => {
		emulator.control.configure({ responsesStreamFormat: format, streamChunkDelayMs: 30 });
		const { items, chunks } = await responses();
		expectMessage(chunks, 3);
		expect(text(chunks)).toBe(items[0].json.text);
		expect(items[0].json.output).toBe(items[0].json.text);
		expect(String(items[0].json.text)).toContain(prompt);
		const pieces = chunks.filter((chunk) => chunk.type === 'item');
		expect(pieces.at(-1)!.at - pieces[0].at).toBeGreaterThanOrEqual((pieces.length - 1) * 20);
	});

	it('sends no reasoning', async () => {
		const { items, chunks } = await responses({ model: model('openai-gpt-oss-120b') });
		expect(String(items[0].json.reasoning).length).toBeGreaterThan(0);
		expect(text(chunks)).toBe(items[0].json.text);
	});

	it('a stream retried before any text arrived sends begin once and the answer once', async () => {
		// After response.created and response.in_progress: no answer yet.
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: 2, path: RESPONSES }]);
		const { items, chunks } = await responses();
		expect(emulator.control.requests().filter((r) => r.path === RESPONSES)).toHaveLength(2);
		expectMessage(chunks);
		expect(text(chunks)).toBe(items[0].json.text);
	});

	it('with Stream Response off, sends the whole answer once; without streaming, or with Stream to Chat off, nothing', async () => {
		const whole = await responses({ options: { stream: false } });
		expect(types(whole.chunks)).toEqual(['begin', 'item', 'end']);
		expect(whole.chunks[1].content).toBe(whole.items[0].json.output);

		expect((await responses({}, { streaming: false })).chunks).toEqual([]);
		expect((await responses({}, { streaming: undefined })).chunks).toEqual([]);
		expect((await responses({ options: { streamToChat: false } })).chunks).toEqual([]);
	});
});
