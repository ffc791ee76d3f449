/**
 * The Fal node's parameters: a model (four presets with structured fields, or any fal model id with a
 * JSON input), input options sent only when added, tags, and the output options of the result.
 */
import type { INodeProperties } from 'n8n-workflow';

import { keyValuePairsProperty, modelLocator } from '../shared/descriptions';
import { maxFileSizeOption } from '../shared/jobOperations';
import { FAL_IMAGE_SIZES, IMAGE_PRESETS, OTHER_MODEL, PROMPT_PRESETS, SPEECH_PRESETS } from './falModels';

export const DEFAULT_MAX_FILE_MB = 200;
const SUBMITTING = ['generate', 'submit'];
const FETCHING = ['generate', 'getResult'];

const titleCase = (value: string) => value.replace(/(^|_)(\w)/g, (_m, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase());

export interface FalInputOptions {
	imageSize?: string;
	numImages?: number;
	outputFormat?: string;
	numInferenceSteps?: number;
	guidanceScale?: number;
	seed?: number;
	enableSafetyChecker?: boolean;
	negativePrompt?: string;
	secondsTotal?: number;
	voice?: string;
	speed?: number;
	stability?: number;
	languageCode?: string;
	additionalInput?: string | object;
	imageBinaryField?: string;
	imageInputKey?: string;
}

export interface FalOutputOptions {
	binaryPropertyName?: string;
	fileName?: string;
	downloadMedia?: boolean;
	maxFileSize?: number;
}

export const falProperties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		default: 'fal-ai/flux/schnell',
		displayOptions: { show: { operation: SUBMITTING } },
		options: [
			{ name: 'ElevenLabs Multilingual V2 (Speech)', value: 'fal-ai/elevenlabs/tts/multilingual-v2', description: 'Text to speech (fal-ai/elevenlabs/tts/multilingual-v2)' },
			{ name: 'Fast SDXL (Image)', value: 'fal-ai/fast-sdxl', description: 'Stable Diffusion XL images (fal-ai/fast-sdxl)' },
			{ name: 'FLUX.1 Schnell (Image)', value: 'fal-ai/flux/schnell', description: 'Fast, high-quality images (fal-ai/flux/schnell)' },
			{ name: 'Other Model', value: OTHER_MODEL, description: 'Any fal model DigitalOcean offers, with its input as JSON' },
			{ name: 'Stable Audio 2.5 (Audio)', value: 'fal-ai/stable-audio-25/text-to-audio', description: 'Music and sound from a prompt (fal-ai/stable-audio-25/text-to-audio)' },
		],
		description: 'The fal model to run. Presets have fields for their inputs; "Other Model" takes any model ID and a JSON input.',
	},
	{
		...modelLocator('searchFalModels', 'e.g. fal-ai/flux/dev'),
		name: 'modelId',
		displayName: 'Model ID',
		description: 'The fal model ID, from the list DigitalOcean offers or typed in',
		displayOptions: { show: { operation: SUBMITTING, model: [OTHER_MODEL] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. A cozy reading nook with warm lamp light, isometric illustration',
		description: 'What the image or audio should contain',
		displayOptions: { show: { operation: SUBMITTING, model: PROMPT_PRESETS } },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. Welcome to our weekly product update.',
		description: 'The text to speak',
		displayOptions: { show: { operation: SUBMITTING, model: SPEECH_PRESETS } },
	},
	{
		displayName: 'Input (JSON)',
		name: 'input',
		type: 'json',
		default: '{\n  "prompt": ""\n}',
		required: true,
		description: "The model's input object, as in the model's fal documentation",
		displayOptions: { show: { operation: SUBMITTING, model: [OTHER_MODEL] } },
	},
	{
		displayName: 'Input Options',
		name: 'inputOptions',
		type: 'collection',
		placeholder: 'Add Input Option',
		default: {},
		displayOptions: { show: { operation: SUBMITTING } },
		options: [
			{
				displayName: 'Additional Input (JSON)',
				name: 'additionalInput',
				type: 'json',
				default: '{}',
				description: 'More input fields for the model, e.g. {"sync_mode": false}; the fields of this node win when both set the same key',
			},
			{
				displayName: 'Duration (Seconds)',
				name: 'secondsTotal',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 190 },
				default: 30,
				description: 'Length of the audio (seconds_total)',
				displayOptions: { show: { '/model': ['fal-ai/stable-audio-25/text-to-audio'] } },
			},
			{
				displayName: 'Enable Safety Checker',
				name: 'enableSafetyChecker',
				type: 'boolean',
				default: true,
				description: 'Whether fal checks the images for unsafe content',
				displayOptions: { show: { '/model': IMAGE_PRESETS } },
			},
			{
				displayName: 'Guidance Scale',
				name: 'guidanceScale',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20, numberPrecision: 1 },
				default: 3.5,
				description: 'How closely the image follows the prompt',
				displayOptions: { show: { '/model': IMAGE_PRESETS } },
			},
			{
				displayName: 'Image Size',
				name: 'imageSize',
				type: 'options',
				default: 'landscape_4_3',
				options: FAL_IMAGE_SIZES.map((size) => ({ name: titleCase(size), value: size })),
				description: 'The named image size fal offers',
				displayOptions: { show: { '/model': IMAGE_PRESETS } },
			},
			{
				displayName: 'Inference Steps',
				name: 'numInferenceSteps',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 4,
				description: 'More steps give more detail and take longer (num_inference_steps)',
				displayOptions: { show: { '/model': IMAGE_PRESETS } },
			},
			{
				displayName: 'Input Image Binary Field',
				name: 'imageBinaryField',
				type: 'string',
				default: 'data',
				description: 'An image from this binary field of the input item is sent as a data URL (image-to-image and image-editing models)',
			},
			{
				displayName: 'Input Image Key',
				name: 'imageInputKey',
				type: 'string',
				default: 'image_url',
				description: 'The input field that receives the image, as the model names it (usually image_url)',
			},
			{
				displayName: 'Language Code',
				name: 'languageCode',
				type: 'string',
				default: '',
				placeholder: 'e.g. de',
				description: 'ISO 639-1 language of the text, when the model should not guess it',
				displayOptions: { show: { '/model': SPEECH_PRESETS } },
			},
			{
				displayName: 'Negative Prompt',
				name: 'negativePrompt',
				type: 'string',
				default: '',
				description: 'What the image should not contain',
				displayOptions: { show: { '/model': ['fal-ai/fast-sdxl'] } },
			},
			{
				displayName: 'Number of Images',
				name: 'numImages',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 4 },
				default: 1,
				description: 'How many images to make (1 to 4); each becomes its own binary field',
				displayOptions: { show: { '/model': IMAGE_PRESETS } },
			},
			{
				displayName: 'Output Format',
				name: 'outputFormat',
				type: 'options',
				default: 'jpeg',
				options: [
					{ name: 'JPEG', value: 'jpeg' },
					{ name: 'PNG', value: 'png' },
				],
				description: 'The image file format',
				displayOptions: { show: { '/model': IMAGE_PRESETS } },
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'The same seed and prompt give the same image',
				displayOptions: { show: { '/model': IMAGE_PRESETS } },
			},
			{
				displayName: 'Speed',
				name: 'speed',
				type: 'number',
				typeOptions: { minValue: 0.7, maxValue: 1.2, numberPrecision: 2 },
				default: 1,
				description: 'Speaking speed',
				displayOptions: { show: { '/model': SPEECH_PRESETS } },
			},
			{
				displayName: 'Stability',
				name: 'stability',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				default: 0.5,
				description: 'Lower is more expressive, higher more even',
				displayOptions: { show: { '/model': SPEECH_PRESETS } },
			},
			{
				displayName: 'Voice',
				name: 'voice',
				type: 'string',
				default: 'Rachel',
				description: 'An ElevenLabs voice name, e.g. Rachel, Aria or Roger',
				displayOptions: { show: { '/model': SPEECH_PRESETS } },
			},
		],
	},
	{
		...keyValuePairsProperty('tags', 'Tags', 'Key-value labels stored with the job on DigitalOcean', { name: 'tag', displayName: 'Tag' }),
		displayOptions: { show: { operation: SUBMITTING } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: FETCHING } },
		options: [
			{
				displayName: 'Download Media',
				name: 'downloadMedia',
				type: 'boolean',
				default: true,
				description: 'Whether to download every media file of the result into binary data; off outputs only the URLs',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'e.g. cover',
				description: 'The files\' name without extension; several files are numbered NAME-1, NAME-2. Empty: image, audio or video by type.',
			},
			maxFileSizeOption(DEFAULT_MAX_FILE_MB),
			{
				displayName: 'Put Output in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				description: 'The binary field of the first file; more files go to data_1, data_2, …',
			},
		],
	},
];
