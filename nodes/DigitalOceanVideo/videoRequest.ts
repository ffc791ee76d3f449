/** Reads and checks one item's Video parameters (before any request) into the body of POST /v1/video/generations. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { readModelId } from '../shared/models';
import { asItemInputError, checkRange, InputError, parseJsonParameter } from '../shared/validation';
import type { VideoOptions } from './videoOptions';

export interface VideoBody {
	model: string;
	prompt: string;
	size?: string;
	fps?: number;
	[extra: string]: unknown;
}

function extraFields(value: VideoOptions['extraBody']): Record<string, unknown> {
	const parsed = parseJsonParameter(value, 'Extra Body Fields (JSON)');
	if (parsed === undefined) return {};
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InputError('Extra Body Fields (JSON) must be a JSON object', 'Write it like {"seed": 42}, or remove the option.');
	}
	return parsed as Record<string, unknown>;
}

export function buildVideoBody(model: string, prompt: unknown, options: VideoOptions): VideoBody {
	if (model === '') throw new InputError('No model is selected', 'Pick a video model in "Model", e.g. wan2.2-t2v-a14b.');
	if (typeof prompt !== 'string' || prompt.trim() === '') {
		throw new InputError('The prompt is empty', 'Describe the clip in "Prompt", or remove the item before this node.');
	}
	if (options.size !== undefined && !/^\d{2,5}x\d{2,5}$/.test(options.size)) {
		throw new InputError(`Size "${options.size}" is not WIDTHxHEIGHT`, 'Choose a size such as 1280x720 under Options.');
	}
	checkRange(options.fps, 'Frames per Second', 1, 60);
	if (options.fps !== undefined && !Number.isInteger(options.fps)) {
		throw new InputError(`Frames per Second must be a whole number (got ${options.fps})`, 'Change "Frames per Second" under Options.');
	}
	const body: VideoBody = { ...extraFields(options.extraBody), model, prompt };
	if (options.size !== undefined) body.size = options.size;
	if (options.fps !== undefined) body.fps = options.fps;
	return body;
}

export async function buildVideoRequest(ctx: IExecuteFunctions, itemIndex: number): Promise<VideoBody> {
	return await asItemInputError(ctx, itemIndex, () =>
		buildVideoBody(
			readModelId(ctx, itemIndex),
			ctx.getNodeParameter('prompt', itemIndex, ''),
			ctx.getNodeParameter('options', itemIndex, {}) as VideoOptions,
		),
	);
}
