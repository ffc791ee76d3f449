import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** The Model Access Key of DigitalOcean Serverless Inference (a personal access token with full scope also works). */
export class DigitalOceanInferenceApi implements ICredentialType {
	name = 'digitalOceanInferenceApi';

	// The name users see in DigitalOcean's control panel; "… Key API" would only confuse them.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'DigitalOcean Model Access Key';

	icon: Icon = {
		light: 'file:../nodes/icons/digitalocean.svg',
		dark: 'file:../nodes/icons/digitalocean.dark.svg',
	};

	documentationUrl =
		'https://docs.digitalocean.com/products/gradient-ai-platform/how-to/use-serverless-inference/';

	properties: INodeProperties[] = [
		{
			displayName: 'Model Access Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Create one in the DigitalOcean control panel under Agent Platform → Serverless Inference → Model Access Keys',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://inference.do-ai.run',
			description:
				'Leave the default unless you use a proxy or a local emulator. A trailing /v1 is ignored.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.baseUrl || "https://inference.do-ai.run").replace(/\\/+$/, "").replace(/\\/v1$/, "") }}',
			url: '/v1/models',
		},
		// Shown by n8n versions that keep the HTTP response on a failed test (2.41 does; 2.8 shows its own text).
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'DigitalOcean rejected the Model Access Key (HTTP 401). Check the key under Agent Platform → Serverless Inference → Model Access Keys, and the Base URL.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'DigitalOcean refused this key access to the model list (HTTP 403). Check the key\'s scope and any IP or VPC restrictions.',
				},
			},
		],
	};
}
