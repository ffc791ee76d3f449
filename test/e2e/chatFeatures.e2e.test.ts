/**
 * DigitalOcean Chat's DigitalOcean-specific features in real n8n, run from examples/: reasoning with
 * prompt caching (a second run reads the cache), an Inference Router, an MCP server tool whose
 * authorization never reaches the output, and an agent endpoint.
 */
import { nodeOutput, readExample } from './harness';
import { RUN_TIMEOUT, agentCredential, modelCredential, useN8nWithEmulator } from './setup';

const CHAT_NODE = 'DigitalOcean Chat';
const MCP_TOKEN = 'replace-with-your-mcp-token';

const reasoningCache = readExample('chat-reasoning-cache');
const router = readExample('chat-router');
const mcp = readExample('chat-mcp');
const agent = readExample('chat-agent');

const setup = useN8nWithEmulator({
	workflows: [reasoningCache, router, mcp, agent],
	builtFiles: [
		'dist/credentials/DigitalOceanAgentApi.credentials.js',
		'dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js',
	],
	credentials: (ctx) => [modelCredential(ctx), agentCredential(ctx)],
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
	'chat with an MCP server: the authorization goes to DigitalOcean and appears in no output',
	async () => {
		const { items, requests, result } = await run(mcp.id);
		expect(requests[0].body).toMatchObject({
			tools: [{ type: 'mcp', server_label: 'docs', authorization: `Bearer ${MCP_TOKEN}`, allowed_tools: ['search_docs'] }],
			tool_choice: 'required',
		});
		expect(String(items[0].json.content)).toMatch(/docs/);
		expect(JSON.stringify(result.run!.data.resultData.runData)).not.toContain(MCP_TOKEN);
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
