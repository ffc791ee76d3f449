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
import { inputTypeProperty, messageListProperty, promptProperty } from '../shared/conversation';
import { modelLocator, outputMode, requestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { searchModels } from '../shared/models';
import type { InferenceClient, ReplyMeta } from '../shared/transport';
import { messagesOptions } from './messagesOptions';
import { buildMessagesRequest, MESSAGE_ROLES, type MessagesOptions } from './messagesRequest';
import { collectMessagesStream, simplifyMessage, type Message } from './messagesResponse';

const PATH = '/v1/messages';
/** The Anthropic API version the request and reply shapes follow. */
const ANTHROPIC_HEADERS = { 'anthropic-version': '2023-06-01' };

async function createMessage(
	client: InferenceClient,
	body: Record<string, unknown>,
	stream: boolean,
	itemIndex: number,
): Promise<{ message: Message; meta: ReplyMeta }> {
	if (!stream) {
		const reply = await client.json<Message>({ path: PATH, body, headers: ANTHROPIC_HEADERS, itemIndex });
		return { message: reply.data, meta: reply };
	}
	// Streaming keeps the connection busy, so a long answer never trips the idle timeout.
	return await client.stream(
		{ path: PATH, body: { ...body, stream: true }, headers: ANTHROPIC_HEADERS, itemIndex },
		async (events, meta) => ({ message: await collectMessagesStream(events), meta }),
	);
}

/** /v1/messages serves Anthropic models only, so the picker offers those first. */
function isAnthropicModel(id: string): boolean {
	return /anthropic|claude/i.test(id);
}

export class DigitalOceanMessages implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Messages',
		name: 'digitalOceanMessages',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Talk to Claude models through the Anthropic-compatible Messages API of DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Messages' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			modelLocator('searchMessagesModels', 'e.g. anthropic-claude-4.6-sonnet or claude-sonnet-4-5'),
			inputTypeProperty('A conversation of user and assistant messages'),
			promptProperty,
			messageListProperty([...MESSAGE_ROLES]),
			{
				displayName: 'Max Tokens',
				name: 'maxTokens',
				type: 'number',
				typeOptions: { minValue: 1 },
				// Room for the smallest thinking budget (1,024) plus an answer, so enabling Thinking just works.
				default: 4096,
				required: true,
				description: 'Maximum number of tokens to generate, thinking included (required by the Messages API)',
			},
			messagesOptions,
			outputMode,
			requestOptions,
		],
	};

	methods = {
		listSearch: {
			async searchMessagesModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				const { results } = await searchModels(this, 'chat', filter);
				const anthropic = results.filter((result) => isAnthropicModel(String(result.value)));
				return { results: anthropic.length > 0 ? anthropic : results };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readRequestSettings(this);
		const client = await createClient(this, settings);

		const requestFor = async (itemIndex: number) =>
			await buildMessagesRequest(
				this,
				itemIndex,
				this.getNodeParameter('model', itemIndex, '', { extractValue: true }) as string,
			);

		const output = await runItems(
			this,
			async (itemIndex, validated) => {
				const body = validated ?? (await requestFor(itemIndex));
				const options = this.getNodeParameter('options', itemIndex, {}) as MessagesOptions;
				const { message, meta } = await createMessage(client, body, options.stream !== false, itemIndex);
				if (this.getNodeParameter('output', itemIndex, 'simplified') === 'raw') {
					return [{ json: message as unknown as INodeExecutionData['json'], pairedItem: { item: itemIndex } }];
				}
				return [{ json: simplifyMessage(message, { requestId: meta.requestId }), pairedItem: { item: itemIndex } }];
			},
			{ concurrency: settings.concurrency, validate: requestFor, reuseValidated: true },
		);
		return [output];
	}
}
