/** The fal models with structured fields in the node (§9.1); any other fal model id works with raw JSON input. */
export const FAL_PRESETS = {
	'fal-ai/flux/schnell': 'image',
	'fal-ai/fast-sdxl': 'image',
	'fal-ai/stable-audio-25/text-to-audio': 'audio',
	'fal-ai/elevenlabs/tts/multilingual-v2': 'speech',
} as const;

export type FalPreset = keyof typeof FAL_PRESETS;
export type FalFamily = (typeof FAL_PRESETS)[FalPreset];

/** The value of the Model option that switches to "any model id" with a JSON input. */
export const OTHER_MODEL = 'other';

export const IMAGE_PRESETS = ['fal-ai/flux/schnell', 'fal-ai/fast-sdxl'];
export const PROMPT_PRESETS = [...IMAGE_PRESETS, 'fal-ai/stable-audio-25/text-to-audio'];
export const SPEECH_PRESETS = ['fal-ai/elevenlabs/tts/multilingual-v2'];

export function familyOf(modelId: string): FalFamily | undefined {
	return (FAL_PRESETS as Record<string, FalFamily>)[modelId];
}

/** fal's named image sizes (landscape_4_3 is fal's default for FLUX schnell). */
export const FAL_IMAGE_SIZES = ['square_hd', 'square', 'portrait_4_3', 'portrait_16_9', 'landscape_4_3', 'landscape_16_9'];
