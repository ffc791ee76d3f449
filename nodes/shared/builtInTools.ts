/**
 * DigitalOcean's server-run tools (knowledge base retrieval, MCP servers, web search), declared in
 * `tools` on Chat Completions, Responses and Messages. The MCP authorization is a secret: it is a
 * password field, and it is returned in `secrets` so errors and outputs can be scrubbed of it.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkRange, commaList, InputError } from './validation';

const FIX = 'Check the settings of each tool under "Built-in Tools".';

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
			values: [
				{
					displayName: 'Server Label',
					name: 'serverLabel',
					type: 'string',
					default: '',
					required: true,
					placeholder: 'e.g. docs',
				},
				{
					displayName: 'Server URL',
					name: 'serverUrl',
					type: 'string',
					default: '',
					required: true,
					placeholder: 'e.g. https://mcp.example.com/mcp',
				},
				{
					displayName: 'Authorization',
					name: 'authorization',
					type: 'string',
					typeOptions: { password: true },
					default: '',
					placeholder: 'e.g. Bearer …',
					description: 'Sent to the MCP server as its Authorization header; never shown in output or errors',
				},
				{
					displayName: 'Allowed Tools',
					name: 'allowedTools',
					type: 'string',
					default: '',
					placeholder: 'e.g. search_docs, get_page',
					description: 'Comma-separated tool names the model may call; empty allows all',
				},
			],
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
	mcp?: Array<{ serverLabel?: string; serverUrl?: string; authorization?: string; allowedTools?: string }>;
	webSearch?: Array<{ maxUses?: number; maxResults?: number }>;
}

export interface BuiltInTools {
	tools: IDataObject[];
	/** Values that must never appear in output, errors or logs (MCP authorizations). */
	secrets: string[];
}

function isHttpUrl(value: string): boolean {
	try {
		return ['http:', 'https:'].includes(new URL(value).protocol);
	} catch {
		return false;
	}
}

export function readBuiltInTools(ctx: IExecuteFunctions, itemIndex: number): BuiltInTools {
	const value = ctx.getNodeParameter('builtInTools', itemIndex, {}) as BuiltInToolsValue;
	const tools: IDataObject[] = [];
	const secrets: string[] = [];
	for (const kb of value.knowledgeBase ?? []) {
		const id = kb.knowledgeBaseId?.trim();
		if (!id) throw new InputError('The knowledge base tool needs a Knowledge Base ID', FIX);
		tools.push({ type: 'knowledge_base_retrieval', knowledge_base_id: id });
	}
	for (const server of value.mcp ?? []) {
		const label = server.serverLabel?.trim();
		const url = server.serverUrl?.trim() ?? '';
		if (!label) throw new InputError('The MCP tool needs a Server Label', FIX);
		if (!isHttpUrl(url)) throw new InputError(`The MCP server "${label}" needs an http(s) Server URL`, FIX);
		const tool: IDataObject = { type: 'mcp', server_label: label, server_url: url };
		if (server.authorization) {
			tool.authorization = server.authorization;
			secrets.push(server.authorization);
			// "Bearer x": the bare token must not leak either.
			const token = server.authorization.replace(/^\s*bearer\s+/i, '');
			if (token !== server.authorization) secrets.push(token);
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
