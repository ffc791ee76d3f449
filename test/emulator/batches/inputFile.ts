/**
 * Validation of a batch input file, as DO's `validating` phase would do it (how-to, spec
 * `batch_create_request`): JSONL, ≤ `maxFileBytes`, ≤ 50,000 (openai) / 100,000 (anthropic) requests,
 * each line in the provider's native format — OpenAI `{custom_id, method: "POST", url: <endpoint>,
 * body}`, Anthropic Message Batches `{custom_id, params}` — with unique `custom_id`s, and text only.
 * Problems come back as the spec's `errors[{code, message, line}]`; the request bodies themselves are
 * checked per line later (a bad body fails its line, not the file).
 */
import { isPlainObject } from '../config';
import type { BatchLimits } from '../types';

export type Provider = 'openai' | 'anthropic';

export interface BatchError {
  code: string;
  message: string;
  /** 1-based JSONL line, or null for the whole file. */
  line: number | null;
}

export interface InputLine {
  /** 1-based line number in the file. */
  lineNo: number;
  customId: string;
  /** The line as sent (parsed again by `lineRequest` when answered, so no parsed file stays in memory). */
  text: string;
}

/** The spec's only example code; the message says what is wrong. */
const INVALID = 'invalid_input_file';
/** Enough to fix a file in one go without answering megabytes of errors. */
const MAX_ERRORS = 100;
/** Anthropic's rule for `custom_id` (Message Batches API). */
const ANTHROPIC_CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
/** Content-part / block types that are not text (how-to: "Only text prompts … are supported"). */
const NON_TEXT_TYPES = new Set(['image_url', 'image', 'input_image', 'input_file', 'file', 'document', 'input_audio', 'audio', 'video_url']);

export interface FileSummary {
  /** Every line (in file order), or [] when the file has problems. */
  lines: InputLine[];
  errors: BatchError[];
}

export function readInputFile(
  content: Buffer,
  size: number,
  tooLarge: boolean,
  provider: Provider,
  endpoint: string | null,
  limits: BatchLimits,
): FileSummary {
  if (tooLarge) return fail(`The input file is ${size} bytes; the limit is ${limits.maxFileBytes} bytes.`);
  const maxLines = provider === 'openai' ? limits.openaiMaxLines : limits.anthropicMaxLines;
  const errors: BatchError[] = [];
  const lines: InputLine[] = [];
  const firstLineOf = new Map<string, number>();
  const texts = content.toString('utf8').split('\n');
  let requests = 0;
  for (let i = 0; i < texts.length && errors.length < MAX_ERRORS; i++) {
    const text = texts[i].replace(/\r$/, '');
    if (text.trim() === '') continue; // blank lines (the final newline included) carry no request
    requests += 1;
    const lineNo = i + 1;
    const parsed = parseLine(text, provider, endpoint);
    if (typeof parsed === 'string') {
      errors.push({ code: INVALID, message: `Line ${lineNo}: ${parsed}`, line: lineNo });
      continue;
    }
    const first = firstLineOf.get(parsed.customId);
    if (first !== undefined) {
      errors.push({ code: INVALID, message: `Line ${lineNo}: duplicate custom_id '${parsed.customId}' (first used on line ${first}).`, line: lineNo });
      continue;
    }
    firstLineOf.set(parsed.customId, lineNo);
    lines.push({ lineNo, text, customId: parsed.customId });
  }
  if (requests > maxLines) {
    errors.unshift({ code: INVALID, message: `The input file has ${requests} requests; the limit for provider ${provider} is ${maxLines}.`, line: null });
  }
  if (requests === 0) return fail('The input file contains no requests.');
  return errors.length > 0 ? { lines: [], errors } : { lines, errors };
}

function fail(message: string): FileSummary {
  return { lines: [], errors: [{ code: INVALID, message, line: null }] };
}

/** The line's custom_id and request, or what is wrong with it. */
function parseLine(text: string, provider: Provider, endpoint: string | null): { customId: string; request: Record<string, unknown> } | string {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message}).`;
  }
  if (!isPlainObject(line)) return 'each line must be a JSON object.';
  const looksOpenAi = 'body' in line || 'url' in line || 'method' in line;
  if (provider === 'anthropic' && !('params' in line) && looksOpenAi) {
    return "provider anthropic takes Anthropic Message Batches lines {custom_id, params}; this line is in the OpenAI format {custom_id, method, url, body}.";
  }
  if (provider === 'openai' && 'params' in line && !looksOpenAi) {
    return "provider openai takes OpenAI batch lines {custom_id, method, url, body}; this line is in the Anthropic format {custom_id, params}.";
  }
  const customId = line.custom_id;
  if (customId === undefined || customId === null) return "missing required field 'custom_id'.";
  if (typeof customId !== 'string' || customId === '') return "'custom_id' must be a non-empty string.";
  if (provider === 'anthropic' && !ANTHROPIC_CUSTOM_ID.test(customId)) {
    return `'custom_id' must match ^[a-zA-Z0-9_-]{1,64}$ for provider anthropic; got ${JSON.stringify(customId)}.`;
  }
  const request = provider === 'openai' ? openAiRequest(line, endpoint ?? '') : line.params;
  if (typeof request === 'string') return request;
  if (!isPlainObject(request)) return `missing required field '${provider === 'openai' ? 'body' : 'params'}' (a JSON object).`;
  const nonText = nonTextPart(request);
  if (nonText) return `only text prompts are supported for batch inference; found a '${nonText}' part.`;
  return { customId, request };
}

/** The request body of a line that passed `readInputFile` (`body` for openai, `params` for anthropic). */
export function lineRequest(provider: Provider, text: string): Record<string, unknown> {
  const line = JSON.parse(text) as Record<string, Record<string, unknown>>;
  return provider === 'openai' ? line.body : line.params;
}

function openAiRequest(line: Record<string, unknown>, endpoint: string): unknown {
  if (line.method !== 'POST') return `'method' must be "POST"; got ${JSON.stringify(line.method ?? null)}.`;
  if (line.url !== endpoint) return `'url' ${JSON.stringify(line.url ?? null)} does not match the batch endpoint ${endpoint}.`;
  return line.body;
}

/** The first non-text part in the prompt fields (messages, input, system), if any. */
function nonTextPart(request: Record<string, unknown>): string | undefined {
  const walk = (value: unknown): string | undefined => {
    if (Array.isArray(value)) {
      for (const item of value) {
        const found = walk(item);
        if (found) return found;
      }
      return undefined;
    }
    if (!isPlainObject(value)) return undefined;
    if (typeof value.type === 'string' && NON_TEXT_TYPES.has(value.type)) return value.type;
    return walk(value.content);
  };
  return walk(request.messages) ?? walk(request.input) ?? walk(request.system);
}
