/** Reads and checks one item's Image parameters (before any request) into the body of POST /v1/images/generations. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { readOutputTarget } from '../shared/binary';
import { readModelId } from '../shared/models';
import { asItemInputError, checkRange, definedOnly, InputError } from '../shared/validation';
import {
	DEFAULT_FILE_NAME,
	DEFAULT_IMAGE_COUNT,
	DEFAULT_IMAGE_SIZE,
	IMAGE_BACKGROUNDS,
	IMAGE_FORMATS,
	IMAGE_MODERATIONS,
	IMAGE_QUALITIES,
	IMAGE_SIZES,
	MAX_IMAGES,
	type ImageOptions,
	type ImageOutputMode,
} from './imageOptions';

/** OA `create_image_request.yml`: prompt up to 32,000 characters; user up to 256. */
export const MAX_PROMPT_CHARS = 32_000;
const MAX_USER_CHARS = 256;

export interface ImageBody {
	model: string;
	prompt: string;
	n: number;
	size: string;
	quality?: string;
	background?: string;
	output_format?: string;
	output_compression?: number;
	moderation?: string;
	user?: string;
}

export interface ImageRequest {
	body: ImageBody;
	/** Binary field (base name in "All Images in One Item" mode), file name base, layout. */
	field: string;
	fileBase: string;
	outputMode: ImageOutputMode;
}

function checkChoice(value: string | undefined, label: string, allowed: readonly string[]): string | undefined {
	if (value === undefined || value === '') return undefined;
	if (!allowed.includes(value)) {
		throw new InputError(`Unknown ${label} "${value}"`, `Choose one of: ${allowed.join(', ')}.`);
	}
	return value;
}

function checkInteger(value: number | undefined, label: string, min: number, max: number): number | undefined {
	checkRange(value, label, min, max);
	if (value !== undefined && !Number.isInteger(value)) {
		throw new InputError(`${label} must be a whole number (got ${value})`, `Change "${label}" under Options.`);
	}
	return value;
}

function buildBody(model: string, prompt: unknown, options: ImageOptions): ImageBody {
	if (model === '') {
		throw new InputError('No model is selected', 'Pick an image model in "Model", e.g. openai-gpt-image-1.');
	}
	if (typeof prompt !== 'string' || prompt.trim() === '') {
		throw new InputError('The prompt is empty', 'Describe the image in "Prompt", or remove the item before this node.');
	}
	if (prompt.length > MAX_PROMPT_CHARS) {
		throw new InputError(
			`The prompt is ${prompt.length} characters long; at most ${MAX_PROMPT_CHARS} are allowed`,
			'Shorten the prompt.',
		);
	}
	const n = checkInteger(options.n, 'Number of Images', 1, MAX_IMAGES) ?? DEFAULT_IMAGE_COUNT;
	const background = checkChoice(options.background, 'background', IMAGE_BACKGROUNDS);
	const outputFormat = checkChoice(options.outputFormat, 'format', IMAGE_FORMATS);
	// A JPEG has no alpha channel; the API would refuse it (a wasted call) or silently drop transparency.
	if (background === 'transparent' && outputFormat === 'jpeg') {
		throw new InputError(
			'A transparent background needs the PNG or WebP format, not JPEG',
			'Set "Format" to PNG or WebP, or "Background" to Auto or Opaque.',
		);
	}
	const user = typeof options.user === 'string' && options.user.trim() !== '' ? options.user.trim() : undefined;
	if (user !== undefined && user.length > MAX_USER_CHARS) {
		throw new InputError(`End User ID is ${user.length} characters long; at most ${MAX_USER_CHARS} are allowed`, 'Shorten "End User ID".');
	}
	return {
		model,
		prompt,
		// DigitalOcean: "always specify n and size" (S1); OA marks n required.
		n,
		size: checkChoice(options.size, 'size', IMAGE_SIZES) ?? DEFAULT_IMAGE_SIZE,
		...definedOnly({
			quality: checkChoice(options.quality, 'quality', IMAGE_QUALITIES),
			background,
			output_format: outputFormat,
			output_compression: checkInteger(options.outputCompression, 'Compression (%)', 0, 100),
			moderation: checkChoice(options.moderation, 'moderation', IMAGE_MODERATIONS),
			user,
		}),
	};
}

export async function buildImageRequest(ctx: IExecuteFunctions, itemIndex: number): Promise<ImageRequest> {
	return await asItemInputError(ctx, itemIndex, () => {
		const options = ctx.getNodeParameter('options', itemIndex, {}) as ImageOptions;
		const body = buildBody(readModelId(ctx, itemIndex), ctx.getNodeParameter('prompt', itemIndex, ''), options);
		const { field, fileBase } = readOutputTarget(options, DEFAULT_FILE_NAME, 'images');
		const outputMode = options.outputMode === 'oneItem' ? 'oneItem' : 'perImage';
		return { body, field, fileBase, outputMode };
	});
}
