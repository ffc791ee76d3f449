/**
 * Which model answers /v1/messages: Anthropic models only (S2), by DO id (`anthropic-claude-4.6-sonnet`)
 * or Anthropic-native id (`claude-opus-4-6`, OA's example). Order as on chat: key scope (403) →
 * Anthropic family (400, Anthropic envelope) → existence (404 DO-style).
 */
import { forbidden, invalidParam, notFound } from '../errors';
import { findModel, isAnthropicModel, type CatalogModel } from '../catalog/models';

const ANTHROPIC_ID = /^(anthropic-|claude-)/;

export function resolveMessagesModel(id: string, forbiddenModels: readonly string[]): CatalogModel {
  if (forbiddenModels.includes(id)) throw forbidden();
  const model = findModel(id);
  if (model && isAnthropicModel(model)) return model;
  if (!model && ANTHROPIC_ID.test(id)) throw notFound(`model ${id} not found`);
  throw invalidParam('model', `model: ${id} is not supported on /v1/messages (Anthropic models only); use e.g. anthropic-claude-4.6-sonnet.`, 'model_not_supported');
}
