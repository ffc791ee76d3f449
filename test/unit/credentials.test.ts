import { Workflow, type INodeTypes } from 'n8n-workflow';

import { DigitalOceanInferenceApi } from '../../credentials/DigitalOceanInferenceApi.credentials';

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
