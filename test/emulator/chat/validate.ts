/**
 * Validation of POST /v1/chat/completions bodies (§3.1–§3.3). DO's gateway validates up front (S2),
 * so every rule here answers 400 and names the parameter (path) at fault.
 */
import { invalidParam } from '../errors';
import { isPlainObject } from '../config';
import { BUILT_IN_TOOL_TYPES, isBuiltInToolType, validateBuiltInTool, type BuiltInTool } from '../tools/builtIn';
import {
  FUNCTION_NAME,
  REASONING_EFFORTS,
  optionalBoolean,
  optionalEnum,
  optionalNumber,
  optionalString,
  requiredString,
  validateCacheControl,
  validateFunctionTool,
  validateMetadata,
  validateReasoning,
  validateStop,
  validateStreamOptions,
  type Body,
} from '../validation/fields';
import { inspectImageUrl } from './images';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ResponseFormat, Role, ToolCall, ToolChoice } from './types';

const ROLES: readonly Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];
/**
 * OA is explicit: max_completion_tokens has minimum 256 (whether the live API enforces it is
 * UNVERIFIED, §3.1). The emulator follows the spec, so clients must not send less.
 */
export const MIN_MAX_COMPLETION_TOKENS = 256;

export interface ChatRules {
  /** What a body with both max_tokens and max_completion_tokens gets (config `bothMaxTokens`). */
  bothMaxTokens: 'accept' | 'reject';
}

export function validateChatRequest(body: Body, rules: ChatRules = { bothMaxTokens: 'accept' }): ChatRequest {
  const model = requiredString(body, 'model');
  const messages = validateMessages(body.messages);
  const stream = optionalBoolean(body, 'stream') ?? false;
  const includeUsage = validateStreamOptions(body.stream_options, stream);

  // CONFLICT: S1/S3 prose say temperature 0.0–1.0; OA and GPY say 0–2. The spec range is used.
  optionalNumber(body, 'temperature', { min: 0, max: 2 });
  optionalNumber(body, 'top_p', { min: 0, max: 1 });
  optionalNumber(body, 'frequency_penalty', { min: -2, max: 2 });
  optionalNumber(body, 'presence_penalty', { min: -2, max: 2 });
  optionalNumber(body, 'seed', { integer: true });
  const n = optionalNumber(body, 'n', { min: 1, max: 128, integer: true }) ?? 1;
  const maxCompletionTokens = optionalNumber(body, 'max_completion_tokens', { min: MIN_MAX_COMPLETION_TOKENS, integer: true });
  const maxTokens = optionalNumber(body, 'max_tokens', { min: 0, integer: true });
  if (rules.bothMaxTokens === 'reject' && maxTokens !== undefined && maxCompletionTokens !== undefined) {
    // OpenAI's wording for its o-series; DO's behaviour is UNVERIFIED (the 'accept' default lets max_completion_tokens win).
    throw invalidParam('max_tokens', "'max_tokens' and 'max_completion_tokens' cannot both be set; use 'max_completion_tokens'.");
  }
  const stop = validateStop(body.stop);
  const logprobs = optionalBoolean(body, 'logprobs') ?? false;
  const topLogprobs = optionalNumber(body, 'top_logprobs', { min: 0, max: 20, integer: true });
  if (topLogprobs !== undefined && !logprobs) {
    throw invalidParam('top_logprobs', "'top_logprobs' requires 'logprobs' to be true.");
  }
  validateLogitBias(body.logit_bias);
  validateMetadata(body.metadata);
  optionalString(body, 'user');
  optionalBoolean(body, 'parallel_tool_calls');
  optionalEnum(body, 'prompt_cache_retention', ['in_memory', '24h']);

  const reasoningEffort = optionalEnum(body, 'reasoning_effort', REASONING_EFFORTS);
  const reasoning = validateReasoning(body.reasoning);
  const responseFormat = validateResponseFormat(body.response_format);
  const { functionTools, builtInTools } = validateTools(body.tools);
  const toolChoice = validateToolChoice(body.tool_choice, functionTools, builtInTools.length > 0);

  return {
    model,
    messages,
    stream,
    includeUsage,
    n,
    maxOutputTokens: maxCompletionTokens ?? maxTokens ?? null,
    stop,
    logprobs,
    topLogprobs: topLogprobs ?? 0,
    reasoningEffort: reasoningEffort ?? reasoning?.effort,
    reasoningMaxTokens: reasoning?.maxTokens,
    reasoningRequested: reasoningEffort !== undefined || reasoning !== undefined,
    responseFormat,
    functionTools,
    builtInTools,
    toolChoice,
  };
}

// ---- messages -------------------------------------------------------------------------------

