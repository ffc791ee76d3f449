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
import { requestOptions } from '../shared/descriptions';
import { executeJobNode, jobProperties } from '../shared/jobOperations';
import { searchModels } from '../shared/models';
import { createFalDriver } from './falJob';
import { falProperties, type FalOutputOptions } from './falProperties';
import { buildFalRequest } from './falRequest';

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- deliberately not a tool: binary output (see `description`)
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
		return await executeJobNode(
			this,
			(client, retries) => createFalDriver(this, client, retries),
			async (itemIndex) => await buildFalRequest(this, itemIndex),
			(itemIndex) => readOutputTarget(this.getNodeParameter('options', itemIndex, {}) as FalOutputOptions, '', 'files'),
		);
	}
}
