/** POST /v1/images/generations (§6): synchronous, base64 only, real decodable images of the requested size. */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { forbidden, invalidParam, notFound } from '../errors';
import { findModel, type CatalogModel, type Modality } from '../catalog/models';
import { validateImagesRequest } from '../images/validate';
import { colorFor, renderImage, resolveSize } from '../images/generate';
import { countTokens } from '../util/tokens';
import { unixSeconds } from '../util/ids';

/** S1's example: a 1024x1024 medium image costs 1056 output tokens; the emulator scales by pixels (UNVERIFIED). */
const TOKENS_PER_MEGAPIXEL = 1056 / (1024 * 1024);

export function registerImages(router: Router): void {
  router.add('POST', '/v1/images/generations', (ex, { state }) => {
    const req = validateImagesRequest(requireJsonObject(ex.parsed), state.config.imageNAndSize);
    resolveModel(req.model, 'image', state.config.forbiddenModels, 'openai-gpt-image-1');
    const { width, height, label } = resolveSize(req.size);
    const transparent = req.background === 'transparent';
    const data = Array.from({ length: req.n }, (_, k) => ({
      b64_json: renderImage(req.outputFormat, width, height, colorFor(req.prompt, k), transparent).toString('base64'),
      revised_prompt: req.prompt,
    }));
    const inputTokens = countTokens(req.prompt);
    const outputTokens = req.n * Math.ceil(width * height * TOKENS_PER_MEGAPIXEL);
    ex.sendJson(200, {
      created: unixSeconds(),
      data,
      // `auto` is resolved in the reply, as in S1's example (background "opaque", quality "medium").
      background: transparent ? 'transparent' : 'opaque',
      output_format: req.outputFormat,
      quality: req.quality === 'auto' ? 'medium' : req.quality,
      size: label,
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { text_tokens: inputTokens, image_tokens: 0 },
        output_tokens: outputTokens,
        total_tokens: inputTokens + outputTokens,
      },
    });
  });
}

/** Key scope (403) → existence (404) → modality (400), as on chat and embeddings. */
export function resolveModel(id: string, modality: Modality, forbiddenModels: readonly string[], example: string): CatalogModel {
  if (forbiddenModels.includes(id)) throw forbidden();
  const model = findModel(id);
  if (!model || model.nativeAnthropic) throw notFound(`model ${id} not found`);
  if (model.modality !== modality) {
    throw invalidParam('model', `model ${id} is a ${model.modality} model, not a ${modality} model; use e.g. ${example}.`, 'model_not_supported');
  }
  return model;
}
