/**
 * The DigitalOcean Embeddings sub-node (output `ai_embedding`): plugs into n8n's vector stores and
 * retrievers and embeds their documents and queries on DigitalOcean, batched on the package's own
 * transport. It needs nothing from n8n's AI SDK or LangChain, so it loads on every n8n this package
 * supports (2.8 and later).
 */
import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { createClient } from '../shared/client';
import { batchRequestOptions, modelLocator } from '../shared/descriptions';
import { batchSizeOption, encodingOption } from '../shared/embeddingsFields';
import { searchModels } from '../shared/models';
import { userOption } from '../shared/textOptions';
import { DEFAULT_BATCH_SIZE, DEFAULT_ENCODING, readModelSettings } from './modelSettings';
import { createTextEmbedder } from './textEmbedder';

export class DigitalOceanEmbeddingsModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Embeddings DigitalOcean',
		name: 'digitalOceanEmbeddingsModel',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Embed documents and queries for vector stores with models on DigitalOcean Serverless Inference',
		defaults: { name: 'Embeddings DigitalOcean' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiEmbedding],
		outputNames: ['Embeddings'],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			{
				displayName:
					"This node must be connected to a vector store. <a data-action='openSelectiveNodeCreator' data-action-parameter-connectiontype='ai_vectorStore'>Insert one</a>",
				name: 'notice',
				type: 'notice',
				default: '',
				typeOptions: { containerClass: 'ndv-connection-hint-notice' },
			},
			{
				...modelLocator('searchEmbeddingModels', 'e.g. qwen3-embedding-0.6b'),
				description: 'The embedding model to use. Insert and search with the same model: vectors of different models do not compare.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					batchSizeOption(
						DEFAULT_BATCH_SIZE,
						"How many texts go into one request (at most 2048, the API's limit). The vector store hands over its own batches (its Embedding Batch Size, 200 by default); bigger ones are split. Request Options → Concurrency sets how many requests run at the same time.",
					),
					{
						...encodingOption,
						default: DEFAULT_ENCODING,
						description:
							'How the API sends the vectors. Base64 (packed float32, a quarter of the size) unless you choose Float; the vector store always gets plain numbers.',
					},
					userOption,
				],
			},
			batchRequestOptions,
		],
	};

	methods = {
		listSearch: {
			async searchEmbeddingModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchModels(this, 'embedding', filter);
			},
		},
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const settings = await readModelSettings(this, itemIndex);
		const client = await createClient(this, settings.transport);
		return { response: createTextEmbedder(this, client, settings, itemIndex) };
	}
}
