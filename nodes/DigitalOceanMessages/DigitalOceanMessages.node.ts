import type {
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { builtInToolsProperty } from '../shared/builtInTools';
import { mcpCredentialDisplay } from '../shared/mcpAuthorization';
import { createClient, readRequestSettings } from '../shared/client';
import { inputTypeProperty, messageListProperty, promptProperty } from '../shared/conversation';
import { modelLocator, outputMode, answerRequestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { searchPreferredModels } from '../shared/models';
import { redactDeep } from '../shared/redact';
import type { InferenceClient, ReplyMeta } from '../shared/transport';
import { messagesOptions } from './messagesOptions';
import { buildMessagesRequest, MESSAGE_ROLES, type MessagesOptions, type MessagesRequest } from './messagesRequest';
import { MessagesStreamReader, simplifyMessage, type Message } from './messagesResponse';

const PATH = '/v1/messages';
/** The Anthropic API version the request and reply shapes follow. */
const ANTHROPIC_HEADERS = { 'anthropic-version': '2023-06-01' };

async function createMessage(
	client: InferenceClient,
	{ body, secrets }: MessagesRequest,
	stream: boolean,
	itemIndex: number,
): Promise<{ message: Message; meta: ReplyMeta }> {
	if (!stream) {
		const reply = await client.json<Message>({ path: PATH, body, headers: ANTHROPIC_HEADERS, itemIndex, secrets });
		return { message: reply.data, meta: reply };
	}
	// Streaming keeps the connection busy, so a long answer never trips the idle timeout.
	const reply = await client.stream(
		{ path: PATH, body: { ...body, stream: true }, headers: ANTHROPIC_HEADERS, itemIndex, secrets },
		() => new MessagesStreamReader(),
	);
	return { message: reply.data, meta: reply };
}

/** Block types the Simplified output shows under their own fields; the others are built-in tools' activity. */
const OWN_BLOCK_TYPES = new Set(['text', 'thinking', 'redacted_thinking', 'tool_use']);

function simplified(message: Message, requestId: string | undefined): IDataObject {
	const blocks = Array.isArray(message.content) ? message.content : [];
	return {
		...simplifyMessage(message, { requestId }),
		builtInToolCalls: blocks.filter((block) => !OWN_BLOCK_TYPES.has(block.type)) as IDataObject[],
	};
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
		// 1.1: MCP tools choose where their authorization comes from (version 1 keeps the typed value).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Talk to Claude models through the Anthropic-compatible Messages API of DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Messages' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'digitalOceanInferenceApi', required: true },
			// Optional: only MCP tools with Authorization "From Credential" read it.
			{ name: 'digitalOceanMcpServerApi', required: false, displayOptions: mcpCredentialDisplay },
		],
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
			builtInToolsProperty,
			messagesOptions,
			outputMode,
			answerRequestOptions,
		],
	};

	methods = {
		listSearch: {
			async searchMessagesModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchPreferredModels(this, filter, isAnthropicModel);
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
				const request = validated ?? (await requestFor(itemIndex));
				const options = this.getNodeParameter('options', itemIndex, {}) as MessagesOptions;
				const { message, meta } = await createMessage(client, request, options.stream !== false, itemIndex);
				const json =
					this.getNodeParameter('output', itemIndex, 'simplified') === 'raw'
						? (message as unknown as IDataObject)
						: simplified(message, meta.requestId);
				// Built-in tool blocks may echo an MCP server's authorization.
				return [{ json: redactDeep(json, request.secrets), pairedItem: { item: itemIndex } }];
			},
			{ concurrency: settings.concurrency, validate: requestFor, reuseValidated: true },
		);
		return [output];
	}
}
