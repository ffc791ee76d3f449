import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { AGENT_CHAT_PATH, AGENT_MODEL_PLACEHOLDER } from '../nodes/shared/agent';

/** One DigitalOcean agent: its endpoint URL and an access key created for that agent. */
export class DigitalOceanAgentApi implements ICredentialType {
	name = 'digitalOceanAgentApi';

	displayName = 'DigitalOcean Agent API';

	icon: Icon = {
		light: 'file:../nodes/icons/digitalocean.svg',
		dark: 'file:../nodes/icons/digitalocean.dark.svg',
	};

	documentationUrl =
		'https://docs.digitalocean.com/products/gradient-ai-platform/how-to/use-agent-endpoint/';

	properties: INodeProperties[] = [
		{
			displayName: 'Agent Endpoint URL',
			name: 'endpointUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://abcdefghij1234567890.agents.do-ai.run',
			description:
				"Shown on the agent's Overview page in the DigitalOcean control panel. A URL copied with /api/v1/chat/completions (or ?agent=true) works too.",
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- an agent access key is a secret; renaming the field would break saved credentials
		{
			displayName: 'Agent Access Key',
			name: 'agentAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "Create one on the agent's Settings page under Endpoint Access Keys",
		},
		{
			displayName:
				"Test asks the agent for a one-token answer: agent endpoints have no free check. It is billed like any agent request (a few input tokens and 1 output token at the agent model's price), plus whatever the agent's knowledge bases or tools do for the word \"ping\".",
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.agentAccessKey}}',
			},
		},
	};

	// Agent endpoints have no free read-only route (OA, GODO and the SDKs know only chat completions),
	// so the test asks for a one-token answer; the notice above says so. The baseURL expression
	// normalises a pasted URL like normalizeAgentUrl() in nodes/shared/agent.ts.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ String($credentials.endpointUrl || "").trim().replace(/[?#].*$/, "").replace(/\\/+$/, "").replace(/\\/api\\/v1(\\/chat\\/completions)?$/, "") }}',
			url: AGENT_CHAT_PATH,
			method: 'POST',
			qs: { agent: 'true' },
			body: { model: AGENT_MODEL_PLACEHOLDER, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
		},
	};
}
