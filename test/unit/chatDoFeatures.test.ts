import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DEFAULT_AGENT_KEY, DEFAULT_KEY } from '../emulator';
import { fakeExecuteContext, type CredentialsByType, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const CHAT = '/v1/chat/completions';
const model = (value: string, mode = 'id') => ({ __rl: true, mode, value });
const WEATHER_TOOL = [
	{
		name: 'get_weather',
		description: 'Current weather',
		parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
	},
];
const MCP_SECRET = 'mcp-secret-token-7f3a9c';

const emulator = useEmulator();

/** Runs Chat with the Model Access Key, or with exactly the credentials given (by type). */
async function run(params: Params, credentialsByType?: CredentialsByType) {
	const ctx = fakeExecuteContext({
		node: new DigitalOceanChat(),
		params: { model: model('llama3.3-70b-instruct'), prompt: 'Hi', ...params },
		...(credentialsByType ? { credentialsByType } : { credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url } }),
	});
	const [output] = await new DigitalOceanChat().execute.call(ctx);
	return output;
}

const chatBodies = () =>
	emulator.control
		.requests()
		.filter((request) => request.path === CHAT)
		.map((request) => request.body as Record<string, unknown>);

describe('Chat: options reach the wire exactly when set', () => {
	const cases: Array<[string, Params, Record<string, unknown>]> = [
		['reasoning_effort', { options: { reasoningEffort: 'xhigh' } }, { reasoning_effort: 'xhigh' }],
		[
			'reasoning object with budget',
			{ options: { reasoning: { settings: { effort: 'high', maxTokens: 1024 } } } },
			{ reasoning: { effort: 'high', max_tokens: 1024 } },
		],
		[
			'reasoning object without budget',
			{ options: { reasoning: { settings: { effort: 'max', maxTokens: 0 } } } },
			{ reasoning: { effort: 'max' } },
		],
		['prompt_cache_retention', { options: { promptCacheRetention: '24h' } }, { prompt_cache_retention: '24h' }],
		[
			'function tools (any format in, chat format out) and tool_choice',
			{ options: { functionTools: JSON.stringify(WEATHER_TOOL), toolChoice: 'function', toolChoiceFunction: 'get_weather' } },
			{
				tools: [{ type: 'function', function: WEATHER_TOOL[0] }],
				tool_choice: { type: 'function', function: { name: 'get_weather' } },
			},
		],
		[
			'built-in tools',
			{
				builtInTools: {
					knowledgeBase: [{ knowledgeBaseId: 'kb-123' }],
					webSearch: [{ maxUses: 2, maxResults: 5 }],
				},
				options: { toolChoice: 'required' },
			},
			{
				tools: [
					{ type: 'knowledge_base_retrieval', knowledge_base_id: 'kb-123' },
					{ type: 'web_search', max_uses: 2, max_results: 5 },
				],
				tool_choice: 'required',
			},
		],
	];

	it.each(cases)('%s', async (_name, params, expected) => {
		await run({ ...params, options: { stream: false, ...(params.options as object) } });
		const [body] = chatBodies();
		expect(body).toEqual({
			model: 'llama3.3-70b-instruct',
			messages: [{ role: 'user', content: 'Hi' }],
			...expected,
		});
	});

	it('sends none of them when unset', async () => {
		await run({ options: { stream: false } });
		expect(Object.keys(chatBodies()[0]).sort()).toEqual(['messages', 'model']);
	});

	it('marks the system message and chosen messages for prompt caching', async () => {
		await run({
			inputType: 'messages',
			messages: {
				message: [
					{ role: 'user', content: 'A long document …', cache: '1h' },
					{ role: 'assistant', content: 'Noted.', cache: 'none' },
					{ role: 'user', content: 'Summarize it.' },
				],
			},
			options: { stream: false, systemMessage: 'You are terse.', systemMessageCache: '5m' },
		});
		expect(chatBodies()[0].messages).toEqual([
			{ role: 'system', content: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '5m' } }] },
			{ role: 'user', content: [{ type: 'text', text: 'A long document …', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
			{ role: 'assistant', content: 'Noted.' },
			{ role: 'user', content: 'Summarize it.' },
		]);
	});
});

