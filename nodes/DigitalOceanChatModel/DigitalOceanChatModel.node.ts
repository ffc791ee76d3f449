import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { chatOptionFields } from '../shared/chatFields';
import { createClient } from '../shared/client';
import { modelLocator } from '../shared/descriptions';
import { readModelId, searchModels } from '../shared/models';
import { asItemInputError } from '../shared/validation';
import { loadAiNodeSdk } from './aiNodeSdk';
import { chatModelOptions, type ChatModelOptions } from './chatModelOptions';
import { ServerlessChatModel } from './serverlessChatModel';
import { recordStreamedUsage } from './streamedUsage';

export class DigitalOceanChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Chat Model',
		name: 'digitalOceanChatModel',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: [1],
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'A chat model on DigitalOcean Serverless Inference for the AI Agent and AI chains (n8n 2.16 or newer)',
		defaults: { name: 'DigitalOcean Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			{
				displayName:
					"This node must be connected to an AI agent or chain. <a data-action='openSelectiveNodeCreator' data-action-parameter-creatorview='AI'>Insert one</a>",
				name: 'notice',
				type: 'notice',
				default: '',
				typeOptions: { containerClass: 'ndv-connection-hint-notice' },
			},
			modelLocator('searchChatModels', 'e.g. llama3.3-70b-instruct or router:my-router', { withRouter: true }),
			chatModelOptions,
		],
	};

	methods = {
		listSearch: {
			async searchChatModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchModels(this, 'chat', filter);
			},
		},
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		// First: on n8n before 2.16 this is the one clear error the user gets.
		const sdk = await loadAiNodeSdk(this.getNode());
		const modelId = readModelId(this, itemIndex);
		if (modelId === '' || modelId === 'router:') {
			throw new NodeOperationError(this.getNode(), 'No model selected', {
				itemIndex,
				description: 'Pick a model from the list, enter its ID, or name a router.',
			});
		}
		const options = this.getNodeParameter('options', itemIndex, {}) as ChatModelOptions;
		const fields = await asItemInputError(this, itemIndex, () => chatOptionFields(options));
		const client = await createClient(this, {
			timeoutMs: options.timeout ? options.timeout * 1000 : undefined,
			maxRetries: options.maxRetries,
			offersRetryBrokenAnswers: false,
		});
		const model = new ServerlessChatModel({
			node: this.getNode(),
			client,
			modelId,
			fields,
			streaming: options.streaming !== false,
			toJsonSchema: (tool) => sdk.getParametersJsonSchema(tool),
		});
		const supplied = sdk.supplyModel(this, model);
		return { ...supplied, response: recordStreamedUsage(supplied.response) };
	}
}
