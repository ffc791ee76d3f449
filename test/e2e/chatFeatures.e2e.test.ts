/**
 * DigitalOcean Chat's DigitalOcean-specific features in real n8n, run from examples/: reasoning with
 * prompt caching (a second run reads the cache), an Inference Router, an MCP server tool whose
 * authorization never reaches the output, and an agent endpoint.
 */
import { randomBytes } from 'node:crypto';

import { startEmulator, type Emulator } from '../emulator';
import {
	createN8nHome,
	ensureN8n,
	killAllN8nProcesses,
	nodeOutput,
	readExample,
	type N8nHome,
} from './harness';

const CHAT_NODE = 'DigitalOcean Chat';
const MODEL_KEY = `do-e2e-model-${randomBytes(12).toString('hex')}`;
const AGENT_KEY = `do-e2e-agent-${randomBytes(12).toString('hex')}`;
const MCP_TOKEN = 'replace-with-your-mcp-token';

const reasoningCache = readExample('chat-reasoning-cache');
const router = readExample('chat-router');
const mcp = readExample('chat-mcp');
const agent = readExample('chat-agent');

let emulator: Emulator;
let home: N8nHome;

beforeAll(async () => {
	const install = await ensureN8n();
	emulator = await startEmulator({ port: 0, keys: [MODEL_KEY], agentKeys: [AGENT_KEY] });
	home = await createN8nHome(install);
	await home.importCredentials([
		{ id: 'doInfCredential01', name: 'DigitalOcean Model Access Key', type: 'digitalOceanInferenceApi', data: { apiKey: MODEL_KEY, baseUrl: emulator.url } },
		{ id: 'doInfAgentCred01', name: 'DigitalOcean Agent', type: 'digitalOceanAgentApi', data: { endpointUrl: emulator.url, agentAccessKey: AGENT_KEY } },
	]);
	await home.importWorkflows([reasoningCache, router, mcp, agent]);
}, 15 * 60_000);

afterAll(async () => {
	home?.dispose();
	killAllN8nProcesses();
	await emulator?.close();
}, 30_000);

/** Runs a workflow and returns the Chat node's items and the emulator requests the run caused. */
async function run(workflowId: string) {
	const before = emulator.control.requests().length;
	const result = await home.executeWorkflow(workflowId);
	if (!result.run) throw new Error(`no run JSON (exit ${result.exitCode})\n${result.stderr.slice(-3000)}`);
	expect(result.run.data.resultData.error).toBeUndefined();
	return { items: nodeOutput(result.run, CHAT_NODE), requests: emulator.control.requests().slice(before), result };
}

const TIMEOUT = 3 * 60_000;

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
	TIMEOUT,
);

test(
	'chat via an Inference Router reports the chosen model and route',
	async () => {
		const { items, requests } = await run(router.id);
		expect(requests[0].body).toMatchObject({ model: 'router:software-engineering' });
		expect(items[0].json.route).toEqual(expect.any(String));
		expect(items[0].json.model).not.toMatch(/^router:/);
	},
	TIMEOUT,
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
	TIMEOUT,
);

test(
	'chat with an agent endpoint uses the agent key and ?agent=true',
	async () => {
		const { items, requests } = await run(agent.id);
		expect(requests).toHaveLength(1);
		expect(requests[0].path).toBe('/api/v1/chat/completions');
		expect(requests[0].query).toEqual({ agent: 'true' });
		expect(requests[0].headers.authorization).toBe(`Bearer ${AGENT_KEY}`);
		expect(String(items[0].json.content)).toMatch(/^Agent: /);
	},
	TIMEOUT,
);