function validateMessages(value: unknown): ChatMessage[] {
  if (value === undefined || value === null) {
    throw invalidParam('messages', "Missing required parameter: 'messages'.", 'missing_required_parameter');
  }
  if (!Array.isArray(value)) throw invalidParam('messages', "'messages' must be an array of message objects.", 'invalid_type');
  if (value.length === 0) throw invalidParam('messages', "'messages' must contain at least one message.", 'empty_array');
  return value.map((message, i) => validateMessage(message, `messages[${i}]`));
}

function validateMessage(value: unknown, path: string): ChatMessage {
  if (!isPlainObject(value)) throw invalidParam(path, `'${path}' must be a message object.`, 'invalid_type');
  const role = value.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw invalidParam(`${path}.role`, `'${path}.role' must be one of ${ROLES.join(', ')}; got ${JSON.stringify(role ?? null)}.`);
  }
  const typedRole = role as Role;
  if (value.name !== undefined && typeof value.name !== 'string') {
    throw invalidParam(`${path}.name`, `'${path}.name' must be a string.`, 'invalid_type');
  }
  if (typedRole !== 'assistant' && value.tool_calls !== undefined) {
    throw invalidParam(`${path}.tool_calls`, `'${path}.tool_calls' is only allowed in assistant messages.`);
  }
  const toolCalls = typedRole === 'assistant' ? validateToolCalls(value.tool_calls, `${path}.tool_calls`) : [];

  let parts: ContentPart[] = [];
  if (value.content === undefined || value.content === null) {
    if (typedRole !== 'assistant' || toolCalls.length === 0) {
      throw invalidParam(`${path}.content`, `Missing required parameter: '${path}.content'.`, 'missing_required_parameter');
    }
  } else {
    parts = validateContent(value.content, typedRole, `${path}.content`);
  }

  let toolCallId: string | undefined;
  if (typedRole === 'tool') {
    if (typeof value.tool_call_id !== 'string' || value.tool_call_id === '') {
      throw invalidParam(`${path}.tool_call_id`, `Missing required parameter: '${path}.tool_call_id' (tool messages must answer a tool call).`, 'missing_required_parameter');
    }
    toolCallId = value.tool_call_id;
  }
  return { role: typedRole, parts, toolCallId, toolCalls };
}

/** S1/GPY: content is a string, ONE part object, or an array of strings and part objects. */
function validateContent(content: unknown, role: Role, path: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (isPlainObject(content)) return [validatePart(content, role, path)];
  if (Array.isArray(content)) {
    return content.map((item, j) => (typeof item === 'string' ? { type: 'text', text: item } : validatePart(item, role, `${path}[${j}]`)));
  }
  throw invalidParam(path, `'${path}' must be a string, a content part object, or an array of strings and content parts.`, 'invalid_type');
}

function validatePart(part: unknown, role: Role, path: string): ContentPart {
  if (!isPlainObject(part)) throw invalidParam(path, `'${path}' must be a string or a content part object.`, 'invalid_type');
  switch (part.type) {
    case 'text': {
      if (typeof part.text !== 'string') throw invalidParam(`${path}.text`, `'${path}.text' must be a string.`, 'invalid_type');
      const cacheTtl = validateCacheControl(part.cache_control, `${path}.cache_control`);
      return cacheTtl ? { type: 'text', text: part.text, cacheTtl } : { type: 'text', text: part.text };
    }
    case 'image_url': {
      requireUserRole(role, path, 'image_url');
      const image = part.image_url;
      if (!isPlainObject(image) || typeof image.url !== 'string') {
        throw invalidParam(`${path}.image_url.url`, `Missing required parameter: '${path}.image_url.url'.`, 'missing_required_parameter');
      }
      if (image.detail !== undefined && !['auto', 'low', 'high'].includes(image.detail as string)) {
        throw invalidParam(`${path}.image_url.detail`, `'${path}.image_url.detail' must be one of auto, low, high.`);
      }
      const inspected = inspectImageUrl(image.url);
      if ('problem' in inspected) {
        throw invalidParam(`${path}.image_url.url`, `'${path}.image_url.url' ${inspected.problem}.`, 'invalid_image');
      }
      return { type: 'image_url', url: image.url, info: inspected.info };
    }
    case 'video_url': {
      requireUserRole(role, path, 'video_url');
      const video = part.video_url;
      if (!isPlainObject(video) || typeof video.url !== 'string') {
        throw invalidParam(`${path}.video_url.url`, `Missing required parameter: '${path}.video_url.url'.`, 'missing_required_parameter');
      }
      return { type: 'video_url', url: video.url };
    }
    default:
      throw invalidParam(`${path}.type`, `'${path}.type' must be one of text, image_url, video_url; got ${JSON.stringify(part.type ?? null)}.`);
  }
}

function requireUserRole(role: Role, path: string, partType: string): void {
  if (role !== 'user') {
    throw invalidParam(path, `'${path}': ${partType} parts are only allowed in user messages, not in ${role} messages.`);
  }
}

