/** The Speech node's "Options" collection: the API fields reach the wire only when added; the rest name the output file. */
import type { INodeProperties } from 'n8n-workflow';

export type SpeechFormat = 'mp3' | 'wav' | 'opus' | 'aac' | 'flac' | 'pcm';

export const SPEECH_FORMATS: SpeechFormat[] = ['mp3', 'wav', 'opus', 'aac', 'flac', 'pcm'];

export const DEFAULT_OUTPUT_FIELD = 'data';
export const DEFAULT_FILE_NAME = 'speech';

export interface SpeechOptions {
	responseFormat?: SpeechFormat;
	fileName?: string;
	instructions?: string;
	binaryPropertyName?: string;
	speed?: number;
	voice?: string;
}

export const speechOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Audio Format',
			name: 'responseFormat',
			type: 'options',
			default: 'mp3',
			options: [
				{ name: 'AAC', value: 'aac' },
				{ name: 'FLAC', value: 'flac' },
				{ name: 'MP3', value: 'mp3' },
				{ name: 'Opus', value: 'opus' },
				{
					name: 'PCM (WAV)',
					value: 'pcm',
					description: 'Raw 16-bit PCM from the API; the node adds a WAV header so the file plays',
				},
				{ name: 'WAV', value: 'wav' },
			],
			description:
				'The audio format to ask for. DigitalOcean documents MP3 and WAV; the others depend on the model. Without this option the model\'s default (usually MP3) is used.',
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: DEFAULT_FILE_NAME,
			description: 'The output file\'s name without extension; the extension follows the audio format (e.g. speech.mp3)',
		},
		{
			displayName: 'Instructions',
			name: 'instructions',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. Speak naturally, calm and warm.',
			description: 'How to speak: tone, pace, emotion, or (for voice-design models) a description of the voice',
		},
		{
			displayName: 'Put Output in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: DEFAULT_OUTPUT_FIELD,
			description: 'The name of the binary field the audio file is written to',
		},
		{
			displayName: 'Speed',
			name: 'speed',
			type: 'number',
			typeOptions: { minValue: 0.25, maxValue: 4, numberPrecision: 2 },
			default: 1,
			description: 'Speaking speed from 0.25 to 4 (1 is normal). Not documented by DigitalOcean; models may ignore it.',
		},
		{
			displayName: 'Voice',
			name: 'voice',
			type: 'string',
			default: '',
			placeholder: 'e.g. alloy',
			description: 'The voice to speak with, as the model names it',
		},
	],
};
