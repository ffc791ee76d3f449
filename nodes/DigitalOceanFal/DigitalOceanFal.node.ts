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
import { requestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { jobProperties, readJobOperation, runJobOperation, validateJobItem } from '../shared/jobOperations';
import { searchModels } from '../shared/models';
import { createFalDriver } from './falJob';
import { falProperties } from './falProperties';
import { buildFalRequest } from './falRequest';

export class DigitalOceanFal implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Fal',
		name: 'digitalOceanFal',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ($parameter["model"] && $parameter["model"] !== "other" ? ": " + $parameter["model"] : "") }}',
		description: 'Run fal image, audio and speech models on DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Fal' },
		// No `usableAsTool`: results are media files after a wait, not an answer an agent can read.
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [...jobProperties('the media files', 300), ...falProperties, requestOptions],
	};

	methods = {
		listSearch: {
			async searchFalModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchModels(this, 'fal', filter);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readRequestSettings(this);
		const client = await createClient(this, settings);
		const operation = readJobOperation(this);
		const driver = createFalDriver(this, client, settings.maxRetries);

		const output = await runItems(this, async (itemIndex) => await runJobOperation(this, operation, itemIndex, driver), {
			concurrency: settings.concurrency,
			validate: async (itemIndex) => await validateJobItem(this, operation, itemIndex, async (i) => await buildFalRequest(this, i)),
		});
		return [output];
	}
}
