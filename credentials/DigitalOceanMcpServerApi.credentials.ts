import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { PACKAGE_NAME, PACKAGE_VERSION } from '../nodes/shared/version';

/**
 * An MCP server that DigitalOcean's built-in MCP tool calls for the model: its URL and the
 * Authorization header DigitalOcean sends to it. Kept here rather than in a node parameter, which
 * would store it in clear in the workflow, its executions and exports.
 */
export class DigitalOceanMcpServerApi implements ICredentialType {
	name = 'digitalOceanMcpServerApi';

	displayName = 'DigitalOcean MCP Server API';

	icon: Icon = {
		light: 'file:../nodes/icons/digitalocean.svg',
		dark: 'file:../nodes/icons/digitalocean.dark.svg',
	};

	documentationUrl = 'https://docs.digitalocean.com/products/gradient-ai-platform/how-to/use-serverless-inference/';

	properties: INodeProperties[] = [
		{
			displayName: 'Server URL',
			name: 'serverUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://mcp.example.com/mcp',
			description: "The MCP server's URL (Streamable HTTP). DigitalOcean connects to it for the model.",
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- it holds the server's bearer token; the name is the header (and DigitalOcean's MCP tool field) it fills
		{
			displayName: 'Authorization',
			name: 'authorization',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. Bearer …',
			description: "The Authorization header value the server expects, usually Bearer followed by the server's token",
		},
		{
			displayName:
				'Use it in DigitalOcean Chat, Responses or Messages: Built-in Tools → MCP Server → Authorization: From Credential. Test sends the MCP initialize request from n8n to the Server URL with this authorization; no model is called and nothing is billed.',
			name: 'usageNotice',
			type: 'notice',
			default: '',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '={{$credentials.authorization}}',
			},
		},
	};

	// The first message of every MCP session: a server that accepts it accepts the URL and the
	// authorization (a wrong token gets 401). It starts a session on the server, nothing more.
	test: ICredentialTestRequest = {
		request: {
			url: '={{ String($credentials.serverUrl || "").trim() }}',
			method: 'POST',
			headers: { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' },
			body: {
				jsonrpc: '2.0',
				id: 1,
				method: 'initialize',
				params: {
					protocolVersion: '2025-06-18',
					capabilities: {},
					clientInfo: { name: PACKAGE_NAME, version: PACKAGE_VERSION },
				},
			},
		},
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'The MCP server rejected the Authorization (HTTP 401). Check the token and its "Bearer " prefix.' },
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'The MCP server refused this Authorization (HTTP 403). Check the token\'s permissions.' },
			},
		],
	};
}
