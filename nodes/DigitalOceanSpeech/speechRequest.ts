/** Reads and checks one item's Speech parameters (before any request) into the body of POST /v1/audio/speech. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { readOutputTarget } from '../shared/binary';
import { maxBytesOf } from '../shared/jobOperations';
import { readModelId } from '../shared/models';
import { asItemInputError, checkRange, definedOnly, InputError } from '../shared/validation';
import { DEFAULT_FILE_NAME, DEFAULT_MAX_FILE_MB, SPEECH_FORMATS, type SpeechFormat, type SpeechOptions } from './speechOptions';

/** OpenAI's limit, which the DO docs do not state; checking it here saves a failed (and maybe billed) call. */
export const MAX_INPUT_CHARS = 4096;

export interface SpeechBody {
	model: string;
	input: string;
	voice?: string;
	response_format?: SpeechFormat;
	instructions?: string;
	speed?: number;
}

export interface SpeechRequest {
	body: SpeechBody;
	/** The binary field and file name (without extension) of the output. */
	field: string;
	fileBase: string;
	/** The largest reply accepted ("Max File Size"). */
	maxBytes: number;
}

function optionalText(value: string | undefined): string | undefined {
	const trimmed = typeof value === 'string' ? value.trim() : undefined;
	return trimmed ? trimmed : undefined;
}

function buildBody(model: string, text: unknown, options: SpeechOptions): SpeechBody {
	if (model === '') {
		throw new InputError('No model is selected', 'Pick a text-to-speech model in "Model", e.g. qwen3-tts-voicedesign.');
	}
	if (typeof text !== 'string' || text.trim() === '') {
		throw new InputError('The text to speak is empty', 'Map a field with the text into "Text", or remove the item before this node.');
	}
	if (text.length > MAX_INPUT_CHARS) {
		throw new InputError(
			`The text to speak is ${text.length} characters long; at most ${MAX_INPUT_CHARS} are allowed`,
			'Split the text into several items (e.g. by paragraph) and join the audio files afterwards.',
		);
	}
	const format = options.responseFormat;
	if (format !== undefined && !SPEECH_FORMATS.includes(format)) {
		throw new InputError(`Unknown audio format "${String(format)}"`, `Choose one of: ${SPEECH_FORMATS.join(', ')}.`);
	}
	checkRange(options.speed, 'Speed', 0.25, 4);
	return {
		model,
		input: text,
		...definedOnly({
			voice: optionalText(options.voice),
			response_format: format,
			instructions: optionalText(options.instructions),
			speed: options.speed,
		}),
	};
}

export async function buildSpeechRequest(ctx: IExecuteFunctions, itemIndex: number): Promise<SpeechRequest> {
	return await asItemInputError(ctx, itemIndex, () => {
		const options = ctx.getNodeParameter('options', itemIndex, {}) as SpeechOptions;
		const body = buildBody(readModelId(ctx, itemIndex), ctx.getNodeParameter('text', itemIndex, ''), options);
		return { body, ...readOutputTarget(options, DEFAULT_FILE_NAME, 'audio'), maxBytes: maxBytesOf(options, DEFAULT_MAX_FILE_MB) };
	});
}
