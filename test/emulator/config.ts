/** Emulator config: defaults, and a strict deep-merge so a typo in a test fails loudly instead of being ignored. */
import type { ChatQuirk, EmulatorConfig, QuotaConfig } from './types';
import { MIN_MP4_BYTES } from './media/mp4';
import { findModel } from './catalog/models';

/** Not a limit of DO's: keeps a typo (1e9) from eating the test machine's memory. */
const MAX_EMBEDDING_DIMENSIONS = 8192;
/** Same cap as the CDN's large-media mode: keeps a typo from streaming for hours. */
export const MAX_VIDEO_BYTES = 8 * 1024 ** 3;

export function defaultConfig(): EmulatorConfig {
  return {
    latencyMs: 0,
    streamChunkDelayMs: 2,
    quota: null,
    rateLimitHeaders: 'documented',
    faultRatio: { status5xx: 0, resetMidBody: 0, truncateStream: 0 },
    slowHeadersMs: 0,
    errorStyle: 'do',
    forbiddenModels: [],
    responsesStreamFormat: 'events',
    responsesStreamDone: false,
    embeddingDimensions: 1024,
    embeddingMaxInputTokens: 32768,
    agentModel: 'llama3.3-70b-instruct',
    imageNAndSize: 'required',
    bothMaxTokens: 'accept',
    speechResponse: 'binary',
    videoTimings: { queuedMs: 200, processingMs: 1200 },
    videoFailPrompt: 'FAIL_VIDEO',
    videoOutput: 'url',
    videoContent: 'stream',
    videoRedirectHops: 1,
    videoBytes: 64 * 1024,
    videoExpiryMs: 7_200_000,
    asyncInvokeStatus: 200,
    asyncTimings: { queuedMs: 200, runningMs: 800 },
    asyncCompletedWord: 'COMPLETED',
    asyncFailPrompt: 'FAIL_JOB',
    asyncStatusRoute: 'progress',
    asyncOutputShape: 'fal',
    mediaHost: null,
    chatQuirks: [],
    batchTimings: { validatingMs: 200, inProgressMs: 1000, finalizingMs: 200, cancellingMs: 200 },
    batchOutcome: 'completed',
    batchFirstStatus: 'validating',
    batchValidation: 'async',
    batchRequestId: 'required',
    batchObjectShape: 'spec',
    batchResultsShape: 'spec',
    batchListShape: 'spec',
    batchResultsPending: '412',
    batchErrorLines: 'sidecar',
    batchUploadContentTypes: 'documented',
    // Spec: upload links live "~15 minutes"; the download lifetime is UNVERIFIED (S3's common hour).
    batchUrlTtlSeconds: { upload: 900, download: 3600 },
    // "200 MB" read as 200,000,000 bytes, the stricter of MB/MiB (UNVERIFIED which one DO means).
    batchLimits: { maxFileBytes: 200_000_000, openaiMaxLines: 50_000, anthropicMaxLines: 100_000 },
    batchFailPrompt: '__fail__',
  };
}

export class ConfigError extends Error {}

