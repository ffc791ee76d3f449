/**
 * The Image node's "Options" collection: the API fields reach the wire only when added, except `n`
 * and `size`, which DigitalOcean asks to always specify (S1) and are sent with their defaults when
 * not added. "Put Output in Field", "File Name" and "Output Mode" only shape the n8n output.
 */
import type { INodeProperties } from 'n8n-workflow';

export const IMAGE_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536', '512x512', '256x256'] as const;
export const IMAGE_QUALITIES = ['auto', 'high', 'medium', 'low'] as const;
export const IMAGE_BACKGROUNDS = ['auto', 'opaque', 'transparent'] as const;
export const IMAGE_FORMATS = ['png', 'webp', 'jpeg'] as const;
export const IMAGE_MODERATIONS = ['auto', 'low'] as const;

export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export type ImageOutputMode = 'perImage' | 'oneItem';

export const DEFAULT_OUTPUT_FIELD = 'data';
export const DEFAULT_FILE_NAME = 'image';
export const MAX_IMAGES = 10;
/** Sent when the user did not choose: DigitalOcean asks for n and size on every request (S1). */
export const DEFAULT_IMAGE_COUNT = 1;
/** The one size every documented image model takes (S1's list, the examples of S0–S2). */
export const DEFAULT_IMAGE_SIZE = '1024x1024';

export interface ImageOptions {
	n?: number;
	size?: string;
	quality?: string;
	background?: string;
	outputFormat?: string;
	outputCompression?: number;
	moderation?: string;
	user?: string;
	binaryPropertyName?: string;
	fileName?: string;
	outputMode?: ImageOutputMode;
}

export const imageOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Background',
			name: 'background',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Opaque', value: 'opaque' },
				{ name: 'Transparent', value: 'transparent', description: 'Needs the PNG or WebP format' },
			],
			description: 'The background of the image (gpt-image-1)',
		},
		{
			displayName: 'Compression (%)',
			name: 'outputCompression',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 100 },
			default: 100,
			description: 'Compression level from 0 to 100 for WebP and JPEG images',
		},
		{
			displayName: 'End User ID',
			name: 'user',
			type: 'string',
			default: '',
			description: 'An ID of your end user (up to 256 characters), which helps the provider detect abuse',
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: DEFAULT_FILE_NAME,
			description:
				'The output files\' name without extension; each image is named NAME-K.EXT, e.g. image-1.png, image-2.png',
		},
		{
			displayName: 'Format',
			name: 'outputFormat',
			type: 'options',
			default: 'png',
			options: [
				{ name: 'JPEG', value: 'jpeg' },
				{ name: 'PNG', value: 'png' },
				{ name: 'WebP', value: 'webp' },
			],
			description: 'The image file format to ask for (gpt-image-1). Without this option the model\'s default (PNG) is used.',
		},
		{
			displayName: 'Moderation',
			name: 'moderation',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Low', value: 'low', description: 'Less restrictive content filtering' },
			],
			description: 'How strictly the provider filters the generated content',
		},
		{
			displayName: 'Number of Images',
			name: 'n',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_IMAGES },
			default: DEFAULT_IMAGE_COUNT,
			description: 'How many images to generate for each input item (1 to 10). Without this option 1 is sent: DigitalOcean asks for it on every request.',
		},
		{
			displayName: 'Output Mode',
			name: 'outputMode',
			type: 'options',
			default: 'perImage',
			options: [
				{
					name: 'One Item per Image',
					value: 'perImage',
					description: 'Each image becomes its own output item with its binary in the output field',
				},
				{
					name: 'All Images in One Item',
					value: 'oneItem',
					description: 'One output item per input item; the images go to fields data, data_1, data_2, …',
				},
			],
			description: 'How the generated images are laid out in the output items',
		},
		{
			displayName: 'Put Output in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: DEFAULT_OUTPUT_FIELD,
			description: 'The name of the binary field the image is written to',
		},
		{
			displayName: 'Quality',
			name: 'quality',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'High', value: 'high' },
				{ name: 'Low', value: 'low' },
				{ name: 'Medium', value: 'medium' },
			],
			description: 'The rendering quality; higher quality costs more output tokens',
		},
		{
			displayName: 'Size',
			name: 'size',
			type: 'options',
			default: DEFAULT_IMAGE_SIZE,
			options: [
				{ name: '1024x1024', value: '1024x1024', description: 'Works with every documented model' },
				{ name: '1024x1536 (Portrait)', value: '1024x1536', description: 'For gpt-image-1' },
				{ name: '1536x1024 (Landscape)', value: '1536x1024', description: 'For gpt-image-1' },
				{ name: '256x256', value: '256x256', description: "In DigitalOcean's size list; not in gpt-image-1's" },
				{ name: '512x512', value: '512x512', description: "In DigitalOcean's size list; not in gpt-image-1's" },
				{ name: 'Auto', value: 'auto', description: 'For gpt-image-1, which then picks the size' },
			],
			description:
				"The image size in pixels. Without this option 1024x1024 is sent (DigitalOcean asks for a size on every request), which works with every documented model. gpt-image-1 also takes Auto, 1536x1024 and 1024x1536; DigitalOcean's guide lists 256x256 and 512x512; which sizes Stable Diffusion 3.5 takes is not documented.",
		},
	],
};
