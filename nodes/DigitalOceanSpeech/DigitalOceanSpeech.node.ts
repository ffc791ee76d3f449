import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { extensionFor, mediaFileName } from '../shared/binary';
import { createClient, readRequestSettings } from '../shared/client';
import { modelLocator, requestOptions } from '../shared/descriptions';
import { runItems } from '../shared/items';
import { searchModels } from '../shared/models';
import { speechOptions } from './speechOptions';
import { readSpeechReply, SpeechReplyError } from './speechReply';
import { buildSpeechRequest } from './speechRequest';

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- deliberately not a tool: binary output (see `description`)
export class DigitalOceanSpeech implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DigitalOcean Speech',
		name: 'digitalOceanSpeech',
		icon: { light: 'file:../icons/digitalocean.svg', dark: 'file:../icons/digitalocean.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].cachedResultName || $parameter["model"].value }}',
		description: 'Turn text into speech (an audio file) with models on DigitalOcean Serverless Inference',
		defaults: { name: 'DigitalOcean Speech' },
		// No `usableAsTool`: the result is a binary audio file, which an AI agent cannot read as a tool answer.
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'digitalOceanInferenceApi', required: true }],
		properties: [
			{
				...modelLocator('searchSpeechModels', 'e.g. qwen3-tts-voicedesign'),
				description: 'The text-to-speech model to use',
			},
			{
				displayName: 'Text',
				name: 'text',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				required: true,
				placeholder: 'e.g. Welcome to our weekly update.',
				description: 'The text to speak, up to 4096 characters. Each input item becomes one audio file.',
			},
			speechOptions,
			requestOptions,
		],
	};

	methods = {
		listSearch: {
			async searchSpeechModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				return await searchModels(this, 'tts', filter);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readRequestSettings(this);
		const client = await createClient(this, settings);

		const output = await runItems(
			this,
			async (itemIndex) => {
				const request = await buildSpeechRequest(this, itemIndex);
				const reply = await client.binary({ path: '/v1/audio/speech', body: request.body, itemIndex }, { maxBytes: request.maxBytes });
				const audio = await readSpeechReply(reply, request.body.response_format).catch((error: unknown) => {
					if (!(error instanceof SpeechReplyError)) throw error;
					throw new NodeOperationError(this.getNode(), error.message, {
						itemIndex,
						description: 'Try another audio format or model; if it persists, the API changed its reply.',
					});
				});
				const fileName = mediaFileName(request.fileBase, audio.mimeType);
				// Always with the mime type: n8n would store a stream without one as text/plain.
				const binary = await this.helpers.prepareBinaryData(audio.data, fileName, audio.mimeType);
				return [
					{
						json: {
							fileName,
							mimeType: audio.mimeType,
							fileSize: audio.size(),
							format: extensionFor(audio.mimeType),
							model: request.body.model,
							voice: request.body.voice ?? null,
							requestId: reply.requestId ?? null,
						},
						binary: { [request.field]: binary },
						pairedItem: { item: itemIndex },
					},
				];
			},
			{ concurrency: settings.concurrency, validate: async (itemIndex) => await buildSpeechRequest(this, itemIndex) },
		);
		return [output];
	}
}
