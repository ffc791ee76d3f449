/** POST /v1/embeddings (§10): one deterministic unit vector per input string, in input order. */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { forbidden, invalidParam, notFound } from '../errors';
import { findModel, type CatalogModel } from '../catalog/models';
import { embeddingToBase64, expectedEmbedding } from '../embeddings/vectors';
import { validateEmbeddingsRequest } from '../embeddings/validate';
import { countTokens } from '../util/tokens';

export function registerEmbeddings(router: Router): void {
  router.add('POST', '/v1/embeddings', (ex, { state }) => {
    const req = validateEmbeddingsRequest(requireJsonObject(ex.parsed));
    const model = resolveEmbeddingModel(req.model, state.config.forbiddenModels);
    const limit = state.config.embeddingMaxInputTokens;
    req.inputs.forEach((text, index) => {
      const tokens = countTokens(text);
      if (tokens > limit) {
        throw invalidParam(`input[${index}]`, `'input[${index}]' has ${tokens} tokens; the model takes at most ${limit}.`, 'context_length_exceeded');
      }
    });
    const dimensions = state.config.embeddingDimensions;
    const data = req.inputs.map((text, index) => {
      const vector = expectedEmbedding(text, dimensions);
      return { object: 'embedding', index, embedding: req.encodingFormat === 'base64' ? embeddingToBase64(vector) : vector };
    });
    const tokens = req.inputs.reduce((sum, text) => sum + countTokens(text), 0);
    ex.sendJson(200, { object: 'list', model: model.id, data, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  });
}

/** Same order as chat: key scope (403) → existence (404) → modality (400). */
function resolveEmbeddingModel(id: string, forbiddenModels: readonly string[]): CatalogModel {
  if (forbiddenModels.includes(id)) throw forbidden();
  const model = findModel(id);
  if (!model || model.nativeAnthropic) throw notFound(`model ${id} not found`);
  if (model.modality !== 'embedding') {
    throw invalidParam('model', `model ${id} is a ${model.modality} model, not an embedding model; use e.g. qwen3-embedding-0.6b.`, 'model_not_supported');
  }
  return model;
}
