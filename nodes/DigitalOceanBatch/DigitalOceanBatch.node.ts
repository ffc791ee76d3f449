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
import { runItems } from '../shared/items';
import { searchPreferredModels } from '../shared/models';
import type { InferenceClient } from '../shared/transport';
import { asItemInputError } from '../shared/validation';
import { getResults } from './batchDownload';
import { cancel, getStatus, list, readBatchId, waitForCompletion } from './batchOperations';
import { batchProperties, type BatchOperation } from './batchProperties';
import { submitBatch } from './batchSubmit';

/** Batch inference runs OpenAI and Anthropic models only, so the picker offers those. */
function isBatchModel(id: string): boolean {
	return /openai|gpt|anthropic|claude/i.test(id);
}

type ItemOperation = (ctx: IExecuteFunctions, client: InferenceClient, itemIndex: number, retries: number) => Promise<INodeExecutionData[]>;

const ITEM_OPERATIONS: Record<Exclude<BatchOperation, 'submit'>, ItemOperation> = {
	getStatus,
	waitForCompletion,
	getResults,
	cancel,
	list,
};

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- deliberately not a tool: a batch answers within hours, not within an agent's turn
export class DigitalOceanBatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Batch',
		name: 'digitalOceanBatch',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description:
			'Run many OpenAI or Anthropic requests as one batch on DigitalOcean Serverless Inference: up to 50 % cheaper, results within 24 hours',
		defaults: { name: 'DigitalOcean Batch' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: batchProperties,
	};

	methods = {
		listSearch: {
			async searchBatchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchPreferredModels(this, filter, isBatchModel);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readRequestSettings(this);
		const client = await createClient(this, settings);
		const operation = this.getNodeParameter('operation', 0, 'submit') as BatchOperation;
		if (operation === 'submit') return [await submitBatch(this, client)];
		const handler = ITEM_OPERATIONS[operation];
		const output = await runItems(this, async (itemIndex) => await handler(this, client, itemIndex, settings.maxRetries), {
			concurrency: settings.concurrency,
			validate: operation === 'list' ? undefined : async (itemIndex) => await asItemInputError(this, itemIndex, () => readBatchId(this, itemIndex)),
			ownPairedItems: operation === 'getResults',
		});
		return [output];
	}
}
