/**
 * Where an MCP tool's authorization comes from. n8n lets a node select one credential per type, so
 * "From Credential" means the node's DigitalOcean MCP Server API credential: the tool takes its
 * server URL (or must name the same one) and the authorization from it. "In Parameter" is the old
 * password parameter, kept working for existing workflows and marked deprecated: its value is stored
 * in clear in the workflow JSON, every saved execution and every export.
 */
import type { IExecuteFunctions, INodeCredentialDescription, NodeParameterValue } from 'n8n-workflow';

import { InputError } from './validation';

export const MCP_CREDENTIAL = 'digitalOceanMcpServerApi';

/**
 * The nodes list the MCP credential as optional, offered in the panel only once the node has an MCP
 * Server tool. n8n evaluates a credential's displayOptions like a parameter's (nested paths, `_cnd`
 * conditions); only its type for credentials lacks `_cnd`, hence the cast.
 */
const HAS_MCP_TOOL = { _cnd: { exists: true } } as unknown as NodeParameterValue;
export const mcpCredentialDisplay: INodeCredentialDescription['displayOptions'] = { show: { 'builtInTools.mcp': [HAS_MCP_TOOL] } };

export type McpAuthorizationSource = 'none' | 'credential' | 'parameter';

export interface McpServerSettings {
	serverLabel?: string;
	serverUrl?: string;
	authorizationSource?: McpAuthorizationSource;
	/** The deprecated "In Parameter" value. */
	authorization?: string;
}

export interface McpConnection {
	url: string;
	authorization?: string;
}

const FIX = 'Check the settings of each tool under "Built-in Tools".';

export function isHttpUrl(value: string): boolean {
	try {
		return ['http:', 'https:'].includes(new URL(value).protocol);
	} catch {
		return false;
	}
}

/** Same server: equal once parsed (host case, default port) and without trailing slashes. */
function sameUrl(a: string, b: string): boolean {
	const canonical = (url: string) => new URL(url).href.replace(/\/+$/, '');
	return canonical(a) === canonical(b);
}

/**
 * Workflows saved before the choice existed have no `authorizationSource`: n8n fills in the default
 * of their node version (1: "In Parameter"); without one, a typed value means "In Parameter".
 */
export function authorizationSourceOf(server: McpServerSettings): McpAuthorizationSource {
	return server.authorizationSource ?? (server.authorization ? 'parameter' : 'none');
}

type CredentialReader = () => Promise<{ serverUrl?: string; authorization?: string }>;

/** Reads the node's MCP credential once per item, however many tools use it. */
export function mcpCredentialReader(ctx: IExecuteFunctions): CredentialReader {
	let pending: ReturnType<CredentialReader> | undefined;
	return async () =>
		await (pending ??= ctx.getCredentials<{ serverUrl?: string; authorization?: string }>(MCP_CREDENTIAL).catch((error: unknown) => {
			throw new InputError(
				`Authorization "From Credential" needs a DigitalOcean MCP Server API credential (${error instanceof Error ? error.message : String(error)})`,
				'Select one under "Credential for DigitalOcean MCP Server API", or choose another Authorization for the MCP tool.',
			);
		}));
}

/** The URL to send and the authorization (a secret) for one MCP tool. */
export async function mcpConnection(server: McpServerSettings, label: string, readCredential: CredentialReader): Promise<McpConnection> {
	const toolUrl = server.serverUrl?.trim() ?? '';
	const source = authorizationSourceOf(server);
	if (source !== 'credential') {
		if (!isHttpUrl(toolUrl)) throw new InputError(`The MCP server "${label}" needs an http(s) Server URL`, FIX);
		const authorization = source === 'parameter' && server.authorization ? server.authorization : undefined;
		return { url: toolUrl, authorization };
	}
	const credential = await readCredential();
	const credentialUrl = credential.serverUrl?.trim() ?? '';
	if (!isHttpUrl(credentialUrl)) {
		throw new InputError('The DigitalOcean MCP Server API credential needs an http(s) Server URL', 'Open the credential and enter the MCP server\'s URL.');
	}
	if (toolUrl !== '' && !(isHttpUrl(toolUrl) && sameUrl(toolUrl, credentialUrl))) {
		throw new InputError(
			`The MCP server "${label}" has the Server URL ${toolUrl}, but its credential is for ${credentialUrl}`,
			"A credential's authorization goes only to its own server: empty the tool's Server URL to use the credential's, or select the credential of that server.",
		);
	}
	const authorization = credential.authorization?.trim() ?? '';
	if (authorization === '') {
		throw new InputError('The DigitalOcean MCP Server API credential has no Authorization', 'Open the credential and enter it, e.g. Bearer followed by the server\'s token.');
	}
	return { url: toolUrl || credentialUrl, authorization };
}