describe('Chat: DigitalOcean features in the output', () => {
	it('shows reasoning when reasoning_effort is set', async () => {
		const [item] = await run({ options: { reasoningEffort: 'high' } });
		expect(typeof item.json.reasoning).toBe('string');
	});

	it('reports cache creation on the first call and cache reads on a repeat', async () => {
		const params = {
			model: model('anthropic-claude-4.6-sonnet'),
			options: { systemMessage: 'Policy document. '.repeat(200), systemMessageCache: '5m' },
		};
		const [first] = await run(params);
		const [second] = await run(params);
		expect((first.json.usage as Record<string, number>).cache_created_input_tokens).toBeGreaterThan(0);
		expect((second.json.usage as Record<string, number>).cache_read_input_tokens).toBeGreaterThan(0);
	});

	it('sends router:NAME from the Router mode and reports the route and chosen model', async () => {
		const [item] = await run({ model: model('software-engineering', 'router'), prompt: 'Write code for a parser' });
		expect(chatBodies()[0].model).toBe('router:software-engineering');
		expect(item.json.route).toEqual(expect.any(String));
		expect(String(item.json.model)).not.toMatch(/^router:/);
	});

	it('returns tool calls with parsed arguments', async () => {
		const [item] = await run({
			prompt: 'Please call get_weather for Paris',
			options: { functionTools: WEATHER_TOOL },
		});
		expect(item.json.finishReason).toBe('tool_calls');
		expect(item.json.toolCalls).toEqual([
			{
				id: expect.any(String),
				name: 'get_weather',
				arguments: expect.objectContaining({ city: expect.any(String) }),
				input: expect.objectContaining({ city: expect.any(String) }),
			},
		]);
	});

	it('uses an MCP server without its authorization appearing in any output', async () => {
		const builtInTools = {
			mcp: [{ serverLabel: 'docs', serverUrl: 'https://mcp.example.com/mcp', authorizationSource: 'parameter', authorization: `Bearer ${MCP_SECRET}`, allowedTools: 'search_docs, get_page' }],
		};
		for (const output of ['simplified', 'raw']) {
			const items = await run({ builtInTools, output, options: { toolChoice: 'required' } });
			expect(JSON.stringify(items)).not.toContain(MCP_SECRET);
		}
		const body = chatBodies()[0];
		expect(body.tools).toEqual([
			{
				type: 'mcp',
				server_label: 'docs',
				server_url: 'https://mcp.example.com/mcp',
				authorization: `Bearer ${MCP_SECRET}`,
				allowed_tools: ['search_docs', 'get_page'],
			},
		]);
		const [item] = await run({ builtInTools });
		expect(String(item.json.content)).toMatch(/docs/);
	});

	it('keeps the MCP authorization out of errors, even when the server repeats it', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 400, path: CHAT, body: { id: 'bad_request', message: `MCP auth Bearer ${MCP_SECRET} was rejected` } },
		]);
		const error = await run({
			builtInTools: { mcp: [{ serverLabel: 'docs', serverUrl: 'https://mcp.example.com', authorizationSource: 'parameter', authorization: `Bearer ${MCP_SECRET}` }] },
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(`${error.message} ${error.description} ${JSON.stringify(error)} ${error.stack}`).not.toContain(MCP_SECRET);
	});
});

describe('Chat: bad tool input fails before any request', () => {
	it.each([
		[{ options: { functionTools: '[{"name": "bad name!"}]' } }, /needs a name/],
		[{ options: { functionTools: '{not json' } }, /Function Tools is not valid JSON/],
		[{ options: { functionTools: JSON.stringify(WEATHER_TOOL), toolChoice: 'function', toolChoiceFunction: 'other' } }, /not among the Function Tools/],
		[{ options: { toolChoice: 'required' } }, /needs at least one tool/],
		[{ options: { toolChoice: 'auto' } }, /needs at least one tool/],
		[{ builtInTools: { mcp: [{ serverLabel: 'docs', serverUrl: 'not a url' }] } }, /http\(s\) Server URL/],
		[{ builtInTools: { knowledgeBase: [{ knowledgeBaseId: ' ' }] } }, /Knowledge Base ID/],
		[{ model: model('', 'router') }, /No model selected/],
	])('%j', async (params, message) => {
		const error = await run(params as Params).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(chatBodies()).toHaveLength(0);
	});
});

describe('Chat: Agent target', () => {
	const agentCredentials = (agentAccessKey = DEFAULT_AGENT_KEY) => ({ digitalOceanAgentApi: { endpointUrl: emulator.url, agentAccessKey } });

	it('posts to the agent endpoint with ?agent=true, the agent key and the documented model placeholder', async () => {
		for (const stream of [true, false]) {
			emulator.control.reset();
			const [item] = await run({ target: 'agent', options: { stream } }, agentCredentials());
			const [request] = emulator.control.requests();
			expect(request.path).toBe('/api/v1/chat/completions');
			expect(request.query).toEqual({ agent: 'true' });
			expect(request.headers.authorization).toBe(`Bearer ${DEFAULT_AGENT_KEY}`);
			// The chat schema requires model; the agent ignores its value (OA's example sends "ignored").
			expect(request.body).toMatchObject({ model: 'ignored' });
			expect(request.status).toBe(200);
			expect(String(item.json.content)).toMatch(/^Agent: /);
		}
	});

	it.each([
		['the root URL', ''],
		['a trailing slash', '/'],
		['/api/v1', '/api/v1'],
		['/api/v1/', '/api/v1/'],
		['the full chat URL', '/api/v1/chat/completions'],
		['the full chat URL with ?agent=true', '/api/v1/chat/completions?agent=true'],
		['the full chat URL with a slash and query', '/api/v1/chat/completions/?agent=true'],
	])('normalises an agent URL pasted with %s to the agent root', async (_name, suffix) => {
		const [item] = await run({ target: 'agent', options: { stream: false } }, { digitalOceanAgentApi: { endpointUrl: ` ${emulator.url}${suffix} `, agentAccessKey: DEFAULT_AGENT_KEY } });
		const requests = emulator.control.requests();
		expect(requests.map((request) => `${request.path} ${JSON.stringify(request.query)} ${request.status}`)).toEqual([
			'/api/v1/chat/completions {"agent":"true"} 200',
		]);
		expect(String(item.json.content)).toMatch(/^Agent: /);
	});

	it('refuses an agent credential without an endpoint URL before any request (the agent key never goes to the serverless host)', async () => {
		const error = await run({ target: 'agent' }, { digitalOceanAgentApi: { endpointUrl: '  ', agentAccessKey: DEFAULT_AGENT_KEY } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/no Agent Endpoint URL/);
		expect(emulator.control.requests()).toHaveLength(0);
	});

	it('rejects a model access key on the agent endpoint with a clear 401', async () => {
		const error = await run({ target: 'agent' }, agentCredentials(DEFAULT_KEY)).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
	});
});
