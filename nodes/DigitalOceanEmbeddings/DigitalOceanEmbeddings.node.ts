import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { runBatches } from '../shared/batches';
import { createClient, readRequestSettings } from '../shared/client';
import { batchRequestOptions, modelLocator } from '../shared/descriptions';
import { searchModels } from '../shared/models';
import { embedBatch } from './embedBatch';
import { readBatchSize, readEmbeddingInput, requestKey } from './embeddingsInput';
import { embeddingsOptions } from './embeddingsOptions';

export class DigitalOceanEmbeddings implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Embeddings',
		name: 'digitalOceanEmbeddings',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Turn text into embedding vectors with models on DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Embeddings' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			{
				...modelLocator('searchEmbeddingModels', 'e.g. qwen3-embedding-0.6b'),
				description: 'The embedding model to use',
			},
			{
				displayName: 'Text',
				name: 'text',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '={{ $json.text }}',
				required: true,
				description:
					'The text to embed. Each input item becomes one output item with its vector; items are sent to the API in batches.',
			},
			embeddingsOptions,
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

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readRequestSettings(this);
		const batchSize = await readBatchSize(this);
		const client = await createClient(this, settings);
		const output = await runBatches(this, async (batch) => await embedBatch(client, batch), {
			batchSize,
			concurrency: settings.concurrency,
			prepare: async (itemIndex) => await readEmbeddingInput(this, itemIndex),
			groupKey: requestKey,
		});
		return [output];
	}
}
