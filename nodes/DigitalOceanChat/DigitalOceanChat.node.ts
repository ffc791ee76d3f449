import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { AGENT_CHAT_PATH } from '../shared/agent';
import { AnswerRelay, executionStreams, relayAnswer } from '../shared/answerRelay';
import { requestChatCompletion } from '../shared/chatCompletion';
import { builtInToolsProperty } from '../shared/builtInTools';
import { mcpCredentialDisplay } from '../shared/mcpAuthorization';
import { createClient, readRequestSettings, type Target } from '../shared/client';
import { inputTypeProperty, messageListProperty, promptProperty } from '../shared/conversation';
import { modelLocator, outputMode, answerRequestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { searchModels } from '../shared/models';
import { redactDeep } from '../shared/redact';
import type { CallOptions, ReplyMeta } from '../shared/transport';
import { buildChatRequest, CHAT_ROLES, type ChatOptions } from './chatRequest';
import { firstChoiceText, simplifyCompletion } from './chatResponse';
import { CACHE_TTL_OPTIONS, chatOptions } from './chatOptions';

function routeOf(meta: ReplyMeta): string | undefined {
	const value = meta.headers['x-model-router-selected-route'];
	return Array.isArray(value) ? value[0] : value;
}

/** Serverless models answer on /v1; an agent on its own endpoint, which requires `?agent=true`. */
function endpointFor(target: Target): Pick<CallOptions, 'path' | 'query'> {
	return target === 'agent'
		? { path: AGENT_CHAT_PATH, query: { agent: 'true' } }
		: { path: '/v1/chat/completions' };
}

/** A JSON answer is data for the next node rather than a reply, so it goes to the chat only when asked. */
function streamsToChat(options: ChatOptions): boolean {
	const json = options.responseFormat === 'json_object' || options.responseFormat === 'json_schema';
	return options.streamToChat ?? !json;
}

export class DigitalOceanChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Chat',
		name: 'digitalOceanChat',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		// 1.1: MCP tools choose where their authorization comes from (version 1 keeps the typed value).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Chat with models on DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'digitalOceanInferenceApi', required: true, displayOptions: { show: { target: ['model'] } } },
			{ name: 'digitalOceanAgentApi', required: true, displayOptions: { show: { target: ['agent'] } } },
			// Optional: only MCP tools with Authorization "From Credential" read it.
			{ name: 'digitalOceanMcpServerApi', required: false, displayOptions: mcpCredentialDisplay },
		],
		properties: [
			{
				displayName: 'Target',
				name: 'target',
				type: 'options',
				noDataExpression: true,
				default: 'model',
				options: [
					{
						name: 'Serverless Model',
						value: 'model',
						description: 'Any model of DigitalOcean Serverless Inference, or an Inference Router',
					},
					{
						name: 'Agent',
						value: 'agent',
						description: 'A DigitalOcean agent (its own model, knowledge bases and guardrails)',
					},
				],
			},
			{
				...modelLocator('searchChatModels', 'e.g. llama3.3-70b-instruct or router:my-router', { withRouter: true }),
				displayOptions: { show: { target: ['model'] } },
			},
			inputTypeProperty('A conversation of system, developer, user, assistant and tool messages'),
			promptProperty,
			messageListProperty([...CHAT_ROLES], [
				{
					displayName: 'Tool Calls',
					name: 'toolCalls',
					type: 'json',
					default: '',
					displayOptions: { show: { role: ['assistant'] } },
					hint: 'e.g. {{ JSON.stringify($json.toolCalls) }} of the earlier DigitalOcean Chat answer',
					description:
						'The tool calls of an earlier answer this assistant message repeats, as a JSON array: the toolCalls of the Simplified output or the raw tool_calls. Content may then stay empty. Answer each call with a Tool message.',
				},
				{
					displayName: 'Tool Call ID',
					name: 'toolCallId',
					type: 'string',
					default: '',
					displayOptions: { show: { role: ['tool'] } },
					placeholder: 'e.g. call_abc123',
					hint: 'e.g. {{ $json.toolCalls[0].id }} of the earlier DigitalOcean Chat answer',
					description: 'The ID of the tool call this message answers; Content holds what the tool returned',
				},
				{
					displayName: 'Cache',
					name: 'cache',
					type: 'options',
					default: 'none',
					options: CACHE_TTL_OPTIONS,
					description:
						'Mark this message for prompt caching (Anthropic and OpenAI models), e.g. a long document you ask several questions about',
				},
			]),
			builtInToolsProperty,
			chatOptions,
			outputMode,
			answerRequestOptions,
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
		const target = this.getNodeParameter('target', 0, 'model') as Target;
		const client = await createClient(this, settings, target);
		const requestFor = async (itemIndex: number) => await buildChatRequest(this, itemIndex, target);
		const streaming = executionStreams(this);

		const output = await runItems(
			this,
			async (itemIndex, validated) => {
				const request = validated ?? (await requestFor(itemIndex));
				const options = this.getNodeParameter('options', itemIndex, {}) as ChatOptions;
				const relay = streaming && streamsToChat(options) ? new AnswerRelay(this, itemIndex) : undefined;
				const call = { ...endpointFor(target), itemIndex, secrets: request.secrets, body: request.body };
				const { completion, meta } = await relayAnswer(
					relay,
					async () =>
						await requestChatCompletion(client, call, {
							stream: options.stream !== false,
							onDelta: relay?.onDelta,
							onAttempt: () => relay?.newAttempt(),
						}),
					(reply) => firstChoiceText(reply.completion),
				);
				const outputs =
					this.getNodeParameter('output', itemIndex, 'simplified') === 'raw'
						? [completion as unknown as INodeExecutionData['json']]
						: simplifyCompletion(completion, { requestId: meta.requestId, route: routeOf(meta) });
				// Built-in tool secrets (MCP authorization) never reach the output, whatever the model echoes.
				return outputs.map((json) => ({ json: redactDeep(json, request.secrets), pairedItem: { item: itemIndex } }));
			},
			{ concurrency: settings.concurrency, validate: requestFor, reuseValidated: true },
		);
		return [output];
	}
}
