/**
 * MCP authorization as a credential (DigitalOcean MCP Server API) on Chat, Responses and Messages:
 * "From Credential" sends the credential's URL and authorization; the secret never reaches output or
 * errors; old workflows (node version 1, a typed authorization) keep working, checked with n8n's own
 * parameter resolution (defaults by node version, hidden parameters dropped) as a real run does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeApiError, NodeHelpers, NodeOperationError, type INode, type INodeExecutionData, type INodeParameters } from 'n8n-workflow';

import { DigitalOceanMcpServerApi } from '../../credentials/DigitalOceanMcpServerApi.credentials';
import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DigitalOceanMessages } from '../../nodes/DigitalOceanMessages/DigitalOceanMessages.node';
import { DigitalOceanResponses } from '../../nodes/DigitalOceanResponses/DigitalOceanResponses.node';
import { DEFAULT_KEY } from '../emulator';
import { fakeExecuteContext, type FakeContextOptions, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageJson = require('../../package.json') as { n8n: { credentials: string[] } };

const MCP_CREDENTIAL = 'digitalOceanMcpServerApi';
const TOKEN = 'mcp-credential-token-4b1d9e';
const SERVER_URL = 'https://mcp.example.com/mcp';
const CREDENTIAL = { serverUrl: SERVER_URL, authorization: `Bearer ${TOKEN}` };

const emulator = useEmulator();

interface NodeCase {
	name: string;
	node: () => DigitalOceanChat | DigitalOceanResponses | DigitalOceanMessages;
	path: string;
	params: Params;
}

const NODES: NodeCase[] = [
	{ name: 'Chat', node: () => new DigitalOceanChat(), path: '/v1/chat/completions', params: { model: { __rl: true, mode: 'id', value: 'openai-gpt-4o' } } },
	{ name: 'Responses', node: () => new DigitalOceanResponses(), path: '/v1/responses', params: { model: { __rl: true, mode: 'id', value: 'openai-gpt-4o' } } },
	{
		name: 'Messages',
		node: () => new DigitalOceanMessages(),
		path: '/v1/messages',
		params: { model: { __rl: true, mode: 'id', value: 'anthropic-claude-4.6-sonnet' }, maxTokens: 1024 },
	},
];

async function run(node: NodeCase, params: Params, extra: Partial<FakeContextOptions> = {}): Promise<INodeExecutionData[]> {
	const ctx = fakeExecuteContext({
		params: { inputType: 'prompt', prompt: 'What is new in the docs?', ...node.params, ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		credentialsByType: { [MCP_CREDENTIAL]: CREDENTIAL },
		...extra,
		node: node.node(),
	});
	const [output] = await node.node().execute.call(ctx);
	return output;
}

const sentTools = (path: string) => emulator.control.requests().filter((request) => request.path === path).map((request) => (request.body as { tools?: unknown }).tools);
const fromCredential = (extra: Record<string, unknown> = {}) => ({ mcp: [{ serverLabel: 'docs', authorizationSource: 'credential', ...extra }] });

describe.each(NODES)('$name: MCP tool with Authorization "From Credential"', (node) => {
	it.each(['simplified', 'raw'])('sends the credential\'s URL and authorization; the %s output (streamed or not) never holds them', async (output) => {
		for (const stream of [true, false]) {
			emulator.control.reset();
			const items = await run(node, { builtInTools: fromCredential({ allowedTools: 'search_docs' }), output, options: { stream } });
			expect(sentTools(node.path)).toEqual([
				[{ type: 'mcp', server_label: 'docs', server_url: SERVER_URL, authorization: `Bearer ${TOKEN}`, allowed_tools: ['search_docs'] }],
			]);
			expect(JSON.stringify(items)).toContain('docs');
			expect(JSON.stringify(items)).not.toContain(TOKEN);
		}
	});

	it.each([
		['the same URL', SERVER_URL],
		['the same URL with a trailing slash and another host case', 'https://MCP.example.com/mcp/'],
	])('accepts a tool Server URL that is %s as the credential', async (_label, serverUrl) => {
		await run(node, { builtInTools: fromCredential({ serverUrl }), options: { stream: false } });
		expect(sentTools(node.path)).toEqual([[expect.objectContaining({ server_url: serverUrl, authorization: `Bearer ${TOKEN}` })]]);
	});

	it.each<[string, Params, Partial<FakeContextOptions>, RegExp]>([
		['a tool Server URL of another server', { builtInTools: fromCredential({ serverUrl: 'https://other.example.com/mcp' }) }, {}, /has the Server URL https:\/\/other\.example\.com\/mcp, but its credential is for https:\/\/mcp\.example\.com\/mcp/],
		['no MCP credential selected', { builtInTools: fromCredential() }, { credentialsByType: {} }, /needs a DigitalOcean MCP Server API credential/],
		['a credential without an http(s) URL', { builtInTools: fromCredential() }, { credentialsByType: { [MCP_CREDENTIAL]: { ...CREDENTIAL, serverUrl: 'mcp.example.com' } } }, /credential needs an http\(s\) Server URL/],
		['a credential without authorization', { builtInTools: fromCredential() }, { credentialsByType: { [MCP_CREDENTIAL]: { ...CREDENTIAL, authorization: ' ' } } }, /credential has no Authorization/],
	])('fails before any request with %s', async (_label, params, extra, message) => {
		const error = await run(node, params, extra).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(`${error.message} ${error.description}`).not.toContain(TOKEN);
		expect(emulator.control.requests()).toHaveLength(0);
	});

	it('keeps the credential\'s token out of an API error that repeats it', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 400, path: node.path, body: { id: 'bad_request', message: `MCP said Bearer ${TOKEN} is wrong; token ${TOKEN}` } },
		]);
		const error = await run(node, { builtInTools: fromCredential(), options: { stream: false } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(`${error.message} ${error.description} ${JSON.stringify(error)} ${error.stack}`).not.toContain(TOKEN);
		// continueOnFail: the error item must not hold it either.
		emulator.control.enqueueFaults([{ kind: 'status', status: 400, path: node.path, body: { id: 'bad_request', message: `token ${TOKEN}` } }]);
		const items = await run(node, { builtInTools: fromCredential(), options: { stream: false } }, { continueOnFail: true });
		expect(items).toHaveLength(1);
		expect(JSON.stringify(items)).not.toContain(TOKEN);
	});

	it('"None" sends no authorization, even with a stale typed value left in the parameters', async () => {
		await run(node, { builtInTools: { mcp: [{ serverLabel: 'docs', serverUrl: SERVER_URL, authorizationSource: 'none', authorization: 'Bearer stale' }] }, options: { stream: false } });
		expect(sentTools(node.path)).toEqual([[{ type: 'mcp', server_label: 'docs', server_url: SERVER_URL }]]);
	});

	it('mixes tools: one from the credential, one typed (deprecated), one without authorization', async () => {
		const builtInTools = {
			mcp: [
				{ serverLabel: 'docs', authorizationSource: 'credential' },
				{ serverLabel: 'legacy', serverUrl: 'https://legacy.example.com/mcp', authorizationSource: 'parameter', authorization: 'Bearer legacy-token-123' },
				{ serverLabel: 'open', serverUrl: 'https://open.example.com/mcp', authorizationSource: 'none' },
			],
		};
		const items = await run(node, { builtInTools, options: { stream: false } });
		expect(sentTools(node.path)).toEqual([
			[
				{ type: 'mcp', server_label: 'docs', server_url: SERVER_URL, authorization: `Bearer ${TOKEN}` },
				{ type: 'mcp', server_label: 'legacy', server_url: 'https://legacy.example.com/mcp', authorization: 'Bearer legacy-token-123' },
				{ type: 'mcp', server_label: 'open', server_url: 'https://open.example.com/mcp' },
			],
		]);
		expect(JSON.stringify(items)).not.toMatch(new RegExp(`${TOKEN}|legacy-token-123`));
	});
});

describe('old workflows keep their typed MCP authorization (n8n\'s own parameter resolution)', () => {
	/** What n8n hands a node at run time: defaults for the node's version filled in, hidden parameters dropped. */
	function resolvedParameters(nodeCase: NodeCase, typeVersion: number, saved: INodeParameters): INodeParameters {
		const nodeType = nodeCase.node();
		const parameters = { ...(nodeCase.params as INodeParameters), prompt: 'What is new in the docs?', options: { stream: false }, ...saved };
		const node: INode = { id: 'n', name: 'n', type: 'x', typeVersion, position: [0, 0], parameters };
		return NodeHelpers.getNodeParameters(nodeType.description.properties, parameters, true, false, node, nodeType.description)!;
	}
	const legacyTool = { serverLabel: 'docs', serverUrl: SERVER_URL, authorization: `Bearer ${TOKEN}` };

	it.each(NODES)('$name is version 1.1 by default and still runs version 1', (node) => {
		expect(node.node().description.version).toEqual([1, 1.1]);
		expect(node.node().description.defaultVersion).toBe(1.1);
	});

	it.each(NODES)('$name, version 1: a tool saved before the choice existed keeps sending its typed authorization', async (node) => {
		const parameters = resolvedParameters(node, 1, { builtInTools: { mcp: [legacyTool] } });
		expect((parameters.builtInTools as any).mcp).toEqual([{ ...legacyTool, authorizationSource: 'parameter', allowedTools: '' }]);
		await run(node, parameters);
		expect(sentTools(node.path)).toEqual([[{ type: 'mcp', server_label: 'docs', server_url: SERVER_URL, authorization: `Bearer ${TOKEN}` }]]);
	});

	it.each(NODES)('$name, version 1.1: a new tool defaults to None; "From Credential" hides the typed value and n8n drops it', async (node) => {
		const fresh = resolvedParameters(node, 1.1, { builtInTools: { mcp: [{ serverLabel: 'docs', serverUrl: SERVER_URL }] } });
		expect((fresh.builtInTools as any).mcp).toEqual([{ serverLabel: 'docs', serverUrl: SERVER_URL, authorizationSource: 'none', allowedTools: '' }]);
		const switched = resolvedParameters(node, 1.1, { builtInTools: { mcp: [{ ...legacyTool, authorizationSource: 'credential', serverUrl: '' }] } });
		expect((switched.builtInTools as any).mcp).toEqual([{ serverLabel: 'docs', authorizationSource: 'credential', serverUrl: '', allowedTools: '' }]);
		await run(node, switched);
		expect(sentTools(node.path)).toEqual([[{ type: 'mcp', server_label: 'docs', server_url: SERVER_URL, authorization: `Bearer ${TOKEN}` }]]);
	});

	it('marks the typed value deprecated and keeps it a password field', () => {
		const fields = (new DigitalOceanChat().description.properties.find((p) => p.name === 'builtInTools') as any).options.find((o: any) => o.name === 'mcp').values;
		const legacy = fields.find((field: any) => field.name === 'authorization');
		expect(legacy.typeOptions).toEqual({ password: true });
		expect(legacy.displayName).toMatch(/Deprecated/);
		expect(legacy.description).toMatch(/^Deprecated: .*clear text/);
		const choices = fields.find((field: any) => field.name === 'authorizationSource').options.map((o: any) => o.name);
		expect(choices).toEqual(['None', 'From Credential', 'In Parameter (Deprecated)']);
	});
});

