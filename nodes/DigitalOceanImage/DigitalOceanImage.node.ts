import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { createClient, readRequestSettings } from '../shared/client';
import { modelLocator, answerRequestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { searchModels } from '../shared/models';
import { imageOptions } from './imageOptions';
import { buildImageRequest, MAX_PROMPT_CHARS } from './imageRequest';
import { ImageReplyError, imagesToItems, type ImagesReply } from './imageResponse';

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- deliberately not a tool: binary output (see `description`)
export class DigitalOceanImage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Image',
		name: 'digitalOceanImage',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Generate images from a prompt with models on DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Image' },
		// No `usableAsTool`: the result is binary image files, which an AI agent cannot read as a tool answer.
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			{
				...modelLocator('searchImageModels', 'e.g. openai-gpt-image-1'),
				description: 'The image model to use',
			},
			{
				displayName: 'Prompt',
				name: 'prompt',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				required: true,
				placeholder: 'e.g. A watercolor lighthouse at dawn, soft light',
				description: `What the image should show, up to ${MAX_PROMPT_CHARS} characters`,
			},
			imageOptions,
			answerRequestOptions,
		],
	};

	methods = {
		listSearch: {
			async searchImageModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchModels(this, 'image', filter);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readRequestSettings(this);
		const client = await createClient(this, settings);

		const output = await runItems(
			this,
			async (itemIndex) => {
				const request = await buildImageRequest(this, itemIndex);
				const reply = await client.json<ImagesReply>({ path: '/v1/images/generations', body: request.body, itemIndex });
				return await imagesToItems(this, reply.data, request, reply.requestId).catch((error: unknown) => {
					if (!(error instanceof ImageReplyError)) throw error;
					throw new NodeOperationError(this.getNode(), error.message, {
						itemIndex,
						description: 'Try again or another model; if it persists, the API changed its reply.',
					});
				});
			},
			{ concurrency: settings.concurrency, validate: async (itemIndex) => await buildImageRequest(this, itemIndex) },
		);
		return [output];
	}
}
