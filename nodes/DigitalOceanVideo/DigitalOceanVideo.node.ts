import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { readOutputTarget } from '../shared/binary';
import { modelLocator, requestOptions } from '../shared/descriptions';
import { executeJobNode, jobProperties } from '../shared/jobOperations';
import { searchModels } from '../shared/models';
import { createVideoDriver } from './videoJob';
import { DEFAULT_FILE_NAME, videoOptions, type VideoOptions } from './videoOptions';
import { buildVideoRequest } from './videoRequest';

const SUBMITTING = { show: { operation: ['generate', 'submit'] } };

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- deliberately not a tool: binary output (see `description`)
export class DigitalOceanVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Video',
		name: 'digitalOceanVideo',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Generate video clips from a prompt with models on DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Video' },
		// No `usableAsTool`: the result is an MP4 file after minutes of waiting, not an answer for an agent.
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			...jobProperties('the video', 900),
			{
				...modelLocator('searchVideoModels', 'e.g. wan2.2-t2v-a14b'),
				description: 'The video model to use',
				displayOptions: SUBMITTING,
			},
			{
				displayName: 'Prompt',
				name: 'prompt',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				required: true,
				placeholder: 'e.g. A paper boat drifting down a rainy street, cinematic, slow camera pan',
				description: 'What the clip should show',
				displayOptions: SUBMITTING,
			},
			videoOptions(['generate', 'submit', 'getResult']),
			requestOptions,
		],
	};

	methods = {
		listSearch: {
			async searchVideoModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchModels(this, 'video', filter);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeJobNode(
			this,
			(client, retries) => createVideoDriver(this, client, retries),
			async (itemIndex) => await buildVideoRequest(this, itemIndex),
			(itemIndex) => readOutputTarget(this.getNodeParameter('options', itemIndex, {}) as VideoOptions, DEFAULT_FILE_NAME, 'video'),
		);
	}
}