const TOP_LEVEL_KEYS = new Set(Object.keys(defaultConfig()));
const FAULT_RATIO_KEYS = ['status5xx', 'resetMidBody', 'truncateStream'] as const;
const QUOTA_KEYS = ['limit', 'windowMs', 'retryAfterSec'] as const;
const VIDEO_TIMING_KEYS = ['queuedMs', 'processingMs'] as const;
const ASYNC_TIMING_KEYS = ['queuedMs', 'runningMs'] as const;
const BATCH_TIMING_KEYS = ['validatingMs', 'inProgressMs', 'finalizingMs', 'cancellingMs'] as const;
const BATCH_URL_TTL_KEYS = ['upload', 'download'] as const;
const BATCH_LIMIT_KEYS = ['maxFileBytes', 'openaiMaxLines', 'anthropicMaxLines'] as const;
/** Each switch of the batch emulator that picks one reading of the sources, and its readings. */
const BATCH_CHOICES = {
  batchOutcome: ['completed', 'failed', 'expired'],
  batchFirstStatus: ['validating', 'queued', 'awaiting_processing'],
  batchValidation: ['async', 'at-create'],
  batchRequestId: ['required', 'optional'],
  batchObjectShape: ['spec', 'godo'],
  batchResultsShape: ['spec', 'godo'],
  batchListShape: ['spec', 'godo'],
  batchResultsPending: ['412', 'unavailable'],
  batchErrorLines: ['sidecar', 'inline'],
  batchUploadContentTypes: ['documented', 'octet-stream'],
} as const;
const VIDEO_OUTPUTS = ['url', 'object', 'nested', 'list', 'redirect', 'null'] as const;
const ASYNC_OUTPUT_SHAPES = ['fal', 'nested', 'strings', 'video', 'inline', 'no-media'] as const;
const CHAT_QUIRKS: readonly ChatQuirk[] = ['null-tool-calls', 'empty-id-role', 'no-stream-with-tools'];
/** Enough to exceed any client's redirect limit (5 is common); not a real CDN limit. */
const MAX_REDIRECT_HOPS = 10;

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
    chatQuirks: [...current.chatQuirks],
    videoTimings: { ...current.videoTimings },
    asyncTimings: { ...current.asyncTimings },
    batchTimings: { ...current.batchTimings },
    batchUrlTtlSeconds: { ...current.batchUrlTtlSeconds },
    batchLimits: { ...current.batchLimits },
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
  if ('imageNAndSize' in patch) {
    if (patch.imageNAndSize !== 'required' && patch.imageNAndSize !== 'optional') throw new ConfigError('imageNAndSize must be "required" or "optional"');
    next.imageNAndSize = patch.imageNAndSize;
  }
  if ('bothMaxTokens' in patch) {
    if (patch.bothMaxTokens !== 'accept' && patch.bothMaxTokens !== 'reject') throw new ConfigError('bothMaxTokens must be "accept" or "reject"');
    next.bothMaxTokens = patch.bothMaxTokens;
  }
  if ('rateLimitHeaders' in patch) {
    if (patch.rateLimitHeaders !== 'documented' && patch.rateLimitHeaders !== 'observed') {
      throw new ConfigError('rateLimitHeaders must be "documented" or "observed"');
    }
    next.rateLimitHeaders = patch.rateLimitHeaders;
  }
  if ('speechResponse' in patch) {
    if (patch.speechResponse !== 'binary' && patch.speechResponse !== 'json') throw new ConfigError('speechResponse must be "binary" or "json"');
    next.speechResponse = patch.speechResponse;
  }
  for (const key of ['videoFailPrompt', 'asyncFailPrompt', 'batchFailPrompt'] as const) {
    if (key in patch) {
      if (typeof patch[key] !== 'string') throw new ConfigError(`${key} must be a string ("" = never fail)`);
      next[key] = patch[key];
    }
  }
  if ('videoOutput' in patch) next.videoOutput = oneOf(patch.videoOutput, 'videoOutput', VIDEO_OUTPUTS);
  if ('videoContent' in patch) next.videoContent = oneOf(patch.videoContent, 'videoContent', ['stream', 'redirect'] as const);
  if ('videoRedirectHops' in patch) {
    const hops = patch.videoRedirectHops;
    if (typeof hops !== 'number' || !Number.isInteger(hops) || hops < 1 || hops > MAX_REDIRECT_HOPS) {
      throw new ConfigError(`videoRedirectHops must be an integer between 1 and ${MAX_REDIRECT_HOPS}`);
    }
    next.videoRedirectHops = hops;
  }
  if ('asyncStatusRoute' in patch) next.asyncStatusRoute = oneOf(patch.asyncStatusRoute, 'asyncStatusRoute', ['progress', 'full', 'missing'] as const);
  if ('asyncOutputShape' in patch) next.asyncOutputShape = oneOf(patch.asyncOutputShape, 'asyncOutputShape', ASYNC_OUTPUT_SHAPES);
  if ('mediaHost' in patch) next.mediaHost = mediaHost(patch.mediaHost);
  if ('chatQuirks' in patch) next.chatQuirks = chatQuirks(patch.chatQuirks);
  if ('videoBytes' in patch) {
    const bytes = patch.videoBytes;
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < MIN_MP4_BYTES || bytes > MAX_VIDEO_BYTES) {
      throw new ConfigError(`videoBytes must be an integer between ${MIN_MP4_BYTES} and ${MAX_VIDEO_BYTES}`);
    }
    next.videoBytes = bytes;
  }
  if ('videoExpiryMs' in patch) next.videoExpiryMs = nonNegativeNumber(patch.videoExpiryMs, 'videoExpiryMs');
  if ('asyncInvokeStatus' in patch) {
    if (patch.asyncInvokeStatus !== 200 && patch.asyncInvokeStatus !== 202) throw new ConfigError('asyncInvokeStatus must be 200 or 202');
    next.asyncInvokeStatus = patch.asyncInvokeStatus;
  }
  if ('asyncCompletedWord' in patch) {
    if (patch.asyncCompletedWord !== 'COMPLETED' && patch.asyncCompletedWord !== 'COMPLETE') {
      throw new ConfigError('asyncCompletedWord must be "COMPLETED" or "COMPLETE"');
    }
    next.asyncCompletedWord = patch.asyncCompletedWord;
  }
  if ('videoTimings' in patch) next.videoTimings = mergeNumbers(next.videoTimings, patch.videoTimings, 'videoTimings', VIDEO_TIMING_KEYS);
  if ('asyncTimings' in patch) next.asyncTimings = mergeNumbers(next.asyncTimings, patch.asyncTimings, 'asyncTimings', ASYNC_TIMING_KEYS);
  if ('batchTimings' in patch) next.batchTimings = mergeNumbers(next.batchTimings, patch.batchTimings, 'batchTimings', BATCH_TIMING_KEYS);
  if ('batchUrlTtlSeconds' in patch) {
    next.batchUrlTtlSeconds = mergeNumbers(next.batchUrlTtlSeconds, patch.batchUrlTtlSeconds, 'batchUrlTtlSeconds', BATCH_URL_TTL_KEYS);
  }
  if ('batchLimits' in patch) next.batchLimits = mergeNumbers(next.batchLimits, patch.batchLimits, 'batchLimits', BATCH_LIMIT_KEYS, positiveInteger);
  for (const key of Object.keys(BATCH_CHOICES) as (keyof typeof BATCH_CHOICES)[]) {
    if (key in patch) (next as unknown as Record<string, string>)[key] = oneOf(patch[key], key, BATCH_CHOICES[key]);
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

/** Partial patches are merged onto the current values (timings in ms, limits, lifetimes); `check` validates each. */
function mergeNumbers<T extends object>(
  current: T,
  patch: unknown,
  name: string,
  keys: readonly (keyof T & string)[],
  check: (value: unknown, name: string) => number = nonNegativeNumber,
): T {
  if (!isPlainObject(patch)) throw new ConfigError(`${name} must be an object`);
  const next = { ...current };
  for (const key of Object.keys(patch)) {
    if (!(keys as readonly string[]).includes(key)) throw new ConfigError(`unknown ${name} key "${key}"`);
    (next as Record<string, unknown>)[key] = check(patch[key], `${name}.${key}`);
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

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.map((v) => `"${v}"`).join(', ')}`);
  }
  return value as T;
}

/** An http(s) origin (no path), or null for the CDN's own. */
function mediaHost(value: unknown): string | null {
  if (value === null) return null;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search) {
    throw new ConfigError('mediaHost must be an http(s) origin such as "http://localhost:8080", or null');
  }
  return url.origin;
}

/** A list of known quirk names, each at most once (replaces the current list, like forbiddenModels). */
function chatQuirks(value: unknown): ChatQuirk[] {
  if (!Array.isArray(value)) throw new ConfigError(`chatQuirks must be an array of ${CHAT_QUIRKS.map((q) => `"${q}"`).join(', ')}`);
  const quirks = value.map((quirk) => oneOf(quirk, 'chatQuirks[]', CHAT_QUIRKS));
  return [...new Set(quirks)];
}

function nonNegativeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${name} must be a non-negative number`);
  }
  return value;
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer`);
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
