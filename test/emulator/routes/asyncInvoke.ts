/**
 * fal models (§9, §15 item 14): POST /v1/async-invoke, GET /v1/async-invoke/{id}/status (by default the
 * progress only; `asyncStatusRoute` switches it to the full record or removes it) and
 * GET /v1/async-invoke/{id} (the full record). Requests belong to the submitting key.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Router } from '../router';
import type { RouteContext } from '../router';
import type { Exchange } from '../exchange';
import { requireJsonObject } from '../body';
import { invalidParam, notFound } from '../errors';
import { isPlainObject } from '../config';
import { optionalNumber, requiredString, type Body } from '../validation/fields';
import { resolveModel } from './images';
import type { EmulatorState } from '../state';
import {
  FAL_FAMILIES,
  FAL_IMAGE_SIZES,
  asyncBody,
  asyncPhase,
  asyncProgressBody,
  type AsyncJob,
  type FalFamily,
  type OutputSettings,
} from '../jobs/asyncInvoke';

const MAX_IMAGE_SIDE = 4096; // protects the emulator; not a documented fal limit

export function registerAsyncInvoke(router: Router): void {
  router.add('POST', '/v1/async-invoke', (ex, { state }) => {
    const body = requireJsonObject(ex.parsed);
    const modelId = requiredString(body, 'model_id');
    if (body.input === undefined || body.input === null) throw invalidParam('input', "Missing required parameter: 'input'.", 'missing_required_parameter');
    if (!isPlainObject(body.input)) throw invalidParam('input', "'input' must be an object.", 'invalid_type');
    validateTags(body.tags);
    resolveModel(modelId, 'fal', state.config.forbiddenModels, 'fal-ai/flux/schnell');
    const family = FAL_FAMILIES[modelId];
    if (!family) throw invalidParam('model_id', `model ${modelId} has no emulated input schema; use one of ${Object.keys(FAL_FAMILIES).join(', ')}.`);
    const input = body.input;
    validateInput(family, input);

    const { config } = state;
    const key = ex.apiKey ?? '';
    const text = family === 'tts' ? (input.text as string) : (input.prompt as string);
    const job: AsyncJob = {
      id: randomUUID(),
      modelId,
      family,
      input: structuredClone(input),
      createdMs: Date.now(),
      subMs: String(randomInt(1_000_000)).padStart(6, '0'),
      timings: { ...config.asyncTimings },
      fails: config.asyncFailPrompt !== '' && text.includes(config.asyncFailPrompt),
    };
    state.asyncJobs.add(job.id, key, job);
    state.submissions.record({ kind: 'async', id: job.id, model: modelId, summary: text, createdAt: job.createdMs }, key);
    ex.sendJson(config.asyncInvokeStatus, asyncBody(job, 'QUEUED', config.asyncCompletedWord, outputSettings(state)));
  });

  const lookUp = (ex: Exchange, { state, params }: RouteContext): AsyncJob => {
    const job = state.asyncJobs.get(params.id, ex.apiKey ?? '');
    if (!job) throw notFound(`async-invoke request ${params.id} not found`);
    return job;
  };
  router.add('GET', '/v1/async-invoke/:id/status', (ex, context) => {
    const { config } = context.state;
    // 'missing': as if the route did not exist, the same 404 as any unknown path.
    if (config.asyncStatusRoute === 'missing') throw notFound();
    const job = lookUp(ex, context);
    const phase = asyncPhase(job);
    if (config.asyncStatusRoute === 'full') ex.sendJson(200, asyncBody(job, phase, config.asyncCompletedWord, outputSettings(context.state)));
    else ex.sendJson(200, asyncProgressBody(job, phase, config.asyncCompletedWord));
  });
  router.add('GET', '/v1/async-invoke/:id', (ex, context) => {
    const job = lookUp(ex, context);
    ex.sendJson(200, asyncBody(job, asyncPhase(job), context.state.config.asyncCompletedWord, outputSettings(context.state)));
  });
}

function outputSettings(state: EmulatorState): OutputSettings {
  return { files: state.files, mediaOrigin: state.mediaOrigin(), shape: state.config.asyncOutputShape };
}

function validateTags(tags: unknown): void {
  if (tags === undefined || tags === null) return;
  if (!Array.isArray(tags)) throw invalidParam('tags', "'tags' must be an array of {key, value}.", 'invalid_type');
  tags.forEach((tag, i) => {
    if (!isPlainObject(tag) || typeof tag.key !== 'string' || tag.key === '' || typeof tag.value !== 'string') {
      throw invalidParam(`tags[${i}]`, `'tags[${i}]' must be {key: non-empty string, value: string}.`, 'invalid_type');
    }
  });
}

/** Checks the preset's required fields (§9.1); extra keys pass through, as fal's input is open. */
function validateInput(family: FalFamily, input: Body): void {
  const field = (name: string) => ({ ...input, [`input.${name}`]: input[name] });
  if (family === 'tts') {
    requiredString(field('text'), 'input.text');
    return;
  }
  requiredString(field('prompt'), 'input.prompt');
  if (family === 'audio') {
    optionalNumber(field('seconds_total'), 'input.seconds_total', { min: 1, max: 190 });
    return;
  }
  // fal documents num_images 1–4 for flux/schnell and fast-sdxl.
  optionalNumber(field('num_images'), 'input.num_images', { min: 1, max: 4, integer: true });
  optionalNumber(field('num_inference_steps'), 'input.num_inference_steps', { min: 1, integer: true });
  const size = input.image_size;
  if (size === undefined || size === null || (typeof size === 'string' && FAL_IMAGE_SIZES[size])) return;
  if (isPlainObject(size)) {
    optionalNumber(size, 'width', { min: 1, max: MAX_IMAGE_SIDE, integer: true }, 'input.image_size.width');
    optionalNumber(size, 'height', { min: 1, max: MAX_IMAGE_SIDE, integer: true }, 'input.image_size.height');
    if (typeof size.width === 'number' && typeof size.height === 'number') return;
  }
  throw invalidParam('input.image_size', `'input.image_size' must be one of ${Object.keys(FAL_IMAGE_SIZES).join(', ')} or {width, height}.`);
}
