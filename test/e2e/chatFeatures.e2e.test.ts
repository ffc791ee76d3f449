/**
 * DigitalOcean Chat's DigitalOcean-specific features in real n8n, run from examples/: reasoning with
 * prompt caching (a second run reads the cache), an Inference Router, an MCP server tool authorized
 * by a credential (and a version-1 workflow with the old typed authorization), an agent endpoint,
 * and a function-calling loop with tool results in the Message List.
 */
import { randomBytes } from 'node:crypto';

import { cloneWorkflow, nodeOutput, readExample, type WorkflowJson } from './harness';
import { RUN_TIMEOUT, agentCredential, expectNoKeyLeak, mcpCredential, modelCredential, useN8nWithEmulator } from './setup';

const CHAT_NODE = 'DigitalOcean Chat';
const MCP_URL = 'https://mcp.example.com/mcp';
/** Random per run, so the leak check cannot pass by accident. */
const MCP_TOKEN = `mcp-e2e-${randomBytes(12).toString('hex')}`;
const LEGACY_TOKEN = `mcp-legacy-${randomBytes(12).toString('hex')}`;

const reasoningCache = readExample('chat-reasoning-cache');
const router = readExample('chat-router');
const mcp = readExample('chat-mcp');
const agent = readExample('chat-agent');
const toolLoop = readExample('chat-function-loop');

/** chat-mcp as a workflow saved before MCP credentials existed: node version 1, the token typed into the tool. */
const legacyMcp: WorkflowJson = cloneWorkflow(mcp, { id: 'doInfChatMcpLegacy01' });
for (const node of legacyMcp.nodes.filter((n) => n.name === CHAT_NODE)) {
	node.typeVersion = 1;
	(node.parameters as any).builtInTools = {
		mcp: [{ serverLabel: 'docs', serverUrl: MCP_URL, authorization: `Bearer ${LEGACY_TOKEN}`, allowedTools: 'search_docs' }],
	};
	delete node.credentials!.digitalOceanMcpServerApi;
}

const setup = useN8nWithEmulator({
	workflows: [reasoningCache, router, mcp, legacyMcp, agent, toolLoop],
	builtFiles: [
		'dist/credentials/DigitalOceanAgentApi.credentials.js',
		'dist/credentials/DigitalOceanMcpServerApi.credentials.js',
		'dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js',
	],
	credentials: (ctx) => [modelCredential(ctx), agentCredential(ctx), mcpCredential(MCP_URL, `Bearer ${MCP_TOKEN}`)],
});

/** Runs a workflow that must succeed; returns the Chat node's items and the emulator requests the run caused. */
async function run(workflowId: string) {
	const { result, run: runJson, requests } = await setup.run(workflowId);
	expect(runJson.data.resultData.error).toBeUndefined();
	return { items: nodeOutput(runJson, CHAT_NODE), requests, result };
}

test(
	'reasoning with a cached system message: the second run reads the cache',
	async () => {
		const first = await run(reasoningCache.id);
		const second = await run(reasoningCache.id);
		const [request] = first.requests;
		expect(request.body).toMatchObject({
			reasoning_effort: 'high',
			messages: [{ role: 'system', content: [{ type: 'text', cache_control: { type: 'ephemeral', ttl: '5m' } }] }, { role: 'user' }],
		});
		expect(typeof first.items[0].json.reasoning).toBe('string');
		expect(first.items[0].json.usage.cache_created_input_tokens).toBeGreaterThan(0);
		expect(second.items[0].json.usage.cache_read_input_tokens).toBeGreaterThan(0);
		expect(second.items[0].json.usage.cache_created_input_tokens).toBe(0);
	},
	RUN_TIMEOUT,
);

test(
	'chat via an Inference Router reports the chosen model and route',
	async () => {
		const { items, requests } = await run(router.id);
		expect(requests[0].body).toMatchObject({ model: 'router:software-engineering' });
		expect(items[0].json.route).toEqual(expect.any(String));
		expect(items[0].json.model).not.toMatch(/^router:/);
	},
	RUN_TIMEOUT,
);

