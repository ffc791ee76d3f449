/**
 * Validation of POST /v1/images/generations (§6.1, OA `create_image_request.yml`). Unknown keys are
 * allowed (OA has no additionalProperties: false; SD3.5 extras pass through).
 */
import { invalidParam } from '../errors';
import { optionalEnum, optionalNumber, optionalString, requiredString, type Body } from '../validation/fields';

/**
 * CONFLICT (§6.1): OA's enum is auto/1536x1024/1024x1536, S1 lists 256x256/512x512/1024x1024 and the
 * examples use 1024x1024. The emulator accepts the union so no documented size is refused.
 */
export const IMAGE_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536', '256x256', '512x512'];
export const IMAGE_QUALITIES = ['auto', 'high', 'medium', 'low'];
export const IMAGE_BACKGROUNDS = ['transparent', 'opaque', 'auto'];
export const IMAGE_FORMATS = ['png', 'webp', 'jpeg'];
const MAX_PROMPT_CHARS = 32000;

export interface ImagesRequest {
  model: string;
  prompt: string;
  n: number;
  size: string;
  quality: string;
  background: string;
  outputFormat: 'png' | 'webp' | 'jpeg';
}

/**
 * `nAndSize` 'required' (the default) follows S1 ("always specify n and size") and OA (`n` required):
 * a body without either is a 400 naming it. 'optional' is the lenient reading of S2's examples.
 */
export function validateImagesRequest(body: Body, nAndSize: 'required' | 'optional' = 'required'): ImagesRequest {
  if (nAndSize === 'required') {
    for (const name of ['n', 'size']) {
      if (body[name] === undefined || body[name] === null) {
        throw invalidParam(name, `Missing required parameter: '${name}'. Always specify n and size when generating images.`, 'missing_required_parameter');
      }
    }
  }
  const prompt = requiredString(body, 'prompt');
  if (prompt.length > MAX_PROMPT_CHARS) {
    throw invalidParam('prompt', `'prompt' must be at most ${MAX_PROMPT_CHARS} characters; got ${prompt.length}.`);
  }
  const model = requiredString(body, 'model');
  // Reached without n/size only in 'optional' mode: then n is 1 and size auto.
  const n = optionalNumber(body, 'n', { min: 1, max: 10, integer: true }) ?? 1;
  const size = optionalEnum(body, 'size', IMAGE_SIZES) ?? 'auto';
  const quality = optionalEnum(body, 'quality', IMAGE_QUALITIES) ?? 'auto';
  const background = optionalEnum(body, 'background', IMAGE_BACKGROUNDS) ?? 'auto';
  const outputFormat = (optionalEnum(body, 'output_format', IMAGE_FORMATS) ?? 'png') as ImagesRequest['outputFormat'];
  optionalNumber(body, 'output_compression', { min: 0, max: 100, integer: true });
  optionalEnum(body, 'moderation', ['low', 'auto']);
  const user = optionalString(body, 'user');
  if (user !== undefined && user.length > 256) throw invalidParam('user', `'user' must be at most 256 characters; got ${user.length}.`);
  // S0: only base64 output exists; a URL response_format would silently never come, so refuse it.
  optionalEnum(body, 'response_format', ['b64_json']);
  if (background === 'transparent' && outputFormat === 'jpeg') {
    // OpenAI: transparency needs png or webp. UNVERIFIED on DO, but a JPEG cannot carry alpha anyway.
    throw invalidParam('background', "'background' transparent needs output_format png or webp.");
  }
  return { model, prompt, n, size, quality, background, outputFormat };
}
