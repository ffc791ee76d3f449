import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { AnswerRelay, executionStreams, relayAnswer } from '../shared/answerRelay';
import { builtInToolsProperty } from '../shared/builtInTools';
import { mcpCredentialDisplay } from '../shared/mcpAuthorization';
import { createClient, readRequestSettings } from '../shared/client';
import { inputTypeProperty, messageListProperty, promptProperty } from '../shared/conversation';
import { modelLocator, outputMode, answerRequestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { searchModels } from '../shared/models';
import { redactDeep } from '../shared/redact';
import type { InferenceClient, ReplyMeta } from '../shared/transport';
import { responseText, simplifyResponse } from './responsesOutput';
import { responsesOptions } from './responsesOptions';
import { buildResponsesRequest, RESPONSES_ROLES, type ResponsesOptions, type ResponsesRequest } from './responsesRequest';
import { ResponsesStreamReader, type ResponseObject } from './responsesStream';

const PATH = '/v1/responses';

async function respond(
	client: InferenceClient,
	{ body, secrets }: ResponsesRequest,
	stream: boolean,
	itemIndex: number,
	relay?: AnswerRelay,
): Promise<{ response: ResponseObject; meta: ReplyMeta }> {
	if (!stream) {
		const reply = await client.json<ResponseObject>({ path: PATH, body, itemIndex, secrets });
		return { response: reply.data, meta: reply };
	}
	// Streaming keeps the connection busy, so a long answer never trips the idle timeout. The
	// `response.chunk` format carries usage only when asked for; typed events always end with it.
	const reply = await client.stream(
		{ path: PATH, body: { ...body, stream: true, stream_options: { include_usage: true } }, itemIndex, secrets },
		() => {
			relay?.newAttempt();
			return new ResponsesStreamReader(relay?.onDelta);
		},
	);
	return { response: reply.data, meta: reply };
}

export class DigitalOceanResponses implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Responses',
		name: 'digitalOceanResponses',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		// 1.1: MCP tools choose where their authorization comes from (version 1 keeps the typed value).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Generate answers with the Responses API of DigitalOcean Serverless Inference, with stored turns and tools',
		defaults: { name: 'DigitalOcean Responses' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'digitalOceanInferenceApi', required: true },
			// Optional: only MCP tools with Authorization "From Credential" read it.
			{ name: 'digitalOceanMcpServerApi', required: false, displayOptions: mcpCredentialDisplay },
		],
		properties: [
			modelLocator('searchChatModels', 'e.g. openai-gpt-oss-120b'),
			inputTypeProperty('A conversation of system, developer, user and assistant messages'),
			promptProperty,
			messageListProperty([...RESPONSES_ROLES]),
			{
				displayName: 'Instructions',
				name: 'instructions',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				placeholder: 'e.g. You are a concise assistant. Answer in English.',
				description: 'System-level instructions for this turn; sent only when filled in',
			},
			builtInToolsProperty,
			responsesOptions,
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
		const client = await createClient(this, settings);

		const requestFor = async (itemIndex: number) =>
			await buildResponsesRequest(
				this,
				itemIndex,
				this.getNodeParameter('model', itemIndex, '', { extractValue: true }) as string,
			);

		const streaming = executionStreams(this);

		const output = await runItems(
			this,
			async (itemIndex, validated) => {
				const request = validated ?? (await requestFor(itemIndex));
				const options = this.getNodeParameter('options', itemIndex, {}) as ResponsesOptions;
				const relay = streaming && options.streamToChat !== false ? new AnswerRelay(this, itemIndex) : undefined;
				const { response, meta } = await relayAnswer(
					relay,
					async () => await respond(client, request, options.stream !== false, itemIndex, relay),
					(reply) => responseText(reply.response),
				);
				const json =
					this.getNodeParameter('output', itemIndex, 'simplified') === 'raw'
						? response
						: simplifyResponse(response, { requestId: meta.requestId });
				// Built-in tool items may echo the MCP server's authorization.
				return [{ json: redactDeep(json, request.secrets) as INodeExecutionData['json'], pairedItem: { item: itemIndex } }];
			},
			{ concurrency: settings.concurrency, validate: requestFor, reuseValidated: true },
		);
		return [output];
	}
}
