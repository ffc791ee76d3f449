import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanResponses } from '../../nodes/DigitalOceanResponses/DigitalOceanResponses.node';
import { ResponsesStreamReader } from '../../nodes/DigitalOceanResponses/responsesStream';
import { readAnswer } from '../../nodes/shared/answerStream';
import type { SseEvent } from '../../nodes/shared/sse';
import { DEFAULT_KEY } from '../emulator';
import { binaryItem, fakeExecuteContext, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const PNG_1X1 = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);
const RESPONSES = '/v1/responses';
const model = (value: string) => ({ __rl: true, mode: 'id', value });
const WEATHER_TOOL = {
	type: 'function',
	function: {
		name: 'get_weather',
		description: 'Current weather of a city',
		parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
	},
};
const WEATHER_FLAT = { type: 'function', ...WEATHER_TOOL.function };
/** The MCP token of these tests: it must reach the wire and nothing else. */
const MCP_TOKEN = 'mcp-secret-token-7f3a9c';
const MCP_SERVER = {
	serverLabel: 'docs',
	serverUrl: 'https://mcp.example.com/mcp',
	// The deprecated way (a token typed into the node); the credential way is in mcpCredential.test.ts.
	authorizationSource: 'parameter',
	authorization: `Bearer ${MCP_TOKEN}`,
	allowedTools: 'search_docs',
};

const emulator = useEmulator();

type Extra = Partial<Parameters<typeof fakeExecuteContext>[0]>;

async function run(params: Params, extra: Extra = {}): Promise<INodeExecutionData[]> {
	const ctx = fakeExecuteContext({
		params: { model: model('llama3.3-70b-instruct'), ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
		node: new DigitalOceanResponses(),
	});
	const [output] = await new DigitalOceanResponses().execute.call(ctx);
	return output;
}

const responsesRequests = () => emulator.control.requests().filter((request) => request.path === RESPONSES);
const lastBody = () => responsesRequests().at(-1)!.body as Record<string, unknown>;

/** The simplified output without what differs per request (ids). */
const comparable = (json: Record<string, unknown>) => ({
	...json,
	responseId: undefined,
	requestId: undefined,
	functionCalls: (json.functionCalls as Array<Record<string, unknown>>).map((call) => ({ ...call, callId: typeof call.callId })),
});

/** Ids and timestamps differ per request; everything else of a raw response must match. */
function withoutIds(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutIds);
	if (value && typeof value === 'object') {
		const copy: Record<string, unknown> = {};
		for (const [key, entry] of Object.entries(value)) {
			if (!['id', 'call_id', 'created', 'created_at'].includes(key)) copy[key] = withoutIds(entry);
		}
		return copy;
	}
	return value;
}

