import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

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
			description: "Shown on the agent's Overview page in the DigitalOcean control panel",
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
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.agentAccessKey}}',
			},
		},
	};

	// Agent endpoints have no free read-only route: the test asks for a one-token answer.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.endpointUrl || "").replace(/\\/+$/, "") }}',
			url: '/api/v1/chat/completions',
			method: 'POST',
			qs: { agent: 'true' },
			body: { messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
		},
	};
}
