import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DigitalOceanMessages } from '../../nodes/DigitalOceanMessages/DigitalOceanMessages.node';
import { MessagesStreamReader } from '../../nodes/DigitalOceanMessages/messagesResponse';
import { parseSse } from '../../nodes/shared/sse';
import { IncompleteStreamError, readAnswer, StreamErrorEvent } from '../../nodes/shared/answerStream';
import { DEFAULT_KEY } from '../emulator';
import { binaryItem, fakeExecuteContext, fakeLoadOptionsContext, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const PNG_1X1 = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);
const MESSAGES = '/v1/messages';
const MODEL = 'anthropic-claude-4.6-sonnet';
const model = (value: string) => ({ __rl: true, mode: 'id', value });
const WEATHER_TOOL = {
	name: 'get_weather',
	description: 'Get the current weather for a city',
	input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const emulator = useEmulator();

type Extra = Partial<Parameters<typeof fakeExecuteContext>[0]>;

function context(params: Params, extra: Extra = {}) {
	return fakeExecuteContext({
		params: { model: model(MODEL), ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
		node: new DigitalOceanMessages(),
	});
}

async function run(params: Params, extra: Extra = {}) {
	const [output] = await new DigitalOceanMessages().execute.call(context(params, extra));
	return output;
}

const sent = () => emulator.control.requests().filter((request) => request.path === MESSAGES);
const bodyOf = (index = 0) => sent()[index].body as Record<string, unknown>;

/** Feeds a hand-written SSE text through the real parser into the stream reader. */
async function collect(text: string) {
	const sse = { sawDone: false };
	return await readAnswer(parseSse((async function* () { yield text; })(), sse), new MessagesStreamReader(), sse);
}

describe("Messages: DigitalOcean's built-in tools (S2: they work with the Messages API too)", () => {
	const MCP_TOKEN = 'mcp-secret-token-on-messages-93c1';
	const builtInTools = {
		knowledgeBase: [{ knowledgeBaseId: 'kb-123' }],
		mcp: [{ serverLabel: 'docs', serverUrl: 'https://mcp.example.com/mcp', authorizationSource: 'parameter', authorization: `Bearer ${MCP_TOKEN}`, allowedTools: 'search_docs' }],
		webSearch: [{ maxUses: 2, maxResults: 3 }],
	};

	it('declares them in tools next to function tools, and shows their activity under builtInToolCalls (same streamed or not)', async () => {
		const outputs = [];
		for (const stream of [false, true]) {
			const [item] = await run({ prompt: 'What is new?', builtInTools, options: { stream, functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: 'auto' } });
			// Tool-use ids differ per request; everything else must match.
			outputs.push(JSON.parse(JSON.stringify({ ...item.json, messageId: null, requestId: null }).replace(/(srvtoolu|mcptoolu)_[0-9a-f]+/g, '$1_ID')));
			expect(JSON.stringify(item)).not.toContain(MCP_TOKEN);
		}
		expect(bodyOf(0).tools).toEqual([
			WEATHER_TOOL,
			{ type: 'knowledge_base_retrieval', knowledge_base_id: 'kb-123' },
			{ type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example.com/mcp', authorization: `Bearer ${MCP_TOKEN}`, allowed_tools: ['search_docs'] },
			{ type: 'web_search', max_uses: 2, max_results: 3 },
		]);
		expect(bodyOf(0).tool_choice).toEqual({ type: 'auto' });
		const [plain, streamed] = outputs as Array<Record<string, any>>;
		expect(streamed).toEqual(plain);
		expect(plain.text).toBe('Echo: What is new? [knowledge base kb-123: 3 passages] [mcp docs: called search_docs] [web search: 3 results]');
		expect(plain.builtInToolCalls.map((block: { type: string }) => block.type)).toEqual([
			'server_tool_use',
			'knowledge_base_retrieval_tool_result',
			'mcp_tool_use',
			'mcp_tool_result',
			'server_tool_use',
			'web_search_tool_result',
		]);
		expect(plain.toolUses).toEqual([]);
	});

	it('accepts Tool Choice "any" with built-in tools only', async () => {
		const [item] = await run({ prompt: 'What is new?', builtInTools: { webSearch: [{}] }, options: { stream: false, toolChoice: 'any' } });
		expect(bodyOf(0)).toMatchObject({ tools: [{ type: 'web_search' }], tool_choice: { type: 'any' } });
		expect(item.json.stopReason).toBe('end_turn');
	});

	it('keeps the MCP authorization out of errors', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 400, path: MESSAGES, body: { id: 'bad_request', message: `bad token ${MCP_TOKEN}` } }]);
		const error = await run({ prompt: 'Hi', builtInTools, options: { stream: false } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(`${error.message} ${error.description} ${JSON.stringify(error)} ${error.stack}`).not.toContain(MCP_TOKEN);
	});
});

describe('DigitalOcean Messages node', () => {
	it('answers a simple prompt with the simplified output', async () => {
		const [item] = await run({ prompt: 'What is the capital of France?' });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.json).sort()).toEqual(
			['builtInToolCalls', 'messageId', 'model', 'requestId', 'stopReason', 'text', 'thinking', 'toolUses', 'usage'].sort(),
		);
		expect(item.json.text).toEqual(expect.stringContaining('What is the capital of France?'));
		expect(item.json).toMatchObject({ thinking: null, toolUses: [], stopReason: 'end_turn', model: MODEL });
		expect(item.json.messageId).toEqual(expect.stringMatching(/^msg_/));
		expect(item.json.requestId).toMatch(/[0-9a-f-]{36}/);
		expect(item.json.usage).toMatchObject({
			input_tokens: expect.any(Number),
			output_tokens: expect.any(Number),
			cache_creation_input_tokens: 0,
			cache_read_input_tokens: 0,
		});
	});

	it('sends only the required fields when no option is set, with Bearer auth and anthropic-version', async () => {
		await run({ prompt: 'Hi', options: { stream: false } });
		expect(sent()).toHaveLength(1);
		// max_tokens is required by the API: the node sends its default, 4096.
		expect(bodyOf()).toEqual({ model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] });
		expect(sent()[0].headers).toMatchObject({
			authorization: `Bearer ${DEFAULT_KEY}`,
			'anthropic-version': '2023-06-01',
			'content-type': 'application/json',
		});
		expect(sent()[0].headers['x-api-key']).toBeUndefined();
	});

	it('sends Max Tokens as given, also when an expression made it text', async () => {
		await run({ prompt: 'Hi', maxTokens: 77, options: { stream: false } });
		await run({ prompt: 'Hi', maxTokens: '300', options: { stream: false } });
		expect(bodyOf(0).max_tokens).toBe(77);
		expect(bodyOf(1).max_tokens).toBe(300);
	});

	const BASE = { model: MODEL, max_tokens: 2048, messages: [{ role: 'user', content: 'Hi' }] };
	it.each<[string, Params, Record<string, unknown>]>([
		['system prompt', { system: 'Be brief.' }, { system: 'Be brief.' }],
		[
			'cached system prompt (5m)',
			{ system: 'Be brief.', cacheSystemPrompt: '5m' },
			{ system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '5m' } }] },
		],
		[
			'cached system prompt (1h)',
			{ system: 'Be brief.', cacheSystemPrompt: '1h' },
			{ system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
		],
		['temperature', { temperature: 0.3 }, { temperature: 0.3 }],
		['temperature 0', { temperature: 0 }, { temperature: 0 }],
		['top_p', { topP: 0.8 }, { top_p: 0.8 }],
		['top_k', { topK: 5 }, { top_k: 5 }],
		['top_k 0', { topK: 0 }, { top_k: 0 }],
		['stop_sequences', { stopSequences: 'END\nSTOP\n' }, { stop_sequences: ['END', 'STOP'] }],
		['tools', { functionTools: JSON.stringify([WEATHER_TOOL]) }, { tools: [WEATHER_TOOL] }],
		[
			'tools given OpenAI-style',
			{ functionTools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL.input_schema } }] },
			{ tools: [{ name: 'get_weather', input_schema: WEATHER_TOOL.input_schema }] },
		],
		['thinking enabled', { thinking: 'enabled', thinkingBudget: 1500 }, { thinking: { type: 'enabled', budget_tokens: 1500 } }],
		['thinking enabled, default budget', { thinking: 'enabled' }, { thinking: { type: 'enabled', budget_tokens: 1024 } }],
		['thinking disabled', { thinking: 'disabled', thinkingBudget: 1500 }, { thinking: { type: 'disabled' } }],
		['reasoning_effort', { reasoningEffort: 'high' }, { reasoning_effort: 'high' }],
		['speed', { speed: 'fast' }, { speed: 'fast' }],
		['metadata.user_id', { userId: 'user-42' }, { metadata: { user_id: 'user-42' } }],
	])('sends %s exactly when set', async (_label, options, fields) => {
		await run({ prompt: 'Hi', maxTokens: 2048, options: { stream: false, ...options } });
		expect(bodyOf()).toEqual({ ...BASE, ...fields });
	});

	it.each([
		['auto', { type: 'auto' }],
		['any', { type: 'any' }],
		['none', { type: 'none' }],
	])('sends tool_choice %s as an object', async (choice, wire) => {
		await run({
			prompt: 'What is the weather in Paris?',
			options: { stream: false, functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: choice },
		});
		expect(bodyOf().tool_choice).toEqual(wire);
	});

	it('maps every option to its API field at once', async () => {
		await run({
			prompt: 'Hi',
			maxTokens: 4096,
			options: {
				stream: false,
				system: 'Be brief.',
				cacheSystemPrompt: '1h',
				temperature: 1,
				topP: 0.9,
				topK: 10,
				stopSequences: 'END',
				functionTools: JSON.stringify([WEATHER_TOOL]),
				toolChoice: 'tool',
				toolName: 'get_weather',
				thinking: 'enabled',
				thinkingBudget: 2000,
				reasoningEffort: 'low',
				speed: 'standard',
				userId: 'u-1',
			},
		});
		expect(bodyOf()).toEqual({
			model: MODEL,
			max_tokens: 4096,
			messages: [{ role: 'user', content: 'Hi' }],
			system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
			temperature: 1,
			top_p: 0.9,
			top_k: 10,
			stop_sequences: ['END'],
			tools: [WEATHER_TOOL],
			tool_choice: { type: 'tool', name: 'get_weather' },
			thinking: { type: 'enabled', budget_tokens: 2000 },
			reasoning_effort: 'low',
			speed: 'standard',
			metadata: { user_id: 'u-1' },
		});
	});

	it('sends a message list with its roles', async () => {
		await run({
			inputType: 'messages',
			messages: {
				message: [
					{ role: 'user', content: 'My name is Ada.' },
					{ role: 'assistant', content: 'Nice to meet you, Ada.' },
					{ role: 'user', content: 'What is my name?' },
				],
			},
			options: { stream: false },
		});
		expect(bodyOf().messages).toEqual([
			{ role: 'user', content: 'My name is Ada.' },
			{ role: 'assistant', content: 'Nice to meet you, Ada.' },
			{ role: 'user', content: 'What is my name?' },
		]);
	});

	it('streams internally by default', async () => {
		await run({ prompt: 'Hi' });
		expect(bodyOf()).toEqual({ model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], stream: true });
		expect(sent()[0].headers.accept).toBe('text/event-stream');
	});

	describe('gives the same output streamed and not streamed', () => {
		const cases: Array<[string, Params]> = [
			['text', { prompt: 'List three colours' }],
			['thinking', { prompt: 'Think about three colours', maxTokens: 4096, options: { thinking: 'enabled', thinkingBudget: 2048 } }],
			['tool_use', { prompt: 'Please call get_weather for Paris', options: { functionTools: JSON.stringify([WEATHER_TOOL]) } }],
			['max_tokens cut-off', { prompt: 'Tell me a long story about the sea and the wind', maxTokens: 3 }],
		];
		const withoutIds = (json: Record<string, unknown>) => ({ ...json, requestId: undefined, messageId: undefined });
		const withoutToolIds = (json: Record<string, unknown>) => ({
			...withoutIds(json),
			toolUses: (json.toolUses as Array<Record<string, unknown>>).map((use) => ({ ...use, id: typeof use.id })),
		});

		it.each(cases)('%s (simplified)', async (_label, params) => {
			const options = (params.options ?? {}) as Params;
			const [streamed] = await run({ ...params, options });
			const [plain] = await run({ ...params, options: { ...options, stream: false } });
			expect(bodyOf(0).stream).toBe(true);
			expect(bodyOf(1).stream).toBeUndefined();
			expect(withoutToolIds(streamed.json)).toEqual(withoutToolIds(plain.json));
		});

		it.each(cases)('%s (raw)', async (_label, params) => {
			const options = (params.options ?? {}) as Params;
			const [streamed] = await run({ ...params, output: 'raw', options });
			const [plain] = await run({ ...params, output: 'raw', options: { ...options, stream: false } });
			const shape = (json: Record<string, unknown>) => ({
				...json,
				id: typeof json.id,
				content: (json.content as Array<Record<string, unknown>>).map((block) =>
					block.type === 'tool_use' ? { ...block, id: typeof block.id } : block,
				),
			});
			expect(shape(streamed.json)).toEqual(shape(plain.json));
			expect(streamed.json).toMatchObject({ type: 'message', role: 'assistant', model: MODEL });
		});
	});

	it('shows the thinking text when thinking is enabled', async () => {
		const [item] = await run({ prompt: 'Think about it', maxTokens: 4096, options: { thinking: 'enabled', thinkingBudget: 2048 } });
		expect(typeof item.json.thinking).toBe('string');
		expect(String(item.json.thinking).length).toBeGreaterThan(0);
		expect(item.json.text).toEqual(expect.stringContaining('Think about it'));
	});

	it('turns a tool definition into a tool_use with parsed input', async () => {
		const [item] = await run({
			prompt: 'Please call get_weather for Paris',
			options: { functionTools: JSON.stringify([WEATHER_TOOL]) },
		});
		expect((bodyOf().tools as Array<Record<string, unknown>>)[0].input_schema).toEqual(WEATHER_TOOL.input_schema);
		expect(item.json.stopReason).toBe('tool_use');
		const toolUses = item.json.toolUses as Array<{ id: string; name: string; input: Record<string, unknown> }>;
		expect(toolUses).toHaveLength(1);
		expect(toolUses[0].id).toEqual(expect.any(String));
		expect(toolUses[0].name).toBe('get_weather');
		expect(toolUses[0].input).toEqual({ city: expect.any(String) });
	});

	it('forces a named tool with tool_choice', async () => {
		const [item] = await run({
			prompt: 'Hello there',
			options: { stream: false, functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: 'tool', toolName: 'get_weather' },
		});
		expect(bodyOf().tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
		expect(item.json.stopReason).toBe('tool_use');
		expect((item.json.toolUses as Array<{ name: string }>)[0].name).toBe('get_weather');
	});

	it('reads a cached system prompt on the repeat call', async () => {
		const params = {
			prompt: 'Hi',
			options: { system: 'You are a meticulous assistant. '.repeat(40), cacheSystemPrompt: '5m' },
		};
		const [first] = await run(params);
		const [second] = await run(params);
		expect(first.json.usage).toMatchObject({ cache_creation_input_tokens: expect.any(Number), cache_read_input_tokens: 0 });
		expect((first.json.usage as { cache_creation_input_tokens: number }).cache_creation_input_tokens).toBeGreaterThan(0);
		expect((second.json.usage as { cache_read_input_tokens: number }).cache_read_input_tokens).toBeGreaterThan(0);
		expect(second.json.usage).toMatchObject({ cache_creation_input_tokens: 0 });
	});

	it('sends input images as base64 image blocks on the last user message', async () => {
		const [item] = await run(
			{
				inputType: 'messages',
				messages: {
					message: [
						{ role: 'user', content: 'I will show you a picture.' },
						{ role: 'assistant', content: 'Go ahead.' },
						{ role: 'user', content: 'What is in this picture?' },
						{ role: 'assistant', content: 'It is' },
					],
				},
				options: { imageBinaryFields: 'data, second', stream: false },
			},
			{
				items: [
					{
						json: {},
						binary: {
							...binaryItem('data', PNG_1X1, 'image/png', 'dot.png').binary,
							...binaryItem('second', PNG_1X1, 'application/octet-stream', 'unnamed').binary,
						},
					},
				],
			},
		);
		const messages = bodyOf().messages as Array<{ role: string; content: unknown }>;
		const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1.toString('base64') } };
		expect(messages[0].content).toBe('I will show you a picture.');
		expect(messages[2].content).toEqual([image, image, { type: 'text', text: 'What is in this picture?' }]);
		expect(messages[3].content).toBe('It is');
		expect(String(item.json.text)).toMatch(/image/i);
	});

	it('rejects a non-image binary before any request', async () => {
		const error = await run(
			{ prompt: 'Look', options: { imageBinaryFields: 'data' } },
			{ items: [binaryItem('data', Buffer.from('%PDF-1.7 not an image'), 'image/png', 'fake.png')] },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/not a PNG, JPEG or WebP/);
		expect(sent()).toHaveLength(0);
	});

	it.each<[string, Params, RegExp]>([
		['max_tokens 0', { prompt: 'Hi', maxTokens: 0 }, /Max Tokens must be a whole number of at least 1/],
		['max_tokens fractional', { prompt: 'Hi', maxTokens: 10.5 }, /Max Tokens must be a whole number/],
		['max_tokens not a number', { prompt: 'Hi', maxTokens: 'lots' }, /Max Tokens must be a whole number/],
		['thinking budget = max_tokens', { prompt: 'Hi', maxTokens: 2000, options: { thinking: 'enabled', thinkingBudget: 2000 } }, /less than Max Tokens/],
		['thinking budget > max_tokens', { prompt: 'Hi', maxTokens: 1024, options: { thinking: 'enabled' } }, /less than Max Tokens/],
		['thinking budget < 1024', { prompt: 'Hi', maxTokens: 4096, options: { thinking: 'enabled', thinkingBudget: 500 } }, /at least 1024/],
		['bad tools JSON', { prompt: 'Hi', options: { functionTools: '[{"name": "x",' } }, /Function Tools is not valid JSON/],
		['tool without name', { prompt: 'Hi', options: { functionTools: '[{"description": "x"}]' } }, /needs a name/],
		['temperature > 1', { prompt: 'Hi', options: { temperature: 1.5 } }, /Temperature must be between 0 and 1/],
		['top_p > 1', { prompt: 'Hi', options: { topP: 2 } }, /Top P must be between 0 and 1/],
		['top_k < 0', { prompt: 'Hi', options: { topK: -1 } }, /Top K must be at least 0/],
		['empty prompt', { prompt: '   ' }, /prompt is empty/],
		['no model', { prompt: 'Hi', model: model(' ') }, /No model selected/],
		['empty message list', { inputType: 'messages', messages: { message: [] } }, /message list is empty/],
		['empty message', { inputType: 'messages', messages: { message: [{ role: 'user', content: '' }] } }, /Message 1 has no content/],
		['tool choice without tools', { prompt: 'Hi', options: { toolChoice: 'any' } }, /there are no tools/],
		['a named tool choice with only built-in tools', { prompt: 'Hi', builtInTools: { webSearch: [{}] }, options: { toolChoice: 'tool', toolName: 'web_search' } }, /not among the Function Tools/],
		['an MCP server without URL', { prompt: 'Hi', builtInTools: { mcp: [{ serverLabel: 'docs', serverUrl: '' }] } }, /needs an http\(s\) Server URL/],
		[
			'tool choice names an unknown tool',
			{ prompt: 'Hi', options: { functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: 'tool', toolName: 'get_time' } },
			/"get_time", which is not among the Function Tools/,
		],
		['cache without system prompt', { prompt: 'Hi', options: { cacheSystemPrompt: '5m' } }, /no System Prompt/],
		[
			'images without a user message',
			{ inputType: 'messages', messages: { message: [{ role: 'assistant', content: 'Hello' }] }, options: { imageBinaryFields: 'data' } },
			/Images need a user message/,
		],
	])('rejects bad input before any request: %s', async (_label, params, message) => {
		const error = await run(params).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(error.context.itemIndex).toBe(0);
		expect(error.description).toEqual(expect.any(String));
		expect(sent()).toHaveLength(0);
	});

	it('validates every item before sending any, so bad input in item 3 bills nothing', async () => {
		const error = await run({ prompt: 'Hi' }, { perItem: [{}, {}, { options: { temperature: 9 } }] }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBe(2);
		expect(sent()).toHaveLength(0);
	});

	it('maps an Anthropic-envelope 400 to a NodeApiError with its message and status', async () => {
		// The emulator answers a non-Anthropic model on /v1/messages with a 400 in the Anthropic envelope.
		const error = await run({ prompt: 'Hi', model: model('llama3.3-70b-instruct') }).catch((e) => e);
		expect(sent()).toHaveLength(1); // a 400 is not retried
		expect(sent()[0].status).toBe(400);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(0);
		expect(`${error.message} ${error.description}`).toContain(
			'model: llama3.3-70b-instruct is not supported on /v1/messages (Anthropic models only)',
		);
		expect(error.errorResponse).toMatchObject({ status: 400, code: 'invalid_request_error' });
		expect(error.description).toMatch(/Request ID: [0-9a-f-]{36}/);
	});

	it('maps an Anthropic error event inside a stream', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'stream-error', path: MESSAGES, error: { type: 'invalid_request_error', message: 'prompt is too long for this model' } },
		]);
		const error = await run({ prompt: 'Hi' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(`${error.message} ${error.description}`).toContain('prompt is too long for this model');
		expect(sent()).toHaveLength(1); // a 400 is not retried
	});

	it('a stream cut after text arrived is an error saying how much, not sent again', async () => {
		emulator.control.enqueueFaults([{ kind: 'truncate-stream', path: MESSAGES }]);
		const [item] = await run({ prompt: 'Tell me a long story about the sea' }, { continueOnFail: true });
		expect(sent()).toHaveLength(1);
		expect(String(item.json.error)).toMatch(
			/^The answer stream ended before the answer was complete\. \d+ characters of text had arrived when this happened\. The request was not repeated, so as not to be billed twice/,
		);
	});

	it('a stream that broke or reported overload after message_start and ping only (no content yet) is sent again', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'reset-mid-body', frames: 2, path: MESSAGES },
			{ kind: 'stream-error', frames: 2, path: MESSAGES, error: { type: 'overloaded_error', message: 'Overloaded' } },
			{ kind: 'reset-after-headers', path: MESSAGES },
		]);
		const [item] = await run({ prompt: 'Hi' });
		expect(sent()).toHaveLength(4);
		expect(item.json.text).toEqual(expect.stringContaining('Hi'));
	});

	it('accepts a stream that broke after the message_delta with its stop reason (only message_stop missing)', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: -1, path: MESSAGES }]);
		const [item] = await run({ prompt: 'Hi' });
		expect(sent()).toHaveLength(1);
		expect(item.json).toMatchObject({ text: expect.stringContaining('Hi'), stopReason: 'end_turn' });
	});

	it('a tool call that had started counts in the error', async () => {
		const tools = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: -3, path: MESSAGES }]);
		const error = await run({ prompt: 'Please call get_weather for Paris', options: { functionTools: JSON.stringify(tools) } }).catch((e) => e);
		expect(error.message).toBe('The connection was reset while the answer was arriving');
		expect(error.description).toMatch(/^1 tool call had arrived when this happened/);
		expect(sent()).toHaveLength(1);
	});

	describe('the stream reader', () => {
		const start =
			'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n' +
			'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
			'event: ping\ndata: {"type":"ping"}\n\n' +
			'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n' +
			'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}\n\n' +
			'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
			'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n';

		it('folds a complete stream into the message', async () => {
			const message = await collect(`${start}event: message_stop\ndata: {"type":"message_stop"}\n\n`);
			expect(message).toEqual({
				id: 'msg_1',
				type: 'message',
				role: 'assistant',
				model: 'm',
				content: [{ type: 'text', text: 'Hello' }],
				stop_reason: 'end_turn',
				stop_sequence: null,
				usage: { input_tokens: 3, output_tokens: 2 },
			});
		});

		it('accepts a stream whose message_delta carried the stop reason, without message_stop', async () => {
			expect(await collect(start)).toMatchObject({ content: [{ type: 'text', text: 'Hello' }], stop_reason: 'end_turn' });
		});

		it('throws IncompleteStreamError when neither message_stop nor a stop reason came', async () => {
			const cut = start.slice(0, start.indexOf('event: message_delta'));
			await expect(collect(cut)).rejects.toBeInstanceOf(IncompleteStreamError);
		});

		it('throws StreamErrorEvent with the inner error for an error event', async () => {
			const error = await collect(
				`${start}event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n`,
			).catch((e) => e);
			expect(error).toBeInstanceOf(StreamErrorEvent);
			expect(error.payload).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
		});
	});

	it('returns the message object with Output = Raw', async () => {
		const [item] = await run({ prompt: 'Hi', output: 'raw' });
		expect(item.json).toMatchObject({
			type: 'message',
			role: 'assistant',
			model: MODEL,
			stop_reason: 'end_turn',
			content: [{ type: 'text', text: expect.stringContaining('Hi') }],
			usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
		});
	});

	it('with continueOnFail, a failing item 2 of 3 becomes an error item in place', async () => {
		const output = await run(
			{ prompt: 'Hi' },
			{
				perItem: [{ prompt: 'First' }, { model: model('no-such-model') }, { prompt: 'Third' }],
				continueOnFail: true,
				params: { model: model(MODEL), maxTokens: 1024, prompt: 'Hi', requestOptions: { concurrency: 3 } },
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(Object.keys(output[1].json)).toEqual(['error']);
		expect(String(output[1].json.error)).toMatch(/model/i);
		expect(output[0].json.text).toEqual(expect.stringContaining('First'));
		expect(output[2].json.text).toEqual(expect.stringContaining('Third'));
	});

	it('with continueOnFail, bad input in one item fails only that item, before its request', async () => {
		const output = await run(
			{ prompt: 'Hi' },
			{ perItem: [{}, { maxTokens: 0 }, {}], continueOnFail: true },
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(String(output[1].json.error)).toMatch(/Max Tokens/);
		expect(sent()).toHaveLength(2);
	});

	it('keeps the key out of every output and the debug log', async () => {
		const ctx = context({ prompt: 'Hi', output: 'raw' });
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, path: MESSAGES }]);
		const output = await new DigitalOceanMessages().execute.call(ctx);
		expect(sent()).toHaveLength(2);
		expect(JSON.stringify(output)).not.toContain(DEFAULT_KEY);
		expect(ctx.debugLog.join('\n')).not.toContain(DEFAULT_KEY);
		expect(ctx.debugLog.length).toBeGreaterThan(0);
	});

	it('offers Anthropic models in the model picker', async () => {
		const node = new DigitalOceanMessages();
		const ctx = fakeLoadOptionsContext({ apiKey: DEFAULT_KEY, baseUrl: emulator.url }, { node });
		const { results } = await node.methods.listSearch.searchMessagesModels.call(ctx);
		const ids = results.map((result) => result.value);
		expect(ids).toContain(MODEL);
		expect(ids.length).toBeGreaterThan(0);
		expect(ids.every((id) => /anthropic|claude/.test(String(id)))).toBe(true);
	});
});