describe('DigitalOcean Responses node', () => {
	it('answers a simple prompt with the simplified output', async () => {
		const [item] = await run({ prompt: 'What is the capital of France?' });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.json)).toEqual([
			'text',
			'reasoning',
			'functionCalls',
			'builtInToolCalls',
			'responseId',
			'status',
			'model',
			'usage',
			'requestId',
			'output',
		]);
		expect(item.json).toMatchObject({
			text: 'Echo: What is the capital of France?',
			output: 'Echo: What is the capital of France?',
			reasoning: null,
			functionCalls: [],
			builtInToolCalls: [],
			status: 'completed',
			model: 'llama3.3-70b-instruct',
		});
		expect(item.json.responseId).toEqual(expect.stringMatching(/^resp_/));
		expect(item.json.requestId).toMatch(/[0-9a-f-]{36}/);
		expect(item.json.usage).toEqual({
			input_tokens: expect.any(Number),
			input_tokens_details: { cached_tokens: 0 },
			output_tokens: expect.any(Number),
			output_tokens_details: { reasoning_tokens: 0, tool_output_tokens: 0 },
			total_tokens: expect.any(Number),
		});
	});

	it('sends only model and input when nothing else is set', async () => {
		await run({ prompt: 'Hi', options: { stream: false } });
		expect(lastBody()).toEqual({ model: 'llama3.3-70b-instruct', input: 'Hi' });
	});

	it('sends metadata keys such as constructor and __proto__ as plain keys, and the raw output keeps them', async () => {
		const keys = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'ticket'];
		const entry = keys.map((key, k) => ({ key, value: `v${k}` }));
		for (const stream of [false, true]) {
			emulator.control.reset();
			const [item] = await run({ prompt: 'Hi', output: 'raw', options: { stream, metadata: { entry } } });
			const sent = lastBody().metadata as Record<string, unknown>;
			expect(responsesRequests().map((request) => request.status)).toEqual([200]);
			expect(Object.keys(sent)).toEqual(keys);
			expect(JSON.stringify(sent)).toBe('{"constructor":"v0","__proto__":"v1","toString":"v2","hasOwnProperty":"v3","ticket":"v4"}');
			// The emulator echoes metadata; the node's output (redacted copy) must not turn __proto__ into a prototype.
			const echoed = item.json.metadata as Record<string, unknown>;
			expect(Object.keys(echoed)).toEqual(keys);
			expect(Object.getOwnPropertyDescriptor(echoed, '__proto__')?.value).toBe('v1');
			expect(JSON.stringify(echoed)).toBe(JSON.stringify(sent));
		}
	});

	it('streams internally by default and asks for usage in the stream', async () => {
		await run({ prompt: 'Hi' });
		expect(lastBody()).toEqual({
			model: 'llama3.3-70b-instruct',
			input: 'Hi',
			stream: true,
			stream_options: { include_usage: true },
		});
	});

	it.each<[string, Params, Record<string, unknown>]>([
		['instructions', { instructions: 'Be brief.' }, { instructions: 'Be brief.' }],
		['max_output_tokens', { options: { maxOutputTokens: 300 } }, { max_output_tokens: 300 }],
		['temperature', { options: { temperature: 0.2 } }, { temperature: 0.2 }],
		['temperature 0', { options: { temperature: 0 } }, { temperature: 0 }],
		['top_p', { options: { topP: 0.9 } }, { top_p: 0.9 }],
		['stop', { options: { stop: 'END\nSTOP' } }, { stop: ['END', 'STOP'] }],
		[
			'metadata',
			{ options: { metadata: { entry: [{ key: 'ticket', value: 'T-1' }, { key: 'source', value: 'n8n' }] } } },
			{ metadata: { ticket: 'T-1', source: 'n8n' } },
		],
		['user', { options: { user: 'user-1' } }, { user: 'user-1' }],
		['store on', { options: { store: true } }, { store: true }],
		['store off', { options: { store: false } }, { store: false }],
		['reasoning', { options: { reasoningEffort: 'high' } }, { reasoning: { effort: 'high' } }],
		['function tools (chat format in, flat out)', { options: { functionTools: JSON.stringify([WEATHER_TOOL]) } }, { tools: [WEATHER_FLAT] }],
		[
			'built-in web search',
			{ builtInTools: { webSearch: [{ maxUses: 2, maxResults: 3 }] } },
			{ tools: [{ type: 'web_search', max_uses: 2, max_results: 3 }] },
		],
		[
			'built-in knowledge base',
			{ builtInTools: { knowledgeBase: [{ knowledgeBaseId: 'kb-123' }] } },
			{ tools: [{ type: 'knowledge_base_retrieval', knowledge_base_id: 'kb-123' }] },
		],
		['tool_choice none', { options: { toolChoice: 'none' } }, { tool_choice: 'none' }],
		[
			'tool_choice required',
			{ options: { functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: 'required' } },
			{ tools: [WEATHER_FLAT], tool_choice: 'required' },
		],
		[
			'tool_choice of a named function',
			{ options: { functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: 'function', toolChoiceFunction: 'get_weather' } },
			{ tools: [WEATHER_FLAT], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
		],
	])('sends %s exactly as set, and nothing else', async (_label, params, expected) => {
		const options = { ...((params.options as object) ?? {}), stream: false };
		await run({ prompt: 'Hi', ...params, options });
		expect(lastBody()).toEqual({ model: 'llama3.3-70b-instruct', input: 'Hi', ...expected });
		expect(responsesRequests().at(-1)!.status).toBe(200);
	});

	it('sends a message list with every role as input items', async () => {
		const [item] = await run({
			inputType: 'messages',
			messages: {
				message: [
					{ role: 'system', content: 'You are terse.' },
					{ role: 'developer', content: 'Answer in English.' },
					{ role: 'user', content: 'Name a colour' },
					{ role: 'assistant', content: 'Red' },
					{ role: 'user', content: 'Another one' },
				],
			},
			options: { stream: false },
		});
		expect(lastBody()).toEqual({
			model: 'llama3.3-70b-instruct',
			input: [
				{ role: 'system', content: 'You are terse.' },
				{ role: 'developer', content: 'Answer in English.' },
				{ role: 'user', content: 'Name a colour' },
				{ role: 'assistant', content: 'Red' },
				{ role: 'user', content: 'Another one' },
			],
		});
		expect(item.json.text).toBe('Echo: Another one');
	});

	it('chains two turns: store on the first, previous_response_id on the second', async () => {
		const [first] = await run({ prompt: 'My name is Ada.', options: { store: true } });
		const firstId = first.json.responseId as string;
		const [second] = await run({ prompt: 'What is my name?', options: { store: true, previousResponseId: firstId } });

		const [, secondRequest] = responsesRequests();
		expect(secondRequest.body).toMatchObject({ input: 'What is my name?', store: true, previous_response_id: firstId });
		// The emulator quotes the stored turn it continued from: proof the chain reached the model.
		expect(second.json.text).toBe('Echo: What is my name? (previous turn: "Echo: My name is Ada.")');
		expect(second.json.responseId).not.toBe(firstId);
	});

	it('cannot continue a response that was not stored', async () => {
		const [first] = await run({ prompt: 'My name is Ada.' });
		const error = await run({ prompt: 'What is my name?', options: { previousResponseId: first.json.responseId } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
	});

	describe('streaming gives the same output as a JSON reply', () => {
		const scenarios: Array<[string, Params]> = [
			['a plain prompt', { prompt: 'Tell me about streams' }],
			['a reasoning model', { prompt: 'Think about it', model: model('openai-gpt-oss-120b') }],
			['a function call', { prompt: 'Please call get_weather for Paris', options: { functionTools: JSON.stringify([WEATHER_TOOL]) } }],
			[
				'a message list with instructions',
				{
					inputType: 'messages',
					instructions: 'Answer briefly.',
					messages: { message: [{ role: 'developer', content: 'Be kind.' }, { role: 'user', content: 'List three colours' }] },
				},
			],
			['an answer cut by Max Output Tokens', { prompt: 'A long question that needs a long answer', options: { maxOutputTokens: 3 } }],
			['an answer cut by a stop sequence', { prompt: 'one two three four', options: { stop: 'three' } }],
		];

		async function outputs(params: Params) {
			const options = (params.options as object) ?? {};
			const plain = await run({ ...params, options: { ...options, stream: false } });
			emulator.control.configure({ responsesStreamFormat: 'events', responsesStreamDone: false });
			const events = await run({ ...params, options });
			emulator.control.configure({ responsesStreamDone: true });
			const eventsWithDone = await run({ ...params, options });
			emulator.control.configure({ responsesStreamFormat: 'chunks' });
			const chunks = await run({ ...params, options });
			return { plain, events, eventsWithDone, chunks };
		}

		it.each(scenarios)('%s', async (_label, params) => {
			const { plain, events, eventsWithDone, chunks } = await outputs(params);
			const expected = comparable(plain[0].json);
			expect(comparable(events[0].json)).toEqual(expected);
			expect(comparable(eventsWithDone[0].json)).toEqual(expected);
			expect(comparable(chunks[0].json)).toEqual(expected);
			expect(responsesRequests().map((request) => (request.body as { stream?: boolean }).stream)).toEqual([
				undefined,
				true,
				true,
				true,
			]);
		});

		it('keeps the cut-off status and the function call in the comparison', async () => {
			// Guards the scenarios above against comparing empty outputs.
			const cut = await outputs(scenarios[4][1]);
			expect(cut.chunks[0].json.status).toBe('incomplete');
			const call = await outputs(scenarios[2][1]);
			expect((call.events[0].json.functionCalls as unknown[]).length).toBe(1);
		});

		it('gives the raw response object unchanged with typed events', async () => {
			const params = { prompt: 'Hi there', model: model('openai-gpt-oss-20b'), output: 'raw', builtInTools: { webSearch: [{}] } };
			const [plain] = await run({ ...params, options: { stream: false } });
			const [streamed] = await run(params);
			expect(plain.json.object).toBe('response');
			expect(withoutIds(streamed.json)).toEqual(withoutIds(plain.json));
		});

		it('shows built-in tool calls with typed events as without streaming', async () => {
			const params = { prompt: 'Search the docs', builtInTools: { webSearch: [{ maxResults: 2 }], knowledgeBase: [{ knowledgeBaseId: 'kb-1' }] } };
			const [plain] = await run({ ...params, options: { stream: false } });
			const [streamed] = await run(params);
			expect(withoutIds(streamed.json.builtInToolCalls)).toEqual(withoutIds(plain.json.builtInToolCalls));
			expect((plain.json.builtInToolCalls as Array<{ type: string }>).map((call) => call.type)).toEqual([
				'knowledge_base_retrieval_call',
				'web_search_call',
			]);
		});
	});

	it('parses function call arguments', async () => {
		const [item] = await run({
			prompt: 'Please call get_weather for Paris',
			options: { functionTools: JSON.stringify([WEATHER_TOOL]) },
		});
		expect(item.json.text).toBe('');
		expect(item.json.functionCalls).toEqual([
			{ callId: expect.stringMatching(/^call_/), name: 'get_weather', arguments: { city: expect.any(String) }, input: { city: expect.any(String) } },
		]);
	});

	it('forces the named function with Tool Choice', async () => {
		const [item] = await run({
			prompt: 'Just say hello',
			options: { functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: 'function', toolChoiceFunction: 'get_weather' },
		});
		expect((item.json.functionCalls as Array<{ name: string }>).map((call) => call.name)).toEqual(['get_weather']);
	});

	describe('MCP authorization', () => {
		const params = {
			// The model echoes the prompt, so the token comes back in the reply: it must be scrubbed there.
			prompt: `Look up ${MCP_TOKEN} in the docs`,
			builtInTools: { mcp: [MCP_SERVER], webSearch: [{ maxUses: 1 }] },
		};

		it.each([
			['simplified, streamed', {}],
			['simplified, not streamed', { options: { stream: false } }],
			['raw, streamed', { output: 'raw' }],
			['raw, not streamed', { output: 'raw', options: { stream: false } }],
		])('reaches the wire but never the output (%s)', async (_label, extra) => {
			const output = await run({ ...params, ...extra });
			const tools = lastBody().tools as Array<Record<string, unknown>>;
			expect(tools[0]).toEqual({
				type: 'mcp',
				server_label: 'docs',
				server_url: 'https://mcp.example.com/mcp',
				authorization: `Bearer ${MCP_TOKEN}`,
				allowed_tools: ['search_docs'],
			});
			const text = JSON.stringify(output);
			expect(text).not.toContain(MCP_TOKEN);
			expect(text).toContain('[redacted]');
			expect(text).toContain('mcp_call');
		});

		it('shows the MCP and web search calls under builtInToolCalls', async () => {
			const [item] = await run({ ...params, prompt: 'Find the install guide' });
			const calls = item.json.builtInToolCalls as Array<Record<string, unknown>>;
			expect(calls.map((call) => call.type)).toEqual(['mcp_call', 'web_search_call']);
			expect(calls[0]).toMatchObject({ server_label: 'docs', name: 'search_docs', status: 'completed' });
		});

		it.each([
			['an error reply', { kind: 'status', status: 400, path: RESPONSES, body: { id: 'bad_request', message: `MCP server refused Bearer ${MCP_TOKEN}` } }],
			['an error event in the stream', { kind: 'stream-error', path: RESPONSES, error: { type: 'invalid_request_error', message: `MCP server refused Bearer ${MCP_TOKEN}` } }],
		] as const)('never appears in errors from %s', async (_label, fault) => {
			emulator.control.enqueueFaults([fault]);
			const error = await run(params).catch((e) => e);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.httpCode).toBe('400');
			expect(`${error.message} ${error.description}`).toMatch(/MCP server refused/);
			expect(JSON.stringify(error)).not.toContain(MCP_TOKEN);
			expect(`${error.message} ${error.description} ${error.stack}`).not.toContain(MCP_TOKEN);
		});

		it('never appears in a continueOnFail error item', async () => {
			emulator.control.enqueueFaults([
				{ kind: 'status', status: 400, path: RESPONSES, body: { id: 'bad_request', message: `rejected ${MCP_TOKEN}` } },
			]);
			const [item] = await run(params, { continueOnFail: true });
			expect(Object.keys(item.json)).toEqual(['error']);
			expect(JSON.stringify(item)).not.toContain(MCP_TOKEN);
		});
	});

	describe('reasoning', () => {
		it('shows the trace of a reasoning model and its reasoning tokens', async () => {
			const [item] = await run({ prompt: 'Think about it', model: model('openai-gpt-oss-120b') });
			expect(item.json.reasoning).toEqual(expect.stringContaining('Think about it'));
			expect((item.json.usage as { output_tokens_details: { reasoning_tokens: number } }).output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
		});

		it('asks for reasoning with Reasoning Effort, and "None" turns it off', async () => {
			const [high] = await run({ prompt: 'Think hard', options: { reasoningEffort: 'high' } });
			expect(lastBody().reasoning).toEqual({ effort: 'high' });
			expect(high.json.reasoning).toEqual(expect.stringContaining('effort high'));
			const [none] = await run({ prompt: 'Just answer', model: model('openai-gpt-oss-120b'), options: { reasoningEffort: 'none' } });
			expect(lastBody().reasoning).toEqual({ effort: 'none' });
			expect(none.json.reasoning).toBeNull();
		});
	});

	it('sends input images as input_image parts of the last user message', async () => {
		const [item] = await run(
			{
				inputType: 'messages',
				messages: { message: [{ role: 'user', content: 'Earlier question' }, { role: 'assistant', content: 'Earlier answer' }, { role: 'user', content: 'What is in this picture?' }] },
				model: model('nemotron-nano-12b-v2-vl'),
				options: { imageBinaryFields: 'data', imageDetail: 'low', stream: false },
			},
			{ items: [binaryItem('data', PNG_1X1, 'image/png', 'dot.png')] },
		);
		expect((lastBody().input as unknown[]).slice(1)).toEqual([
			{ role: 'assistant', content: 'Earlier answer' },
			{
				role: 'user',
				content: [
					{ type: 'input_text', text: 'What is in this picture?' },
					{ type: 'input_image', image_url: `data:image/png;base64,${PNG_1X1.toString('base64')}`, detail: 'low' },
				],
			},
		]);
		expect(item.json.text).toMatch(/I see 1 image\(s\) \(png 1x1\)/);
	});

	it('turns a simple prompt with an image into one user message', async () => {
		await run(
			{ prompt: 'Describe it', model: model('nemotron-nano-12b-v2-vl'), options: { imageBinaryFields: 'data' } },
			{ items: [binaryItem('data', PNG_1X1, 'image/png', 'dot.png')] },
		);
		expect(lastBody().input).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'input_text', text: 'Describe it' },
					{ type: 'input_image', image_url: `data:image/png;base64,${PNG_1X1.toString('base64')}` },
				],
			},
		]);
	});

	it.each(['events', 'chunks'] as const)('a %s stream that broke, ended early or reported an error after text arrived is an error, sent once', async (format) => {
		emulator.control.configure({ responsesStreamFormat: format });
		emulator.control.enqueueFaults([
			{ kind: 'reset-mid-body', path: RESPONSES, bodyIncludes: '[reset]' },
			{ kind: 'truncate-stream', path: RESPONSES, bodyIncludes: '[truncated]' },
			{ kind: 'stream-error', path: RESPONSES, bodyIncludes: '[error event]', error: { type: 'server_error', message: 'backend failed' } },
		]);
		const prompts = ['[reset] Tell me about the sea', '[truncated] Tell me about the sea', '[error event] Tell me about the sea'];
		const output = await run({ prompt: 'x' }, { perItem: prompts.map((prompt) => ({ prompt })), continueOnFail: true });
		expect(responsesRequests()).toHaveLength(3);
		const errors = output.map((item) => String(item.json.error));
		expect(errors[0]).toMatch(/^The connection was reset while the answer was arriving\. \d+ characters of text had arrived/);
		expect(errors[1]).toMatch(/^The answer stream ended before the answer was complete\. \d+ characters of text had arrived/);
		expect(errors[2]).toMatch(/^DigitalOcean Serverless Inference had a temporary problem \(HTTP 500\)\. \d+ characters of text had arrived/);
		for (const error of errors) expect(error).toContain('The request was not repeated, so as not to be billed twice');
	});

	it.each([
		['events', 2],
		['chunks', 1],
	] as const)('sends a %s stream again when it broke before any text arrived (after %d frames)', async (format, frames) => {
		emulator.control.configure({ responsesStreamFormat: format });
		emulator.control.enqueueFaults([
			{ kind: 'reset-after-headers', path: RESPONSES },
			{ kind: 'reset-mid-body', frames, path: RESPONSES },
			{ kind: 'stream-error', frames, path: RESPONSES, error: { type: 'server_error', message: 'backend failed' } },
		]);
		const [item] = await run({ prompt: 'Hi', requestOptions: { maxRetries: 3 } });
		expect(responsesRequests()).toHaveLength(4);
		expect(item.json.text).toBe('Echo: Hi');
	});

	it('accepts a chunks stream cut after its finish reason (before usage and [DONE]), sent once', async () => {
		emulator.control.configure({ responsesStreamFormat: 'chunks' });
		emulator.control.enqueueFaults([{ kind: 'truncate-stream', afterFinish: true, path: RESPONSES }]);
		const [item] = await run({ prompt: 'Hi' });
		expect(responsesRequests()).toHaveLength(1);
		expect(item.json).toMatchObject({ text: 'Echo: Hi', status: 'completed' });
	});

	it('accepts an events stream that broke right after response.completed, but not one cut just before it', async () => {
		emulator.control.configure({ responsesStreamDone: true });
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: -1, path: RESPONSES }]);
		const [item] = await run({ prompt: 'Hi' });
		expect(item.json).toMatchObject({ text: 'Echo: Hi', status: 'completed', usage: { total_tokens: expect.any(Number) } });
		expect(responsesRequests()).toHaveLength(1);

		emulator.control.enqueueFaults([{ kind: 'truncate-stream', afterFinish: true, path: RESPONSES }]);
		const error = await run({ prompt: 'Hi' }).catch((e) => e);
		expect(error.message).toBe('The answer stream ended before the answer was complete');
		expect(error.description).toMatch(/^8 characters of text had arrived/);
		expect(responsesRequests()).toHaveLength(2);
	});

	it.each(['events', 'chunks'] as const)('reports a non-transient error event in a %s stream without retrying', async (format) => {
		emulator.control.configure({ responsesStreamFormat: format });
		emulator.control.enqueueFaults([{ kind: 'stream-error', path: RESPONSES, error: { type: 'invalid_request_error', message: 'context too long' } }]);
		const error = await run({ prompt: 'Hi' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.message).toMatch(/context too long/);
		expect(responsesRequests()).toHaveLength(1);
	});

	it('returns the full API response with Output = Raw', async () => {
		const [item] = await run({ prompt: 'Hi', output: 'raw', options: { stream: false, temperature: 0.5 } });
		expect(item.json).toMatchObject({ object: 'response', status: 'completed', model: 'llama3.3-70b-instruct', temperature: 0.5 });
		expect(item.json.output).toEqual([
			expect.objectContaining({ type: 'message', content: [expect.objectContaining({ type: 'output_text', text: 'Echo: Hi' })] }),
		]);
	});

	it.each<[string, Params, Extra, RegExp]>([
		['an empty prompt', { prompt: '   ' }, {}, /prompt is empty/],
		['no model', { prompt: 'Hi', model: model('') }, {}, /No model selected/],
		['an empty message list', { inputType: 'messages', messages: { message: [] } }, {}, /message list is empty/],
		['a message without content', { inputType: 'messages', messages: { message: [{ role: 'user', content: '' }] } }, {}, /Message 1 has no content/],
		['temperature out of range', { prompt: 'Hi', options: { temperature: 3 } }, {}, /Temperature must be between 0 and 2/],
		['top_p out of range', { prompt: 'Hi', options: { topP: 1.5 } }, {}, /Top P must be between 0 and 1/],
		['max output tokens 0', { prompt: 'Hi', options: { maxOutputTokens: 0 } }, {}, /Max Output Tokens must be at least 1/],
		['5 stop sequences', { prompt: 'Hi', options: { stop: 'a\nb\nc\nd\ne' } }, {}, /At most 4 stop sequences/],
		['function tools that are not JSON', { prompt: 'Hi', options: { functionTools: '[{"name": ' } }, {}, /Function Tools is not valid JSON/],
		['a function without a valid name', { prompt: 'Hi', options: { functionTools: '[{"name": "get weather"}]' } }, {}, /needs a name/],
		['a function defined twice', { prompt: 'Hi', options: { functionTools: JSON.stringify([WEATHER_TOOL, WEATHER_FLAT]) } }, {}, /defined twice/],
		[
			'17 metadata pairs',
			{ prompt: 'Hi', options: { metadata: { entry: Array.from({ length: 17 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } } },
			{},
			/at most 16/,
		],
		['a metadata key used twice', { prompt: 'Hi', options: { metadata: { entry: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] } } }, {}, /used twice/],
		['a metadata value over 512 characters', { prompt: 'Hi', options: { metadata: { entry: [{ key: 'a', value: 'x'.repeat(513) }] } } }, {}, /longer than 512/],
		['tool choice of an undefined function', { prompt: 'Hi', options: { functionTools: JSON.stringify([WEATHER_TOOL]), toolChoice: 'function', toolChoiceFunction: 'get_time' } }, {}, /not among the Function Tools/],
		['tool choice "required" without tools', { prompt: 'Hi', options: { toolChoice: 'required' } }, {}, /needs at least one tool/],
		['an empty previous response id', { prompt: 'Hi', options: { previousResponseId: ' ' } }, {}, /Previous Response ID is empty/],
		['an MCP server without URL', { prompt: 'Hi', builtInTools: { mcp: [{ serverLabel: 'docs', serverUrl: '' }] } }, {}, /needs an http\(s\) Server URL/],
		[
			'a binary that is not an image',
			{ prompt: 'Look', model: model('nemotron-nano-12b-v2-vl'), options: { imageBinaryFields: 'data' } },
			{ items: [binaryItem('data', Buffer.from('%PDF-1.7 not an image'), 'image/png', 'fake.png')] },
			/not a PNG, JPEG or WebP/,
		],
	])('rejects %s before any request', async (_label, params, extra, message) => {
		const error = await run(params, extra).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(error.context.itemIndex).toBe(0);
		expect(error.description).toEqual(expect.any(String));
		expect(responsesRequests()).toHaveLength(0);
	});

	it('validates every item before sending any, so bad input in item 3 bills nothing', async () => {
		const error = await run({ prompt: 'Hi' }, { perItem: [{}, {}, { options: { temperature: 9 } }] }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBe(2);
		expect(responsesRequests()).toHaveLength(0);
	});

	it('with continueOnFail, a failing item 2 of 3 becomes an error item in place', async () => {
		const output = await run(
			{ prompt: 'Hi', requestOptions: { concurrency: 3 } },
			{
				perItem: [{ prompt: 'first' }, { prompt: 'second', options: { previousResponseId: 'resp_never_stored' } }, { prompt: 'third' }],
				continueOnFail: true,
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.text).toBe('Echo: first');
		expect(Object.keys(output[1].json)).toEqual(['error']);
		expect(String(output[1].json.error)).toMatch(/not found/i);
		expect(output[2].json.text).toBe('Echo: third');
	});

	it('with continueOnFail, an invalid item becomes an error item and the others are sent', async () => {
		const output = await run(
			{ prompt: 'Hi' },
			{ perItem: [{ prompt: 'first' }, { options: { temperature: 5 } }], continueOnFail: true },
		);
		expect(output[0].json.text).toBe('Echo: first');
		expect(output[1].json.error).toMatch(/Temperature/);
		expect(responsesRequests()).toHaveLength(1);
	});

	it('keeps the model key out of output and the debug log', async () => {
		const ctx = fakeExecuteContext({
			node: new DigitalOceanResponses(),
			params: { model: model('llama3.3-70b-instruct'), prompt: 'Hi', output: 'raw' },
			credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		});
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, path: RESPONSES }]);
		const output = await new DigitalOceanResponses().execute.call(ctx);
		expect(output[0][0].json.object).toBe('response');
		expect(JSON.stringify(output)).not.toContain(DEFAULT_KEY);
		expect(ctx.debugLog.length).toBeGreaterThan(0);
		expect(ctx.debugLog.join('\n')).not.toContain(DEFAULT_KEY);
	});
});