describe('DigitalOcean MCP Server API credential', () => {
	const credential = new DigitalOceanMcpServerApi();

	it('is registered in package.json and optional on Chat, Responses and Messages, offered once the node has an MCP tool', () => {
		expect(packageJson.n8n.credentials).toContain('dist/credentials/DigitalOceanMcpServerApi.credentials.js');
		expect(credential.name).toBe(MCP_CREDENTIAL);
		for (const node of NODES) {
			const { description } = node.node();
			const mcp = description.credentials!.find((c) => c.name === MCP_CREDENTIAL)!;
			expect(mcp.required).toBe(false);
			// n8n's own display check, as the editor and getCredentials apply it.
			const shown = (parameters: INodeParameters) =>
				NodeHelpers.displayParameter(parameters, mcp, { typeVersion: 1.1 } as INode, description);
			expect(shown({})).toBe(false);
			expect(shown({ builtInTools: {} })).toBe(false);
			expect(shown({ builtInTools: { webSearch: [{}] } })).toBe(false);
			expect(shown({ builtInTools: { mcp: [] } })).toBe(false);
			expect(shown({ builtInTools: { mcp: [{ serverLabel: 'docs', authorizationSource: 'none' }] } })).toBe(true);
		}
	});

	it('keeps the authorization in a password field and sends it as the Authorization header', () => {
		expect(credential.properties.find((p) => p.name === 'authorization')?.typeOptions?.password).toBe(true);
		expect(credential.authenticate).toEqual({ type: 'generic', properties: { headers: { Authorization: '={{$credentials.authorization}}' } } });
		expect(credential.documentationUrl).toMatch(/^https:\/\/docs\.digitalocean\.com\//);
		expect(credential.icon).toEqual({ light: 'file:../nodes/icons/digitalocean.svg', dark: 'file:../nodes/icons/digitalocean.dark.svg' });
	});

	describe('Test: the MCP initialize request, free, against a Streamable HTTP server', () => {
		let server: Server;
		let serverUrl = '';
		const seen: Array<{ method?: string; authorization?: string; accept?: string; body: any }> = [];
		const readBody = async (request: IncomingMessage) => {
			const chunks: Buffer[] = [];
			for await (const chunk of request) chunks.push(chunk as Buffer);
			return JSON.parse(Buffer.concat(chunks).toString('utf8'));
		};
		beforeAll(async () => {
			// A minimal MCP server: initialize with the right token → 200 JSON-RPC result, else 401.
			server = createServer(async (request, response) => {
				const body = await readBody(request);
				seen.push({ method: request.method, authorization: request.headers.authorization, accept: request.headers.accept, body });
				if (request.headers.authorization !== `Bearer ${TOKEN}`) {
					response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
					return;
				}
				response
					.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's-1' })
					.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: { protocolVersion: body.params.protocolVersion, capabilities: {}, serverInfo: { name: 'test', version: '1' } } }));
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
		});
		afterAll(async () => await new Promise((resolve) => server.close(resolve)));

		/** Sends the credential's test request the way n8n does: the URL expression, the headers, the authenticate header. */
		async function sendTest(authorization: string): Promise<number> {
			const { request } = credential.test;
			const url = String(request.url).replace(/^=\{\{.*\}\}$/, ` ${serverUrl} `).trim();
			const response = await fetch(url, {
				method: request.method,
				headers: { ...(request.headers as Record<string, string>), Authorization: authorization },
				body: JSON.stringify(request.body),
			});
			return response.status;
		}

		it('succeeds with the right authorization and fails (401, with a message) with a wrong one', async () => {
			expect(await sendTest(`Bearer ${TOKEN}`)).toBe(200);
			expect(await sendTest('Bearer wrong')).toBe(401);
			expect(seen[0]).toMatchObject({
				method: 'POST',
				accept: 'application/json, text/event-stream',
				body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: expect.any(String), capabilities: {}, clientInfo: { name: 'n8n-nodes-digitalocean-inference' } } },
			});
			expect(credential.test.rules).toContainEqual({ type: 'responseCode', properties: { value: 401, message: expect.stringMatching(/rejected the Authorization/) } });
		});
	});
});
