/**
 * DigitalOcean's server-run tools (knowledge base retrieval, MCP servers, web search), declared in
 * `tools` on Chat Completions, Responses and Messages (S2). An MCP authorization is a secret: it
 * comes from a credential (or the deprecated password parameter, see mcpAuthorization.ts) and is
 * returned in `secrets` so errors and outputs can be scrubbed of it.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { mcpConnection, mcpCredentialReader, type McpServerSettings } from './mcpAuthorization';
import { checkRange, commaList, InputError } from './validation';

const FIX = 'Check the settings of each tool under "Built-in Tools".';

const AUTHORIZATION_SOURCE: INodeProperties = {
	displayName: 'Authorization',
	name: 'authorizationSource',
	type: 'options',
	default: 'none',
	options: [
		{ name: 'None', value: 'none', description: 'The server needs no authorization' },
		{
			name: 'From Credential',
			value: 'credential',
			description: "The node's DigitalOcean MCP Server API credential: its authorization, for its server URL",
		},
		{
			name: 'In Parameter (Deprecated)',
			value: 'parameter',
			description: 'Typed into this tool and stored in clear text in the workflow; use a credential instead',
		},
	],
	description: 'How DigitalOcean authorizes itself at the MCP server. The value never appears in output or errors.',
};

/** In the order a user fills them in: which server, how it is authorized, its URL, which tools. */
const MCP_SERVER_FIELDS: INodeProperties[] = [
	{
		displayName: 'Server Label',
		name: 'serverLabel',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. docs',
	},
	// Nodes of version 1 predate the choice: their tools keep the typed authorization.
	{ ...AUTHORIZATION_SOURCE, default: 'parameter', displayOptions: { show: { '@version': [1] } } },
	{ ...AUTHORIZATION_SOURCE, default: 'none', displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } } },
	{
		displayName: 'Server URL',
		name: 'serverUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://mcp.example.com/mcp',
		displayOptions: { show: { authorizationSource: ['none', 'parameter'] } },
	},
	{
		displayName: 'Server URL',
		name: 'serverUrl',
		type: 'string',
		default: '',
		placeholder: "Empty: the credential's URL",
		description: "Leave empty to use the credential's Server URL; if set, it must be the same URL",
		displayOptions: { show: { authorizationSource: ['credential'] } },
	},
	{
		displayName: 'Authorization Value (Deprecated)',
		name: 'authorization',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		placeholder: 'e.g. Bearer …',
		description:
			'Deprecated: a value typed here is stored in clear text in the workflow, its saved executions and exports. Create a DigitalOcean MCP Server API credential and choose Authorization: From Credential instead.',
		displayOptions: { show: { authorizationSource: ['parameter'] } },
	},
	{
		displayName: 'Allowed Tools',
		name: 'allowedTools',
		type: 'string',
		default: '',
		placeholder: 'e.g. search_docs, get_page',
		description: 'Comma-separated tool names the model may call; empty allows all',
	},
];

export const builtInToolsProperty: INodeProperties = {
	displayName: 'Built-in Tools',
	name: 'builtInTools',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Built-in Tool',
	default: {},
	description: 'Tools that DigitalOcean runs for the model; their results flow into the answer',
	options: [
		{
			displayName: 'Knowledge Base',
			name: 'knowledgeBase',
			values: [
				{
					displayName: 'Knowledge Base ID',
					name: 'knowledgeBaseId',
					type: 'string',
					default: '',
					required: true,
					placeholder: 'e.g. 9a6e3f1c-…',
					description: 'The UUID of a DigitalOcean knowledge base the model may retrieve from',
				},
			],
		},
		{
			displayName: 'MCP Server',
			name: 'mcp',
			values: MCP_SERVER_FIELDS,
		},
		{
			displayName: 'Web Search',
			name: 'webSearch',
			values: [
				{
					displayName: 'Max Uses',
					name: 'maxUses',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 0,
					description: 'How many searches the model may run (0 = the service default). Billed per search.',
				},
				{
					displayName: 'Max Results',
					name: 'maxResults',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 0,
					description: 'Results per search (0 = the service default)',
				},
			],
		},
	],
};

interface BuiltInToolsValue {
	knowledgeBase?: Array<{ knowledgeBaseId?: string }>;
	mcp?: Array<McpServerSettings & { allowedTools?: string }>;
	webSearch?: Array<{ maxUses?: number; maxResults?: number }>;
}

export interface BuiltInTools {
	tools: IDataObject[];
	/** Values that must never appear in output, errors or logs (MCP authorizations). */
	secrets: string[];
}

/** What a request builder reads besides the node's own fields; the Batch node has no Built-in Tools. */
export interface RequestFeatures {
	builtInTools?: boolean;
}

/** The item's built-in tools, or none for a node without the Built-in Tools parameter. */
export async function readBuiltInToolsIf(ctx: IExecuteFunctions, itemIndex: number, features: RequestFeatures): Promise<BuiltInTools> {
	return features.builtInTools === false ? { tools: [], secrets: [] } : await readBuiltInTools(ctx, itemIndex);
}

export async function readBuiltInTools(ctx: IExecuteFunctions, itemIndex: number): Promise<BuiltInTools> {
	const value = ctx.getNodeParameter('builtInTools', itemIndex, {}) as BuiltInToolsValue;
	const tools: IDataObject[] = [];
	const secrets: string[] = [];
	for (const kb of value.knowledgeBase ?? []) {
		const id = kb.knowledgeBaseId?.trim();
		if (!id) throw new InputError('The knowledge base tool needs a Knowledge Base ID', FIX);
		tools.push({ type: 'knowledge_base_retrieval', knowledge_base_id: id });
	}
	const readCredential = mcpCredentialReader(ctx);
	for (const server of value.mcp ?? []) {
		const label = server.serverLabel?.trim();
		if (!label) throw new InputError('The MCP tool needs a Server Label', FIX);
		const { url, authorization } = await mcpConnection(server, label, readCredential);
		const tool: IDataObject = { type: 'mcp', server_label: label, server_url: url };
		if (authorization) {
			tool.authorization = authorization;
			secrets.push(authorization);
			// "Bearer x": the bare token must not leak either.
			const token = authorization.replace(/^\s*bearer\s+/i, '');
			if (token !== authorization) secrets.push(token);
		}
		const allowed = commaList(server.allowedTools);
		if (allowed.length > 0) tool.allowed_tools = allowed;
		tools.push(tool);
	}
	for (const search of value.webSearch ?? []) {
		checkRange(search.maxUses, 'Web search Max Uses', 0, 1000, FIX);
		checkRange(search.maxResults, 'Web search Max Results', 0, 100, FIX);
		const tool: IDataObject = { type: 'web_search' };
		if (search.maxUses) tool.max_uses = search.maxUses;
		if (search.maxResults) tool.max_results = search.maxResults;
		tools.push(tool);
	}
	return { tools, secrets };
}