/** Stream variants the emulator does not produce (still documented or seen elsewhere). */
describe('ResponsesStreamReader', () => {
	async function* events(...payloads: unknown[]): AsyncGenerator<SseEvent> {
		for (const payload of payloads) yield { event: 'message', data: JSON.stringify(payload) };
	}
	const collectResponsesStream = async (source: AsyncIterable<SseEvent>, sse = { sawDone: false }) =>
		await readAnswer(source, new ResponsesStreamReader(), sse);

	it('reports response.failed as an error event', async () => {
		const failed = { type: 'response.failed', response: { id: 'resp_1', status: 'failed', error: { code: 'server_error', message: 'boom' } } };
		await expect(collectResponsesStream(events({ type: 'response.created', response: { id: 'resp_1' } }, failed))).rejects.toMatchObject({
			name: 'StreamErrorEvent',
			payload: { code: 'server_error', message: 'boom' },
		});
	});

	it('builds the output from the deltas when response.completed carries no output', async () => {
		const response = await collectResponsesStream(
			events(
				{ type: 'response.created', response: { id: 'resp_2', object: 'response', model: 'm', status: 'in_progress', output: [] } },
				{ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hel' },
				{ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'lo' },
				{ type: 'response.function_call_arguments.delta', output_index: 1, delta: '{"a":' },
				{ type: 'response.function_call_arguments.delta', output_index: 1, delta: '1}' },
				{ type: 'response.completed', response: { status: 'completed', usage: { input_tokens: 1 } } },
			),
		);
		expect(response).toMatchObject({
			id: 'resp_2',
			status: 'completed',
			usage: { input_tokens: 1 },
			output: [
				{ type: 'message', content: [{ type: 'output_text', text: 'Hello' }] },
				{ type: 'function_call', arguments: '{"a":1}' },
			],
		});
	});

	it('keeps the streamed output when response.completed carries an empty output list', async () => {
		const response = await collectResponsesStream(
			events(
				{ type: 'response.created', response: { id: 'resp_4', object: 'response', model: 'm', status: 'in_progress', output: [] } },
				{ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Kept' },
				{ type: 'response.completed', response: { status: 'completed', output: [] } },
			),
		);
		expect(response.output).toMatchObject([{ type: 'message', content: [{ type: 'output_text', text: 'Kept' }] }]);
	});

	it('needs response.completed in the typed format, even after [DONE]', async () => {
		const partial = events({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hel' });
		await expect(collectResponsesStream(partial, { sawDone: true })).rejects.toMatchObject({ name: 'IncompleteStreamError' });
	});

	it('reads chat-style usage in the chunk format under the Responses names', async () => {
		const response = await collectResponsesStream(
			events(
				{ id: 'resp_3', object: 'response.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] },
				{
					id: 'resp_3',
					object: 'response.chunk',
					choices: [],
					usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } },
				},
			),
			{ sawDone: true },
		);
		expect(response.usage).toEqual({
			input_tokens: 5,
			input_tokens_details: { cached_tokens: 3 },
			output_tokens: 2,
			output_tokens_details: { reasoning_tokens: 0 },
			total_tokens: 7,
		});
	});
});
