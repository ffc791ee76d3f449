/** The Speech node's "Options" collection: the API fields reach the wire only when added; the rest name and cap the output file. */
import type { INodeProperties } from 'n8n-workflow';

import { maxFileSizeOption } from '../shared/jobOperations';

export type SpeechFormat = 'mp3' | 'wav' | 'opus' | 'aac' | 'flac' | 'pcm';

export const SPEECH_FORMATS: SpeechFormat[] = ['mp3', 'wav', 'opus', 'aac', 'flac', 'pcm'];

export const DEFAULT_OUTPUT_FIELD = 'data';
export const DEFAULT_FILE_NAME = 'speech';
/**
 * 4,096 characters are about five minutes of speech: 14 MB as 24 kHz WAV, ~55 MB as 44.1 kHz stereo,
 * a third more as base64 in the JSON envelope. Twice that leaves room for slow speech and odd formats.
 */
export const DEFAULT_MAX_FILE_MB = 100;

export interface SpeechOptions {
	responseFormat?: SpeechFormat;
	fileName?: string;
	instructions?: string;
	maxFileSize?: number;
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
			...maxFileSizeOption(DEFAULT_MAX_FILE_MB),
			description:
				'The largest reply accepted: the audio file, or the JSON that carries it as base64. A larger one fails the item with a clear error instead of filling memory.',
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