test(
	'chat with an MCP server authorized by a DigitalOcean MCP Server API credential: URL and token come from it, reach DigitalOcean and appear in no output or n8n file',
	async () => {
		const { items, requests, result } = await run(mcp.id);
		expect(requests[0].body).toMatchObject({
			tools: [{ type: 'mcp', server_label: 'docs', server_url: MCP_URL, authorization: `Bearer ${MCP_TOKEN}`, allowed_tools: ['search_docs'] }],
			tool_choice: 'required',
		});
		expect(String(items[0].json.content)).toMatch(/docs/);
		expect(JSON.stringify(result.run!.data.resultData.runData)).not.toContain(MCP_TOKEN);
		// The workflow, its executions and n8n's files hold no copy (the credential is stored encrypted).
		expectNoKeyLeak(setup, [MCP_TOKEN]);
	},
	RUN_TIMEOUT,
);

test(
	'a version-1 workflow with the MCP authorization typed into the tool (deprecated) still sends it, and its output stays clean',
	async () => {
		const { items, requests, result } = await run(legacyMcp.id);
		expect(requests[0].body).toMatchObject({
			tools: [{ type: 'mcp', server_label: 'docs', server_url: MCP_URL, authorization: `Bearer ${LEGACY_TOKEN}`, allowed_tools: ['search_docs'] }],
		});
		expect(String(items[0].json.content)).toMatch(/docs/);
		expect(JSON.stringify(result.run!.data.resultData.runData)).not.toContain(LEGACY_TOKEN);
	},
	RUN_TIMEOUT,
);

test(
	'chat with an agent endpoint uses the agent key and ?agent=true',
	async () => {
		const { items, requests } = await run(agent.id);
		expect(requests).toHaveLength(1);
		expect(requests[0].path).toBe('/api/v1/chat/completions');
		expect(requests[0].query).toEqual({ agent: 'true' });
		expect(requests[0].headers.authorization).toBe(`Bearer ${setup.agentKey}`);
		expect(String(items[0].json.content)).toMatch(/^Agent: /);
	},
	RUN_TIMEOUT,
);

test(
	'function-calling loop: the answer\'s tool calls and the tool\'s result go back in the Message List (Assistant Tool Calls, Tool message), and the model answers from the result',
	async () => {
		const { result, run: runJson, requests } = await setup.run(toolLoop.id);
		expect(runJson.data.resultData.error).toBeUndefined();
		expect(result.exitCode).toBe(0);
		expect(Object.keys(runJson.data.resultData.runData)).toEqual([
			'When clicking ‘Execute workflow’',
			'Set Question',
			'Ask Model',
			'Tool Call?',
			'Run get_weather',
			'Answer With Tool Result',
		]);
		const question = 'What is the weather in Paris right now? use get_weather';
		const [asked] = nodeOutput(runJson, 'Ask Model');
		const [call] = asked.json.toolCalls as Array<{ id: string; name: string; arguments: { city: string }; input: { city: string } }>;
		expect(call).toMatchObject({ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: { city: expect.any(String) } });
		expect(call.input).toEqual(call.arguments);

		expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /v1/chat/completions 200', 'POST /v1/chat/completions 200']);
		const toolResult = JSON.stringify({ city: call.arguments.city, forecast: 'sunny', celsius: 21 });
		expect((requests[1].body as { messages: unknown }).messages).toEqual([
			{ role: 'user', content: question },
			{ role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(call.arguments) } }] },
			{ role: 'tool', tool_call_id: call.id, content: toolResult },
		]);
		const [answer] = nodeOutput(runJson, 'Answer With Tool Result');
		expect(answer.json).toMatchObject({ finishReason: 'stop', toolCalls: [], content: `Echo: ${question} Tool get_weather returned: ${toolResult}` });
	},
	RUN_TIMEOUT,
);
