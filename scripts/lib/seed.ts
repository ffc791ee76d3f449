/**
 * What `npm start` puts into n8n: the credentials the examples reference (ours, rewritten on
 * every start) and every example workflow the database does not hold yet (a user's edits survive).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { CredentialImport, WorkflowJson } from '../../test/e2e/harness';
import { RestError, type RestClient } from './owner';

export const REAL_BASE_URL = 'https://inference.do-ai.run';
export const MODEL_CREDENTIAL = {
	id: 'doInfCredential01',
	name: 'DigitalOcean Model Access Key',
	type: 'digitalOceanInferenceApi',
} as const;
export const AGENT_CREDENTIAL = { id: 'doInfAgentCred01', name: 'DigitalOcean Agent', type: 'digitalOceanAgentApi' } as const;
/** The MCP server of examples/chat-mcp.json; DigitalOcean (the emulator, too) only receives it, never n8n. */
export const MCP_CREDENTIAL = { id: 'doInfMcpCred01', name: 'DigitalOcean MCP Server', type: 'digitalOceanMcpServerApi' } as const;
const EXAMPLE_MCP_SERVER = { serverUrl: 'https://mcp.example.com/mcp', authorization: 'Bearer replace-with-your-mcp-token' };

export type Target =
	| { kind: 'emulator'; url: string; modelKey: string; agentKey: string }
	| { kind: 'real'; modelKey: string };

/**
 * The credentials to (re)import. Against the emulator they all point at it. Against DigitalOcean the
 * Model Access Key one gets the real key; the Agent and MCP server ones (the user's own agent and
 * server) are only reset when `resetAgent` (a new folder, or the last start used the emulator) so
 * that what the user filled in survives.
 */
export function credentialsFor(target: Target, resetAgent: boolean): CredentialImport[] {
	if (target.kind === 'emulator') {
		return [
			{ ...MODEL_CREDENTIAL, data: { apiKey: target.modelKey, baseUrl: target.url } },
			{ ...AGENT_CREDENTIAL, data: { endpointUrl: target.url, agentAccessKey: target.agentKey } },
			{ ...MCP_CREDENTIAL, data: EXAMPLE_MCP_SERVER },
		];
	}
	const creds: CredentialImport[] = [{ ...MODEL_CREDENTIAL, data: { apiKey: target.modelKey, baseUrl: REAL_BASE_URL } }];
	if (resetAgent) creds.push({ ...AGENT_CREDENTIAL, data: { endpointUrl: '', agentAccessKey: '' } }, { ...MCP_CREDENTIAL, data: EXAMPLE_MCP_SERVER });
	return creds;
}

/** The example workflows in `dir` (every *.json with an id), sorted by file name. */
export function readExamples(dir: string): WorkflowJson[] {
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as WorkflowJson)
		.filter((wf) => typeof wf.id === 'string' && wf.id !== '' && Array.isArray(wf.nodes));
}

const WRITE_FIELDS = ['id', 'name', 'description', 'nodes', 'connections', 'settings', 'staticData', 'meta', 'pinData'];

/**
 * Creates (POST /rest/workflows, with the example's own id) every example whose id is not in n8n
 * yet. Existing ones — possibly edited, renamed or archived by the user — are left alone.
 */
export async function importMissingExamples(
	client: RestClient,
	examples: WorkflowJson[],
): Promise<{ imported: string[]; kept: string[] }> {
	const existing = new Set((await client.get<Array<{ id: string }>>('/rest/workflows')).map((w) => w.id));
	const imported: string[] = [];
	const kept: string[] = [];
	for (const wf of examples) {
		if (existing.has(wf.id)) {
			kept.push(wf.id);
			continue;
		}
		const body = Object.fromEntries(WRITE_FIELDS.filter((k) => wf[k] !== undefined).map((k) => [k, wf[k]]));
		try {
			await client.post('/rest/workflows', body);
			imported.push(wf.id);
		} catch (err) {
			// Archived workflows are not listed but still exist: they are the user's too.
			if (err instanceof RestError && err.status === 400 && /exists already/.test(err.body)) kept.push(wf.id);
			else throw err;
		}
	}
	return { imported, kept };
}
