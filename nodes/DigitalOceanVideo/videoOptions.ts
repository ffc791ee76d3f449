/**
 * The Video node's "Options" collection: Size, Frames per Second and Extra Body Fields reach the wire
 * only when added; the output options only shape the n8n output.
 */
import type { INodeProperties } from 'n8n-workflow';

import { maxFileSizeOption } from '../shared/jobOperations';

export const DEFAULT_FILE_NAME = 'video';
export const DEFAULT_MAX_FILE_MB = 500;

export interface VideoOptions {
	size?: string;
	fps?: number;
	extraBody?: string | object;
	binaryPropertyName?: string;
	fileName?: string;
	maxFileSize?: number;
}

export function videoOptions(operations: string[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: operations } },
		options: [
			{
				displayName: 'Extra Body Fields (JSON)',
				name: 'extraBody',
				type: 'json',
				default: '{}',
				description:
					'More request fields for models that take them (e.g. {"seed": 42}); the fields above win when both set the same key',
				displayOptions: { show: { '/operation': ['generate', 'submit'] } },
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: DEFAULT_FILE_NAME,
				description: 'The output file\'s name without extension, e.g. video gives video.mp4',
				displayOptions: { show: { '/operation': ['generate', 'getResult'] } },
			},
			{
				displayName: 'Frames per Second',
				name: 'fps',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 60 },
				default: 16,
				description: 'Frame rate of the clip (Wan 2.2 uses 16)',
				displayOptions: { show: { '/operation': ['generate', 'submit'] } },
			},
			{
				...maxFileSizeOption(DEFAULT_MAX_FILE_MB),
				displayOptions: { show: { '/operation': ['generate', 'getResult'] } },
			},
			{
				displayName: 'Put Output in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				description: 'The name of the binary field the video is written to',
				displayOptions: { show: { '/operation': ['generate', 'getResult'] } },
			},
			{
				displayName: 'Size',
				name: 'size',
				type: 'options',
				default: '1280x720',
				options: [
					{ name: '1280x720 (720p Landscape, 5 Seconds)', value: '1280x720' },
					{ name: '720x1280 (720p Portrait, 5 Seconds)', value: '720x1280' },
					{ name: '832x480 (480p Landscape, 9 Seconds)', value: '832x480' },
					{ name: '480x832 (480p Portrait, 9 Seconds)', value: '480x832' },
				],
				description: 'Width x height of the clip; the resolution tier fixes its length',
				displayOptions: { show: { '/operation': ['generate', 'submit'] } },
			},
		],
	};
}
