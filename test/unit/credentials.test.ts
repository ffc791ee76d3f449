import { Workflow, type INodeTypes } from 'n8n-workflow';

import { DigitalOceanAgentApi } from '../../credentials/DigitalOceanAgentApi.credentials';
import { DigitalOceanInferenceApi } from '../../credentials/DigitalOceanInferenceApi.credentials';
import { normalizeAgentUrl } from '../../nodes/shared/agent';
import { DEFAULT_AGENT_KEY } from '../emulator';
import { useEmulator } from './helpers/useEmulator';

/** Evaluates a credential expression with n8n's own expression engine. */
function evaluate(expression: string, credentials: Record<string, unknown>): unknown {
	const nodeTypes = {
		getByName: () => ({ description: { properties: [] } }),
		getByNameAndVersion: () => ({ description: { properties: [] } }),
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
	return workflow.expression.getParameterValue(expression, null, 0, 0, 'node', [], 'internal', {
		$credentials: credentials,
	});
}

describe('DigitalOcean Model Access Key credential', () => {
	const credential = new DigitalOceanInferenceApi();

	it('keeps the key in a password field and defaults the Base URL to DigitalOcean', () => {
		const key = credential.properties.find((p) => p.name === 'apiKey');
		expect(key?.typeOptions?.password).toBe(true);
		expect(credential.properties.find((p) => p.name === 'baseUrl')?.default).toBe('https://inference.do-ai.run');
	});

	it('authenticates with a Bearer header', () => {
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
		});
	});

	it.each([
		['https://inference.do-ai.run', 'https://inference.do-ai.run'],
		['https://inference.do-ai.run/v1/', 'https://inference.do-ai.run'],
		['http://127.0.0.1:8787/', 'http://127.0.0.1:8787'],
		['', 'https://inference.do-ai.run'],
	])('tests GET /v1/models below Base URL %j', (baseUrl, expected) => {
		expect(credential.test.request.url).toBe('/v1/models');
		expect(evaluate(String(credential.test.request.baseURL), { apiKey: 'k', baseUrl })).toBe(expected);
	});
});

describe('DigitalOcean Agent API credential', () => {
	const credential = new DigitalOceanAgentApi();
	const emulator = useEmulator();
	const root = 'https://abcdefghij1234567890.agents.do-ai.run';

	it.each([
		[root, root],
		[`${root}/`, root],
		[` ${root}/api/v1 `, root],
		[`${root}/api/v1/`, root],
		[`${root}/api/v1/chat/completions`, root],
		[`${root}/api/v1/chat/completions?agent=true`, root],
		[`${root}/api/v1/chat/completions/?agent=true#x`, root],
		['', ''],
	])('the Test baseURL and the node agree on the agent root for %j', (pasted, expected) => {
		expect(evaluate(String(credential.test.request.baseURL), { endpointUrl: pasted, agentAccessKey: 'k' })).toBe(expected);
		expect(normalizeAgentUrl(pasted)).toBe(expected);
	});

	it('Test is a chat request the agent endpoint accepts: model placeholder, one output token, ?agent=true', async () => {
		const { request } = credential.test;
		expect(request.body).toEqual({ model: 'ignored', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
		// Sent the way n8n would, at a URL pasted with its path, against the emulator (which requires `model`).
		const baseUrl = evaluate(String(request.baseURL), { endpointUrl: `${emulator.url}/api/v1/chat/completions?agent=true` });
		const query = new URLSearchParams(request.qs as Record<string, string>).toString();
		const response = await fetch(`${baseUrl}${request.url}?${query}`, {
			method: request.method,
			headers: { authorization: `Bearer ${DEFAULT_AGENT_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify(request.body),
		});
		expect(response.status).toBe(200);
		const reply = (await response.json()) as { usage: { completion_tokens: number } };
		expect(reply.usage.completion_tokens).toBe(1);
	});

	it('says in the form that Test spends a one-token request, since agents have no free check', () => {
		const notice = credential.properties.find((p) => p.type === 'notice');
		expect(notice?.displayName).toMatch(/one-token answer/);
		expect(notice?.displayName).toMatch(/billed/);
	});
});
