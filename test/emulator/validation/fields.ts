/**
 * Field checks shared by the endpoint validators. Each throws a 400 naming the parameter (path) at
 * fault; the body style of that 400 is the exchange's business (DO, OpenAI or Anthropic envelope).
 */
import { invalidParam } from '../errors';
import { isPlainObject } from '../config';
import type { CacheTtl } from '../chat/promptCache';
import type { FunctionTool } from '../chat/types';

export type Body = Record<string, unknown>;

/** CONFLICT: OA/GPY list none..xhigh, S2 lists none/low/medium/high/max. The union is accepted everywhere. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function validateCacheControl(value: unknown, path: string): CacheTtl | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value) || value.type !== 'ephemeral') {
    throw invalidParam(`${path}.type`, `'${path}.type' must be "ephemeral".`);
  }
  if (value.ttl === undefined) return '5m'; // S1: default ttl
  if (value.ttl !== '5m' && value.ttl !== '1h') throw invalidParam(`${path}.ttl`, `'${path}.ttl' must be "5m" or "1h".`);
  return value.ttl;
}

export function validateStreamOptions(value: unknown, stream: boolean): boolean {
  if (value === undefined || value === null) return false;
  // LCG 0.2.1: the live API answers 400 to stream_options on a non-streaming request.
  if (!stream) throw invalidParam('stream_options', "'stream_options' is only allowed when 'stream' is true.");
  if (!isPlainObject(value)) throw invalidParam('stream_options', "'stream_options' must be an object.", 'invalid_type');
  if (value.include_usage !== undefined && typeof value.include_usage !== 'boolean') {
    throw invalidParam('stream_options.include_usage', "'stream_options.include_usage' must be a boolean.", 'invalid_type');
  }
  return value.include_usage === true;
}

/** `stop` on chat and responses: a string or at most 4 strings (OA). */
export function validateStop(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
    throw invalidParam('stop', "'stop' must be a string or an array of strings.", 'invalid_type');
  }
  if (value.length > 4) throw invalidParam('stop', `'stop' accepts at most 4 sequences; got ${value.length}.`);
  return value as string[];
}

export function validateMetadata(value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) throw invalidParam('metadata', "'metadata' must be an object of strings.", 'invalid_type');
  const entries = Object.entries(value);
  if (entries.length > 16) throw invalidParam('metadata', `'metadata' accepts at most 16 pairs; got ${entries.length}.`);
  for (const [key, item] of entries) {
    if (key.length > 64) throw invalidParam('metadata', `'metadata' keys must be at most 64 characters.`);
    if (typeof item !== 'string' || item.length > 512) {
      throw invalidParam('metadata', `'metadata.${key}' must be a string of at most 512 characters.`);
    }
  }
}

export function validateReasoning(value: unknown): { effort?: string; maxTokens?: number } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw invalidParam('reasoning', "'reasoning' must be an object {effort, max_tokens}.", 'invalid_type');
  const effort = optionalEnum(value, 'effort', REASONING_EFFORTS, 'reasoning.effort');
  const maxTokens = optionalNumber(value, 'max_tokens', { min: 0, integer: true }, 'reasoning.max_tokens');
  return { effort, maxTokens };
}

export function validateFunctionTool(fn: unknown, path: string): FunctionTool {
  if (!isPlainObject(fn)) throw invalidParam(path, `Missing required parameter: '${path}'.`, 'missing_required_parameter');
  if (typeof fn.name !== 'string' || !FUNCTION_NAME.test(fn.name)) {
    throw invalidParam(`${path}.name`, `'${path}.name' must match ^[a-zA-Z0-9_-]{1,64}$; got ${JSON.stringify(fn.name ?? null)}.`);
  }
  if (fn.description !== undefined && typeof fn.description !== 'string') {
    throw invalidParam(`${path}.description`, `'${path}.description' must be a string.`, 'invalid_type');
  }
  if (fn.parameters !== undefined && !isPlainObject(fn.parameters)) {
    throw invalidParam(`${path}.parameters`, `'${path}.parameters' must be a JSON Schema object.`, 'invalid_type');
  }
  return { name: fn.name, description: fn.description as string | undefined, parameters: fn.parameters as Body | undefined };
}

export function requiredString(body: Body, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) throw invalidParam(name, `Missing required parameter: '${name}'.`, 'missing_required_parameter');
  if (typeof value !== 'string' || value.trim() === '') throw invalidParam(name, `'${name}' must be a non-empty string.`, 'invalid_type');
  return value;
}

export function optionalString(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParam(name, `'${name}' must be a string.`, 'invalid_type');
  return value;
}

export function optionalBoolean(body: Body, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParam(name, `'${name}' must be a boolean.`, 'invalid_type');
  return value;
}

export function optionalEnum(body: Body, name: string, allowed: readonly string[], param = name): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalidParam(param, `'${param}' must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function optionalNumber(
  body: Body,
  name: string,
  rule: { min?: number; max?: number; integer?: boolean },
  param = name,
): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParam(param, `'${param}' must be a number.`, 'invalid_type');
  if (rule.integer && !Number.isInteger(value)) throw invalidParam(param, `'${param}' must be an integer.`, 'invalid_type');
  const tooLow = rule.min !== undefined && value < rule.min;
  const tooHigh = rule.max !== undefined && value > rule.max;
  if (tooLow || tooHigh) {
    const range =
      rule.max === undefined ? `at least ${rule.min}` : rule.min === undefined ? `at most ${rule.max}` : `between ${rule.min} and ${rule.max}`;
    throw invalidParam(param, `'${param}' must be ${range}; got ${value}.`);
  }
  return value;
}