function validateToolCalls(value: unknown, path: string): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParam(path, `'${path}' must be an array.`, 'invalid_type');
  return value.map((call, k) => {
    const at = `${path}[${k}]`;
    if (!isPlainObject(call) || typeof call.id !== 'string' || call.id === '' || call.type !== 'function' || !isPlainObject(call.function)) {
      throw invalidParam(at, `'${at}' must be {id, type: "function", function: {name, arguments}}.`, 'invalid_type');
    }
    const fn = call.function;
    // OA chat_message.yml: arguments is the JSON *string* the model produced, not an object.
    if (typeof fn.name !== 'string' || fn.name === '' || typeof fn.arguments !== 'string') {
      throw invalidParam(`${at}.function`, `'${at}.function' needs a string name and a JSON string arguments.`, 'invalid_type');
    }
    return { id: call.id, name: fn.name, arguments: fn.arguments };
  });
}

// ---- other parameters ----------------------------------------------------------------------

function validateLogitBias(value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) throw invalidParam('logit_bias', "'logit_bias' must map token ids to numbers.", 'invalid_type');
  for (const [token, bias] of Object.entries(value)) {
    if (typeof bias !== 'number' || bias < -100 || bias > 100) {
      throw invalidParam('logit_bias', `'logit_bias[${token}]' must be a number between -100 and 100.`);
    }
  }
}

function validateResponseFormat(value: unknown): ResponseFormat {
  if (value === undefined || value === null) return { type: 'text' };
  if (!isPlainObject(value)) throw invalidParam('response_format', "'response_format' must be an object.", 'invalid_type');
  if (value.type === 'text' || value.type === 'json_object') return { type: value.type };
  if (value.type !== 'json_schema') {
    throw invalidParam('response_format.type', `'response_format.type' must be one of text, json_object, json_schema; got ${JSON.stringify(value.type ?? null)}.`);
  }
  const spec = value.json_schema;
  if (!isPlainObject(spec)) {
    throw invalidParam('response_format.json_schema', "Missing required parameter: 'response_format.json_schema'.", 'missing_required_parameter');
  }
  if (typeof spec.name !== 'string' || !FUNCTION_NAME.test(spec.name)) {
    throw invalidParam('response_format.json_schema.name', "'response_format.json_schema.name' is required and must match ^[a-zA-Z0-9_-]{1,64}$.", 'missing_required_parameter');
  }
  if (!isPlainObject(spec.schema)) {
    throw invalidParam('response_format.json_schema.schema', "'response_format.json_schema.schema' is required and must be a JSON Schema object.", 'missing_required_parameter');
  }
  return { type: 'json_schema', name: spec.name, schema: spec.schema };
}

function validateTools(value: unknown): { functionTools: FunctionTool[]; builtInTools: BuiltInTool[] } {
  const result = { functionTools: [] as FunctionTool[], builtInTools: [] as BuiltInTool[] };
  if (value === undefined || value === null) return result;
  if (!Array.isArray(value)) throw invalidParam('tools', "'tools' must be an array of tool objects.", 'invalid_type');
  value.forEach((tool, i) => {
    const path = `tools[${i}]`;
    if (!isPlainObject(tool)) throw invalidParam(path, `'${path}' must be a tool object.`, 'invalid_type');
    if (tool.type === 'function') {
      result.functionTools.push(validateFunctionTool(tool.function, `${path}.function`));
    } else if (isBuiltInToolType(tool.type)) {
      result.builtInTools.push(validateBuiltInTool(tool, path));
    } else {
      throw invalidParam(`${path}.type`, `'${path}.type' must be one of function, ${BUILT_IN_TOOL_TYPES.join(', ')}; got ${JSON.stringify(tool.type ?? null)}.`);
    }
  });
  return result;
}

function validateToolChoice(value: unknown, tools: FunctionTool[], hasBuiltInTools: boolean): ToolChoice {
  const anyTools = tools.length > 0 || hasBuiltInTools;
  if (value === undefined || value === null) return anyTools ? 'auto' : 'none';
  if (value === 'none' || value === 'auto' || value === 'required') {
    if (value !== 'none' && !anyTools) throw invalidParam('tool_choice', `'tool_choice' "${value}" requires 'tools'.`);
    return value;
  }
  if (isPlainObject(value) && value.type === 'function' && isPlainObject(value.function) && typeof value.function.name === 'string') {
    const name = value.function.name;
    if (!tools.some((t) => t.name === name)) {
      throw invalidParam('tool_choice', `'tool_choice' names function "${name}", which is not in 'tools'.`);
    }
    return { name };
  }
  throw invalidParam('tool_choice', "'tool_choice' must be none, auto, required or {type: \"function\", function: {name}}.");
}
