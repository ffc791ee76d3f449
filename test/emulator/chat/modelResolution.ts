/** Which catalog model answers a chat request: direct id or `router:NAME` (§12.1), with access checks. */
import { forbidden, invalidParam, notFound } from '../errors';
import { findModel, type CatalogModel } from '../catalog/models';
import { findRouter, isRouterId, ROUTER_PREFIX, selectRoute } from '../catalog/routers';
import { allImages, hasVideo, lastUserText } from './prompt';
import type { ChatRequest } from './types';

export interface ResolvedModel {
  model: CatalogModel;
  /** Router task that matched (the value of `x-model-router-selected-route`). */
  routedTask?: string;
}

/**
 * Order: key scope (403) → existence (404) → modality (400). The status for a forbidden or unknown
 * model is UNVERIFIED (§15.2); the brief's choice is 403 and 404.
 */
export function resolveChatModel(req: ChatRequest, forbiddenModels: readonly string[], endpoint = 'chat completions'): ResolvedModel {
  if (forbiddenModels.includes(req.model)) throw forbidden();
  let resolved: ResolvedModel;
  if (isRouterId(req.model)) {
    const router = findRouter(req.model);
    if (!router) throw notFound(`router ${req.model.slice(ROUTER_PREFIX.length)} not found`);
    const route = selectRoute(router, lastUserText(req.messages));
    if (forbiddenModels.includes(route.model)) throw forbidden();
    resolved = { model: mustFind(route.model), routedTask: route.task };
  } else {
    const model = findModel(req.model);
    // Native Anthropic ids exist on /v1/messages only (see catalog/models.ts).
    if (!model || model.nativeAnthropic) throw notFound(`model ${req.model} not found`);
    resolved = { model };
  }
  checkSupportsRequest(req, resolved.model, endpoint);
  return resolved;
}

function checkSupportsRequest(req: ChatRequest, model: CatalogModel, endpoint: string): void {
  if (model.modality !== 'chat') {
    throw invalidParam('model', `model ${model.id} is a ${model.modality} model and does not support ${endpoint}.`, 'model_not_supported');
  }
  const images = allImages(req.messages).length;
  if (images > 0 && !model.vision) {
    throw invalidParam('messages', `model ${model.id} does not accept image input (${images} image_url part(s) sent); use a vision model such as nemotron-nano-12b-v2-vl.`, 'model_not_supported');
  }
  // GPY defines video_url parts but no source names a model that accepts them (UNVERIFIED).
  if (hasVideo(req.messages)) {
    throw invalidParam('messages', `model ${model.id} does not accept video input (video_url parts).`, 'model_not_supported');
  }
}

function mustFind(id: string): CatalogModel {
  const model = findModel(id);
  if (!model) throw new Error(`router points at unknown model ${id}`);
  return model;
}
