/**
 * The DigitalOcean Chat Model sub-node as n8n's AI nodes use it: supplyData() → n8n's AI SDK wraps the
 * model for LangChain (the real SDK, the version n8n 2.41.1 ships) → invoke / stream / tools, over real
 * HTTP to the emulator, with the emulator's OpenAI-compatible quirks switched on and off.
 */
import * as path from 'node:path';

import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessageChunk, BaseMessage } from '@langchain/core/messages';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import { DigitalOceanChatModel } from '../../nodes/DigitalOceanChatModel/DigitalOceanChatModel.node';
import { DEFAULT_KEY, type ChatQuirk, type LoggedRequest } from '../emulator';
import { fakeLoadOptionsContext, fakeSupplyDataContext, type FakeSupplyDataContext, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

/** LangChain as the SDK's adapter loads it (the dev install holds a second, newer copy at the top). */
function adapterModule<T>(module: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(require.resolve(module, { paths: [path.dirname(require.resolve('@n8n/ai-utilities'))] })) as T;
}
const { HumanMessage, SystemMessage, ToolMessage } = adapterModule<typeof import('@langchain/core/messages')>('@langchain/core/messages');
const { tool } = adapterModule<typeof import('@langchain/core/tools')>('@langchain/core/tools');

const CHAT = '/v1/chat/completions';
const model = (value: string, mode = 'id') => ({ __rl: true, mode, value });
const emulator = useEmulator();

interface Supplied {
	model: BaseChatModel;
	ctx: FakeSupplyDataContext;
}

async function supply(params: Params = {}, extra: Partial<Parameters<typeof fakeSupplyDataContext>[0]> = {}): Promise<Supplied> {
	const node = new DigitalOceanChatModel();
	const ctx = fakeSupplyDataContext({
		params: { model: model('llama3.3-70b-instruct'), ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
		node,
	});
	const { response } = await node.supplyData.call(ctx, 0);
	return { model: response as BaseChatModel, ctx };
}

const chatRequests = (): LoggedRequest[] => emulator.control.requests().filter((request) => request.path === CHAT);
const bodyOf = (request: LoggedRequest) => request.body as Record<string, any>;

/** The usage DigitalOcean reports for exactly this request body, asked again without streaming. */
async function usageFor(body: Record<string, unknown>): Promise<Record<string, number>> {
	const { stream: _stream, stream_options: _options, ...plain } = body;
	const reply = await fetch(`${emulator.url}${CHAT}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${DEFAULT_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify(plain),
	});
	return ((await reply.json()) as { usage: Record<string, number> }).usage;
}

/** What n8n's tracing wrote to the sub-node's output panel, one entry per model call. */
function panelUsage(ctx: FakeSupplyDataContext): Array<Record<string, unknown>> {
	return ctx.panel.outputs.map((entry) => {
		const [[item]] = entry.data as Array<Array<{ json: Record<string, unknown> }>>;
		return item.json;
	});
}

async function collect(stream: AsyncIterable<AIMessageChunk>): Promise<{ chunks: AIMessageChunk[]; message: AIMessageChunk }> {
	const chunks: AIMessageChunk[] = [];
	for await (const chunk of stream) chunks.push(chunk);
	return { chunks, message: chunks.reduce((all, chunk) => all.concat(chunk)) };
}

const weatherTool = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
	name: 'get_weather',
	description: 'The current weather in a city',
	schema: z.object({ city: z.string().describe('The city') }),
});

describe('DigitalOcean Chat Model: supplying a model to n8n', () => {
	it('answers through the SDK, streamed by default, sending only the model and the conversation', async () => {
		const { model: chat, ctx } = await supply();
		const answer = await chat.invoke([new SystemMessage('Be brief.'), new HumanMessage('What is the capital of France?')]);
		expect(answer.text).toBe('Echo: What is the capital of France?');

		const [request, ...more] = chatRequests();
		expect(more).toEqual([]);
		expect(request.headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
		expect(bodyOf(request)).toEqual({
			model: 'llama3.3-70b-instruct',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'What is the capital of France?' },
			],
			stream: true,
			stream_options: { include_usage: true },
		});
		// n8n's tracing shows the usage DigitalOcean reported, not an estimate.
		const usage = await usageFor(bodyOf(request));
		expect(panelUsage(ctx)).toEqual([
			expect.objectContaining({
				tokenUsage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens },
			}),
		]);
	});

	it('sends every option the user set under its API name, and nothing when Streaming is off', async () => {
		const { model: chat } = await supply({
			options: {
				temperature: 0.2,
				topP: 0.9,
				maxTokens: 300,
				reasoningEffort: 'low',
				promptCacheRetention: '24h',
				responseFormat: 'json_object',
				streaming: false,
				timeout: 30,
				maxRetries: 1,
			},
		});
		await chat.invoke([new HumanMessage('Reply in JSON')]);
		expect(bodyOf(chatRequests()[0])).toEqual({
			model: 'llama3.3-70b-instruct',
			messages: [{ role: 'user', content: 'Reply in JSON' }],
			temperature: 0.2,
			top_p: 0.9,
			max_tokens: 300,
			reasoning_effort: 'low',
			prompt_cache_retention: '24h',
			response_format: { type: 'json_object' },
		});
	});

	it('sends a router as router:NAME', async () => {
		const { model: chat } = await supply({ model: model('my-support-router', 'router') });
		const answer = await chat.invoke([new HumanMessage('I have a billing question')]);
		expect(answer.text).toBe('Echo: I have a billing question');
		expect(bodyOf(chatRequests()[0]).model).toBe('router:my-support-router');
	});

	it('rejects an option out of range and an empty model before any request', async () => {
		const badTemperature = await supply({ options: { temperature: 3 } }).catch((error) => error);
		expect(badTemperature).toBeInstanceOf(NodeOperationError);
		expect(badTemperature.message).toBe('Temperature must be between 0 and 2 (got 3)');
		const noModel = await supply({ model: model('') }).catch((error) => error);
		expect(noModel.message).toBe('No model selected');
		expect(emulator.control.requests()).toEqual([]);
	});

	it('lists chat models only in the model picker', async () => {
		const node = new DigitalOceanChatModel();
		const { results } = await node.methods.listSearch.searchChatModels.call(fakeLoadOptionsContext({ apiKey: DEFAULT_KEY, baseUrl: emulator.url }, { node }));
		const ids = results.map((entry) => entry.value);
		expect(ids).toContain('llama3.3-70b-instruct');
		expect(ids.some((id) => /embedding|image|tts|fal-ai/.test(String(id)))).toBe(false);
	});
});

describe('DigitalOcean Chat Model: streaming through LangChain', () => {
	it('hands the answer over in pieces as they arrive, and the real usage to the panel', async () => {
		const prompt = 'Tell me a long story about a lighthouse keeper';
		const { model: chat, ctx } = await supply();
		const { chunks, message } = await collect(await chat.stream([new HumanMessage(prompt)]));
		const textChunks = chunks.filter((chunk) => chunk.text !== '');
		expect(textChunks.length).toBeGreaterThanOrEqual(3);
		expect(message.text).toBe(`Echo: ${prompt}`);

		const usage = await usageFor(bodyOf(chatRequests()[0]));
		expect(message.usage_metadata).toMatchObject({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens });
		// The SDK's tracing would show an estimate for a streamed answer without recordStreamedUsage().
		expect(panelUsage(ctx)).toEqual([
			expect.objectContaining({
				tokenUsage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens },
			}),
		]);
	});

	it("records the real usage when an Agent streams (LangChain's stream events), for the model its tools are bound to", async () => {
		const { model: chat, ctx } = await supply();
		const withTools = chat.bindTools!([weatherTool]);
		for await (const _event of withTools.streamEvents([new HumanMessage('Hello there')], { version: 'v2' })) {
			// drained
		}
		const usage = await usageFor(bodyOf(chatRequests()[0]));
		expect(panelUsage(ctx)).toEqual([
			expect.objectContaining({
				tokenUsage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens },
			}),
		]);
		expect(panelUsage(ctx)[0]).not.toHaveProperty('tokenUsageEstimate');
	});

	it('with Streaming off, stream() still yields the whole answer, from one request without stream', async () => {
		const { model: chat } = await supply({ options: { streaming: false } });
		const { message } = await collect(await chat.stream([new HumanMessage('Hi')]));
		expect(message.text).toBe('Echo: Hi');
		expect(bodyOf(chatRequests()[0])).not.toHaveProperty('stream');
	});
});

describe('DigitalOcean Chat Model: tools', () => {
	/** One tool round: the model calls get_weather, LangChain runs it, the model answers with its result. */
	async function toolRound(chat: BaseChatModel, stream: boolean): Promise<{ call: AIMessageChunk | BaseMessage; final: string }> {
		const withTools = chat.bindTools!([weatherTool]);
		const ask = async (messages: BaseMessage[]) =>
			stream ? (await collect((await withTools.stream(messages)) as AsyncIterable<AIMessageChunk>)).message : await withTools.invoke(messages);
		const question = new HumanMessage('Please call get_weather for Paris');
		const call = await ask([question]);
		const toolCalls = (call as AIMessageChunk).tool_calls ?? [];
		expect(toolCalls).toHaveLength(1);
		const result = await weatherTool.invoke(toolCalls[0].args as { city: string });
		const final = await ask([question, call, new ToolMessage({ content: result, tool_call_id: toolCalls[0].id! })]);
		return { call, final: final.text };
	}

	it.each([
		['streamed', true],
		['not streamed', false],
	])('a function tool round-trips (%s): the call, the tool message and the answer built on its result', async (_label, stream) => {
		const { model: chat } = await supply({ options: { streaming: stream } });
		const { call, final } = await toolRound(chat, stream);
		const [toolCall] = (call as AIMessageChunk).tool_calls!;
		expect(toolCall).toMatchObject({ name: 'get_weather', args: { city: 'example' } });
		expect(final).toBe('Echo: Please call get_weather for Paris Tool get_weather returned: Sunny in example');

		const [first, second] = chatRequests().map(bodyOf);
		expect(first.tools).toEqual([
			{
				type: 'function',
				function: {
					name: 'get_weather',
					description: 'The current weather in a city',
					parameters: expect.objectContaining({ type: 'object', properties: { city: { type: 'string', description: 'The city' } }, required: ['city'] }),
				},
			},
		]);
		expect(second.messages).toEqual([
			{ role: 'user', content: 'Please call get_weather for Paris' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [{ id: toolCall.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"example"}' } }],
			},
			{ role: 'tool', tool_call_id: toolCall.id, content: 'Sunny in example' },
		]);
	});

	it('keeps parallel tool calls apart when streamed', async () => {
		const lookup = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } };
		const { model: chat } = await supply();
		const withTools = chat.bindTools!([weatherTool, lookup]);
		const { message } = await collect((await withTools.stream([new HumanMessage('call get_weather and use lookup')])) as AsyncIterable<AIMessageChunk>);
		expect(message.tool_calls!.map((call) => [call.name, call.args])).toEqual([
			['get_weather', { city: 'example' }],
			['lookup', { q: 'example' }],
		]);
		const ids = message.tool_calls!.map((call) => call.id);
		expect(new Set(ids).size).toBe(2);
	});
});

describe('DigitalOcean Chat Model: OpenAI-compatible quirks', () => {
	const quirkSets: ChatQuirk[][] = [['null-tool-calls'], ['empty-id-role'], ['null-tool-calls', 'empty-id-role']];

	describe.each(quirkSets.map((quirks) => [quirks.join(' + '), quirks] as const))('%s', (_label, quirks) => {
		it.each([
			['streamed', true],
			['not streamed', false],
		])('a plain answer and a tool round-trip still work (%s)', async (_mode, stream) => {
			emulator.control.configure({ chatQuirks: [...quirks] });
			const { model: chat, ctx } = await supply({ options: { streaming: stream } });
			const plain = await chat.invoke([new HumanMessage('Hello')]);
			expect(plain.text).toBe('Echo: Hello');
			expect((plain as AIMessageChunk).tool_calls ?? []).toEqual([]);

			const withTools = chat.bindTools!([weatherTool]);
			const question = new HumanMessage('Please call get_weather for Oslo');
			const call = (await withTools.invoke([question])) as AIMessageChunk;
			expect(call.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'example' }, id: expect.stringMatching(/^call_\w+/) })]);
			const final = await withTools.invoke([question, call, new ToolMessage({ content: 'Cold', tool_call_id: call.tool_calls![0].id! })]);
			expect(final.text).toBe('Echo: Please call get_weather for Oslo Tool get_weather returned: Cold');
			expect(chatRequests().map((request) => request.status)).toEqual([200, 200, 200]);
			expect(panelUsage(ctx).every((entry) => 'tokenUsage' in entry)).toBe(true);
		});
	});

	it('a server that refuses tools with stream: the clear 400 with Streaming on, an answer with it off', async () => {
		emulator.control.configure({ chatQuirks: ['no-stream-with-tools'] });
		const streaming = await supply();
		const refused = await streaming.model.bindTools!([weatherTool]).invoke([new HumanMessage('Please call get_weather for Rome')]).catch((error) => error);
		expect(refused).toBeInstanceOf(NodeApiError);
		expect(refused.message).toContain('Cannot use tools with stream');
		expect(chatRequests()).toHaveLength(1);

		const plain = await supply({ options: { streaming: false } });
		const call = (await plain.model.bindTools!([weatherTool]).invoke([new HumanMessage('Please call get_weather for Rome')])) as AIMessageChunk;
		expect(call.tool_calls![0].name).toBe('get_weather');
	});

	it('never hands reasoning over as part of the answer', async () => {
		const { model: chat } = await supply({ model: model('openai-gpt-oss-120b') });
		const answer = await chat.invoke([new HumanMessage('why?')]);
		expect(answer.text).toBe('Echo: why?');
		expect(JSON.stringify(answer.content)).not.toContain('think it through');
	});
});

describe('DigitalOcean Chat Model: on the package transport', () => {
	const prompt = 'Tell me about the lighthouse keeper and the long winter storm';

	it('retries a 429 and a 503 (honouring retry-after) and answers', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 429, path: CHAT, headers: { 'retry-after': '0' } },
			{ kind: 'status', status: 503, path: CHAT },
		]);
		const { model: chat } = await supply({ options: { maxRetries: 2 } });
		expect((await chat.invoke([new HumanMessage(prompt)])).text).toBe(`Echo: ${prompt}`);
		expect(chatRequests().map((request) => request.status)).toEqual([429, 503, 200]);
	});

	it('never sends a request again once its answer started arriving: the error says what had arrived', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const { model: chat } = await supply();
		const error = await chat.invoke([new HumanMessage(prompt)]).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.description).toMatch(/^\d+ characters of text had arrived when this happened\. The request was not repeated, so as not to be billed twice: run it again to retry it/);
		// The sub-node has no Retry Broken Answers option to point to.
		expect(error.description).not.toContain('Retry Broken Answers');
		expect(chatRequests()).toHaveLength(1);
	});

	it('fails with the 401 that names the Model Access Key, without the key', async () => {
		const { model: chat, ctx } = await supply({}, { credentials: { apiKey: 'not-a-valid-key', baseUrl: emulator.url } });
		const error = await chat.invoke([new HumanMessage('Hi')]).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(`${error.message} ${error.description}`).toMatch(/Model Access Key/);
		expect(JSON.stringify({ message: error.message, description: error.description, panel: ctx.panel })).not.toContain('not-a-valid-key');
	});

	it('keeps the key out of everything the panel shows', async () => {
		const { model: chat, ctx } = await supply();
		await chat.bindTools!([weatherTool]).invoke([new HumanMessage('Please call get_weather for Lima')]);
		expect(JSON.stringify(ctx.panel)).not.toContain(DEFAULT_KEY);
	});
});
