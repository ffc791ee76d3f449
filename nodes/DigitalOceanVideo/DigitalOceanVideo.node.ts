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
import { createClient, readRequestSettings } from '../shared/client';
import { modelLocator, requestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { jobProperties, readJobOperation, runJobOperation, validateJobItem } from '../shared/jobOperations';
import { searchModels } from '../shared/models';
import { asItemInputError } from '../shared/validation';
import { createVideoDriver } from './videoJob';
import { DEFAULT_FILE_NAME, videoOptions, type VideoOptions } from './videoOptions';
import { buildVideoRequest } from './videoRequest';

const SUBMITTING = { show: { operation: ['generate', 'submit'] } };

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
		const settings = readRequestSettings(this);
		const client = await createClient(this, settings);
		const operation = readJobOperation(this);
		const driver = createVideoDriver(this, client, settings.maxRetries);

		const validate = async (itemIndex: number) => {
			await asItemInputError(this, itemIndex, () => {
				if (operation === 'generate' || operation === 'getResult') {
					readOutputTarget(this.getNodeParameter('options', itemIndex, {}) as VideoOptions, DEFAULT_FILE_NAME, 'video');
				}
			});
			return await validateJobItem(this, operation, itemIndex, async (i) => await buildVideoRequest(this, i));
		};

		const output = await runItems(this, async (itemIndex) => await runJobOperation(this, operation, itemIndex, driver), {
			concurrency: settings.concurrency,
			validate,
		});
		return [output];
	}
}
