/** Reads and checks one item's Fal parameters (before any request) into the body of POST /v1/async-invoke. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { readImageAsDataUrl } from '../shared/binary';
import { readModelId } from '../shared/models';
import { asItemInputError, checkRange, definedOnly, InputError, parseJsonParameter } from '../shared/validation';
import { familyOf, FAL_IMAGE_SIZES, OTHER_MODEL } from './falModels';
import type { FalInputOptions } from './falProperties';

export interface FalBody {
	model_id: string;
	input: Record<string, unknown>;
	tags?: Array<{ key: string; value: string }>;
}

function jsonObject(value: unknown, label: string): Record<string, unknown> {
	const parsed = parseJsonParameter(value, label);
	if (parsed === undefined) return {};
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InputError(`${label} must be a JSON object`, `Write it like {"prompt": "…"}, with the fields the model documents.`);
	}
	return parsed as Record<string, unknown>;
}

function requiredText(value: unknown, label: string): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new InputError(`${label} is empty`, `Fill in "${label}", or remove the item before this node.`);
	}
	return value;
}

function wholeNumber(value: number | undefined, label: string, min: number, max?: number): number | undefined {
	checkRange(value, label, min, max, `Change "${label}" under Input Options, or remove it to use the model's default.`);
	if (value !== undefined && !Number.isInteger(value)) {
		throw new InputError(`${label} must be a whole number (got ${value})`, `Change "${label}" under Input Options.`);
	}
	return value;
}

/** The structured fields of a preset, only those the user set (plus the required prompt/text). */
function presetInput(modelId: string, ctx: IExecuteFunctions, itemIndex: number, o: FalInputOptions): Record<string, unknown> {
	const family = familyOf(modelId);
	if (family === 'speech') {
		checkRange(o.speed, 'Speed', 0.7, 1.2);
		checkRange(o.stability, 'Stability', 0, 1);
		return definedOnly({
			text: requiredText(ctx.getNodeParameter('text', itemIndex, ''), 'Text'),
			voice: o.voice?.trim() || undefined,
			speed: o.speed,
			stability: o.stability,
			language_code: o.languageCode?.trim() || undefined,
		});
	}
	const prompt = requiredText(ctx.getNodeParameter('prompt', itemIndex, ''), 'Prompt');
	if (family === 'audio') return definedOnly({ prompt, seconds_total: wholeNumber(o.secondsTotal, 'Duration (Seconds)', 1, 190) });
	if (o.imageSize !== undefined && !FAL_IMAGE_SIZES.includes(o.imageSize)) {
		throw new InputError(`Unknown image size "${o.imageSize}"`, `Choose one of: ${FAL_IMAGE_SIZES.join(', ')}.`);
	}
	checkRange(o.guidanceScale, 'Guidance Scale', 0, 20);
	return definedOnly({
		prompt,
		image_size: o.imageSize,
		num_images: wholeNumber(o.numImages, 'Number of Images', 1, 4),
		output_format: o.outputFormat,
		num_inference_steps: wholeNumber(o.numInferenceSteps, 'Inference Steps', 1, 100),
		guidance_scale: o.guidanceScale,
		seed: wholeNumber(o.seed, 'Seed', 0),
		enable_safety_checker: o.enableSafetyChecker,
		negative_prompt: o.negativePrompt?.trim() || undefined,
	});
}

function readTags(raw: unknown): FalBody['tags'] {
	const entries = (raw as { tag?: Array<{ key?: string; value?: string }> } | undefined)?.tag ?? [];
	const tags = entries.map((tag, k) => {
		const key = String(tag.key ?? '').trim();
		if (key === '') throw new InputError(`Tag ${k + 1} has no key`, 'Give every tag a key, or remove it.');
		return { key, value: String(tag.value ?? '') };
	});
	return tags.length > 0 ? tags : undefined;
}

/** The model id: a preset, or "Other Model" with the id from the list or typed in. */
export function readFalModelId(ctx: IExecuteFunctions, itemIndex: number): string {
	const choice = String(ctx.getNodeParameter('model', itemIndex, '') ?? '').trim();
	if (choice !== OTHER_MODEL) return choice;
	const modelId = readModelId(ctx, itemIndex, 'modelId');
	if (modelId === '') throw new InputError('No model ID is entered', 'Pick a fal model in "Model ID", e.g. fal-ai/flux/dev.');
	return modelId;
}

export async function buildFalRequest(ctx: IExecuteFunctions, itemIndex: number): Promise<FalBody> {
	return await asItemInputError(ctx, itemIndex, async () => {
		const modelId = readFalModelId(ctx, itemIndex);
		if (modelId === '') throw new InputError('No model is selected', 'Pick a model in "Model".');
		const options = ctx.getNodeParameter('inputOptions', itemIndex, {}) as FalInputOptions;
		const base = familyOf(modelId)
			? presetInput(modelId, ctx, itemIndex, options)
			: jsonObject(ctx.getNodeParameter('input', itemIndex, '{}'), 'Input (JSON)');
		const input = { ...jsonObject(options.additionalInput, 'Additional Input (JSON)'), ...base };
		if (options.imageBinaryField !== undefined) {
			const field = options.imageBinaryField.trim();
			if (field === '') throw new InputError('"Input Image Binary Field" is empty', 'Enter the binary field that holds the image, e.g. data.');
			const key = (options.imageInputKey ?? 'image_url').trim() || 'image_url';
			input[key] = await readImageAsDataUrl(ctx, itemIndex, field);
		}
		if (Object.keys(input).length === 0) {
			throw new InputError('The input is empty', 'Fill in "Input (JSON)" with the fields the model needs, e.g. {"prompt": "…"}.');
		}
		return definedOnly({ model_id: modelId, input, tags: readTags(ctx.getNodeParameter('tags', itemIndex, {})) }) as FalBody;
	});
}
