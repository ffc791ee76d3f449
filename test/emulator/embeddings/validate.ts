/**
 * Validation of POST /v1/embeddings bodies (§10, OA `embeddings_request.yml`). The schema has
 * `additionalProperties: false`, so any other key (e.g. `dimensions`) is a 400 naming it.
 */
import { invalidParam } from '../errors';
import { optionalEnum, optionalString, requiredString, type Body } from '../validation/fields';

export const MAX_EMBEDDING_INPUTS = 2048;
const ALLOWED_KEYS = ['model', 'input', 'encoding_format', 'user'];

export interface EmbeddingsRequest {
  model: string;
  inputs: string[];
  encodingFormat: 'float' | 'base64';
}

export function validateEmbeddingsRequest(body: Body): EmbeddingsRequest {
  for (const key of Object.keys(body)) {
    if (!ALLOWED_KEYS.includes(key)) {
      throw invalidParam(key, `Unrecognized request argument supplied: '${key}'. /v1/embeddings accepts only ${ALLOWED_KEYS.join(', ')}.`, 'unknown_parameter');
    }
  }
  const model = requiredString(body, 'model');
  const inputs = validateInput(body.input);
  const encodingFormat = (optionalEnum(body, 'encoding_format', ['float', 'base64']) ?? 'float') as EmbeddingsRequest['encodingFormat'];
  optionalString(body, 'user');
  return { model, inputs, encodingFormat };
}

/**
 * UNVERIFIED: OA says nothing about empty strings; OpenAI rejects them, and an empty text has no
 * meaningful vector, so the emulator answers 400 naming the item's index.
 */
function validateInput(value: unknown): string[] {
  if (value === undefined || value === null) {
    throw invalidParam('input', "Missing required parameter: 'input'.", 'missing_required_parameter');
  }
  if (typeof value === 'string') {
    if (value === '') throw invalidParam('input', "'input' must not be an empty string.");
    return [value];
  }
  if (!Array.isArray(value)) throw invalidParam('input', "'input' must be a string or an array of strings.", 'invalid_type');
  if (value.length === 0) throw invalidParam('input', "'input' must contain at least 1 string.", 'empty_array');
  if (value.length > MAX_EMBEDDING_INPUTS) {
    throw invalidParam('input', `'input' accepts at most ${MAX_EMBEDDING_INPUTS} strings; got ${value.length}.`);
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw invalidParam(`input[${i}]`, `'input[${i}]' must be a string.`, 'invalid_type');
    if (item === '') throw invalidParam(`input[${i}]`, `'input[${i}]' must not be an empty string.`);
  });
  return value as string[];
}
