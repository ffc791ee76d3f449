/** Emulator config: defaults, and a strict deep-merge so a typo in a test fails loudly instead of being ignored. */
import type { EmulatorConfig, QuotaConfig } from './types';
import { findModel } from './catalog/models';

/** Not a limit of DO's: keeps a typo (1e9) from eating the test machine's memory. */
const MAX_EMBEDDING_DIMENSIONS = 8192;

export function defaultConfig(): EmulatorConfig {
  return {
    latencyMs: 0,
    streamChunkDelayMs: 2,
    quota: null,
    faultRatio: { status5xx: 0, resetMidBody: 0, truncateStream: 0 },
    slowHeadersMs: 0,
    errorStyle: 'do',
    forbiddenModels: [],
    responsesStreamFormat: 'events',
    responsesStreamDone: false,
    embeddingDimensions: 1024,
    embeddingMaxInputTokens: 32768,
    agentModel: 'llama3.3-70b-instruct',
    speechResponse: 'binary',
  };
}

export class ConfigError extends Error {}

const TOP_LEVEL_KEYS = new Set(Object.keys(defaultConfig()));
const FAULT_RATIO_KEYS = ['status5xx', 'resetMidBody', 'truncateStream'] as const;
const QUOTA_KEYS = ['limit', 'windowMs', 'retryAfterSec'] as const;

/** Returns a new config; `current` is not modified. */
export function mergeConfig(current: EmulatorConfig, patch: unknown): EmulatorConfig {
  if (!isPlainObject(patch)) throw new ConfigError('config patch must be an object');
  for (const key of Object.keys(patch)) {
    if (!TOP_LEVEL_KEYS.has(key)) throw new ConfigError(`unknown config key "${key}"`);
  }
  const next: EmulatorConfig = {
    ...current,
    faultRatio: { ...current.faultRatio },
    quota: current.quota ? { ...current.quota } : null,
    forbiddenModels: [...current.forbiddenModels],
  };
  for (const key of ['latencyMs', 'streamChunkDelayMs', 'slowHeadersMs'] as const) {
    if (key in patch) next[key] = nonNegativeNumber(patch[key], key);
  }
  if ('errorStyle' in patch) {
    if (patch.errorStyle !== 'do' && patch.errorStyle !== 'openai') {
      throw new ConfigError('errorStyle must be "do" or "openai"');
    }
    next.errorStyle = patch.errorStyle;
  }
  if ('forbiddenModels' in patch) {
    const models = patch.forbiddenModels;
    if (!Array.isArray(models) || !models.every((m) => typeof m === 'string')) {
      throw new ConfigError('forbiddenModels must be an array of strings');
    }
    next.forbiddenModels = [...models];
  }
  if ('responsesStreamFormat' in patch) {
    if (patch.responsesStreamFormat !== 'events' && patch.responsesStreamFormat !== 'chunks') {
      throw new ConfigError('responsesStreamFormat must be "events" or "chunks"');
    }
    next.responsesStreamFormat = patch.responsesStreamFormat;
  }
  if ('responsesStreamDone' in patch) {
    if (typeof patch.responsesStreamDone !== 'boolean') throw new ConfigError('responsesStreamDone must be a boolean');
    next.responsesStreamDone = patch.responsesStreamDone;
  }
  if ('embeddingDimensions' in patch) {
    const dims = patch.embeddingDimensions;
    if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > MAX_EMBEDDING_DIMENSIONS) {
      throw new ConfigError(`embeddingDimensions must be an integer between 1 and ${MAX_EMBEDDING_DIMENSIONS}`);
    }
    next.embeddingDimensions = dims;
  }
  if ('embeddingMaxInputTokens' in patch) {
    const limit = patch.embeddingMaxInputTokens;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new ConfigError('embeddingMaxInputTokens must be a positive integer');
    }
    next.embeddingMaxInputTokens = limit;
  }
  if ('agentModel' in patch) {
    const model = typeof patch.agentModel === 'string' ? findModel(patch.agentModel) : undefined;
    if (!model || model.modality !== 'chat' || model.nativeAnthropic) throw new ConfigError('agentModel must be the id of a chat model of the catalog');
    next.agentModel = model.id;
  }
  if ('speechResponse' in patch) {
    if (patch.speechResponse !== 'binary' && patch.speechResponse !== 'json') throw new ConfigError('speechResponse must be "binary" or "json"');
    next.speechResponse = patch.speechResponse;
  }
  if ('faultRatio' in patch) next.faultRatio = mergeFaultRatio(next.faultRatio, patch.faultRatio);
  if ('quota' in patch) next.quota = mergeQuota(next.quota, patch.quota);
  return next;
}

function mergeFaultRatio(current: EmulatorConfig['faultRatio'], patch: unknown): EmulatorConfig['faultRatio'] {
  if (!isPlainObject(patch)) throw new ConfigError('faultRatio must be an object');
  const next = { ...current };
  for (const key of Object.keys(patch)) {
    if (!(FAULT_RATIO_KEYS as readonly string[]).includes(key)) throw new ConfigError(`unknown faultRatio key "${key}"`);
    const value = patch[key];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new ConfigError(`faultRatio.${key} must be a number between 0 and 1`);
    }
    next[key as (typeof FAULT_RATIO_KEYS)[number]] = value;
  }
  return next;
}

/** A partial quota patch is merged onto the active quota; enabling a quota needs all three fields. */
function mergeQuota(current: QuotaConfig | null, patch: unknown): QuotaConfig | null {
  if (patch === null) return null;
  if (!isPlainObject(patch)) throw new ConfigError('quota must be an object or null');
  for (const key of Object.keys(patch)) {
    if (!(QUOTA_KEYS as readonly string[]).includes(key)) throw new ConfigError(`unknown quota key "${key}"`);
  }
  const merged: Record<string, unknown> = { ...(current ?? {}), ...patch };
  for (const key of QUOTA_KEYS) {
    if (!(key in merged)) throw new ConfigError(`quota.${key} is required when enabling a quota`);
  }
  return {
    limit: nonNegativeNumber(merged.limit, 'quota.limit'),
    windowMs: positiveNumber(merged.windowMs, 'quota.windowMs'),
    retryAfterSec: nonNegativeNumber(merged.retryAfterSec, 'quota.retryAfterSec'),
  };
}

function nonNegativeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a non-negative number`);
  }
  return value;
}

function positiveNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive number`);
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
