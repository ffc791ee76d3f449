import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { createClient, readRequestSettings } from '../shared/client';
import { modelLocator, outputMode, requestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { searchModels } from '../shared/models';
import type { InferenceClient, ReplyMeta } from '../shared/transport';
import { buildChatRequest, type ChatOptions } from './chatRequest';
import { collectChatStream, simplifyCompletion, type ChatCompletion } from './chatResponse';
import { chatOptions } from './chatOptions';

function routeOf(meta: ReplyMeta): string | undefined {
	const value = meta.headers['x-model-router-selected-route'];
	return Array.isArray(value) ? value[0] : value;
}

async function complete(
	client: InferenceClient,
	body: Record<string, unknown>,
	stream: boolean,
	itemIndex: number,
): Promise<{ completion: ChatCompletion; meta: ReplyMeta }> {
	const path = '/v1/chat/completions';
	if (!stream) {
		const reply = await client.json<ChatCompletion>({ path, body, itemIndex });
		return { completion: reply.data, meta: reply };
	}
	// Streaming keeps the connection busy, so a long answer never trips the idle timeout.
	return await client.stream(
		{ path, body: { ...body, stream: true, stream_options: { include_usage: true } }, itemIndex },
		async (events, meta) => ({ completion: await collectChatStream(events, meta.sse), meta }),
	);
}

export class DigitalOceanChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Chat',
		name: 'digitalOceanChat',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Chat with models on DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			modelLocator('searchChatModels', 'e.g. llama3.3-70b-instruct or router:my-router'),
			{
				displayName: 'Input Type',
				name: 'inputType',
				type: 'options',
				default: 'prompt',
				options: [
					{ name: 'Simple Prompt', value: 'prompt', description: 'One user prompt' },
					{ name: 'Message List', value: 'messages', description: 'A conversation of system, developer, user and assistant messages' },
				],
			},
			{
				displayName: 'Prompt',
				name: 'prompt',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				required: true,
				placeholder: 'e.g. Summarize this text in three bullet points',
				displayOptions: { show: { inputType: ['prompt'] } },
			},
			{
				displayName: 'Messages',
				name: 'messages',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, sortable: true },
				default: { message: [{ role: 'user', content: '' }] },
				placeholder: 'Add Message',
				displayOptions: { show: { inputType: ['messages'] } },
				options: [
					{
						displayName: 'Message',
						name: 'message',
						values: [
							{
								displayName: 'Role',
								name: 'role',
								type: 'options',
								default: 'user',
								options: [
									{ name: 'Assistant', value: 'assistant' },
									{ name: 'Developer', value: 'developer' },
									{ name: 'System', value: 'system' },
									{ name: 'User', value: 'user' },
								],
							},
							{
								displayName: 'Content',
								name: 'content',
								type: 'string',
								typeOptions: { rows: 2 },
								default: '',
							},
						],
					},
				],
			},
			chatOptions,
			outputMode,
			requestOptions,
		],
	};

	methods = {
		listSearch: {
			async searchChatModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchModels(this, 'chat', filter);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readRequestSettings(this);
		const client = await createClient(this, settings);

		const requestFor = async (itemIndex: number) =>
			await buildChatRequest(
				this,
				itemIndex,
				this.getNodeParameter('model', itemIndex, '', { extractValue: true }) as string,
			);

		const output = await runItems(
			this,
			async (itemIndex) => {
				const body = await requestFor(itemIndex);
				const options = this.getNodeParameter('options', itemIndex, {}) as ChatOptions;
				const { completion, meta } = await complete(client, body, options.stream !== false, itemIndex);
				if (this.getNodeParameter('output', itemIndex, 'simplified') === 'raw') {
					return [{ json: completion as unknown as INodeExecutionData['json'] }];
				}
				return simplifyCompletion(completion, { requestId: meta.requestId, route: routeOf(meta) }).map(
					(json) => ({ json }),
				);
			},
			{ concurrency: settings.concurrency, validate: requestFor },
		);
		return [output];
	}
}
