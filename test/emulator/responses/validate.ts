/**
 * Validation of POST /v1/responses bodies (§4.1). Like chat, every rule answers 400 naming the
 * parameter (path) at fault. Function tools use the FLAT Responses format
 * `{type: "function", name, description, parameters}` (OA, GODO, GPY): a tool in the nested chat
 * format is refused, naming the missing `tools[i].name`.
 */
import { invalidParam } from '../errors';
import { isPlainObject } from '../config';
import { inspectImageUrl } from '../chat/images';
import type { ChatMessage, ContentPart, FunctionTool, Role, ToolChoice } from '../chat/types';
import { BUILT_IN_TOOL_TYPES, isBuiltInToolType, redactToolDefinition, validateBuiltInTool, type BuiltInTool } from '../tools/builtIn';
import {
  optionalBoolean,
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
import type { ResponsesRequest } from './types';

/** OA lists user/assistant/system/tool/developer; a tool-role item needs tool_call_id (GPY). */
const ROLES: readonly Role[] = ['user', 'assistant', 'system', 'developer', 'tool'];
const ITEM_TYPES = ['message', 'function_call', 'function_call_output', 'reasoning'];

export function validateResponsesRequest(body: Body): ResponsesRequest {
  const model = requiredString(body, 'model');
  const input = validateInput(body.input);
  const instructions = optionalString(body, 'instructions') ?? null;
  const stream = optionalBoolean(body, 'stream') ?? false;
  const includeUsage = validateStreamOptions(body.stream_options, stream);
  const maxOutputTokens = optionalNumber(body, 'max_output_tokens', { min: 1, integer: true }) ?? null;
  // CONFLICT: S1 says temperature 0.0–1.0, OA says 0–2. The spec range is used, as on chat.
  const temperature = optionalNumber(body, 'temperature', { min: 0, max: 2 });
  const topP = optionalNumber(body, 'top_p', { min: 0, max: 1 });
  const stop = validateStop(body.stop);
  validateMetadata(body.metadata);
  const user = optionalString(body, 'user') ?? null;
  const parallelToolCalls = optionalBoolean(body, 'parallel_tool_calls');
  // UNVERIFIED default: OpenAI stores by default; DO documents only "store: true" preserving state. Default false.
  const store = optionalBoolean(body, 'store') ?? false;
  const previousResponseId = optionalString(body, 'previous_response_id') ?? null;
  // UNVERIFIED shape (S2 mentions reasoning on Responses without an example): OpenAI's {effort}, plus chat's max_tokens.
  const reasoning = validateReasoning(body.reasoning);
  const { functionTools, builtInTools } = validateTools(body.tools);
  const toolChoice = validateToolChoice(body.tool_choice, functionTools, builtInTools.length > 0);

  return {
    model,
    input,
    instructions,
    stream,
    includeUsage,
    maxOutputTokens,
    stop,
    reasoningEffort: reasoning?.effort,
    reasoningMaxTokens: reasoning?.maxTokens,
    reasoningRequested: reasoning !== undefined,
    functionTools,
    builtInTools,
    toolChoice,
    store,
    previousResponseId,
    echo: {
      instructions,
      max_output_tokens: maxOutputTokens,
      temperature: temperature ?? 1,
      top_p: topP ?? 1,
      tool_choice: body.tool_choice ?? 'auto',
      tools: Array.isArray(body.tools) ? body.tools.map(redactToolDefinition) : [],
      parallel_tool_calls: parallelToolCalls ?? true,
      previous_response_id: previousResponseId,
      store,
      metadata: isPlainObject(body.metadata) ? body.metadata : {},
      user,
      reasoning: reasoning === undefined ? null : { effort: reasoning.effort ?? null, summary: null },
    },
  };
}

// ---- input ----------------------------------------------------------------------------------

function validateInput(value: unknown): ChatMessage[] {
  if (value === undefined || value === null) {
    throw invalidParam('input', "Missing required parameter: 'input'.", 'missing_required_parameter');
  }
  if (typeof value === 'string') return [{ role: 'user', parts: [{ type: 'text', text: value }], toolCalls: [] }];
  if (!Array.isArray(value)) throw invalidParam('input', "'input' must be a string or an array of input items.", 'invalid_type');
  if (value.length === 0) throw invalidParam('input', "'input' must contain at least one item.", 'empty_array');
  const messages = value.flatMap((item, i) => validateItem(item, `input[${i}]`));
  if (messages.length === 0) {
    throw invalidParam('input', "'input' must contain at least one message or function_call_output item (reasoning items alone are not a prompt).");
  }
  return messages;
}

function validateItem(item: unknown, path: string): ChatMessage[] {
  if (!isPlainObject(item)) throw invalidParam(path, `'${path}' must be an input item object.`, 'invalid_type');
  const type = item.type ?? 'message';
  switch (type) {
    case 'message':
      return [validateMessageItem(item, path)];
    case 'function_call_output':
      return [
        {
          role: 'tool',
          parts: [{ type: 'text', text: stringField(item, 'output', path, true) }],
          toolCallId: stringField(item, 'call_id', path),
          toolCalls: [],
        },
      ];
    case 'function_call':
      return [
        {
          role: 'assistant',
          parts: [],
          toolCalls: [{ id: stringField(item, 'call_id', path), name: stringField(item, 'name', path), arguments: stringField(item, 'arguments', path, true) }],
        },
      ];
    case 'reasoning':
      return []; // replayed reasoning is accepted and not part of the prompt
    default:
      throw invalidParam(`${path}.type`, `'${path}.type' must be one of ${ITEM_TYPES.join(', ')}; got ${JSON.stringify(type)}.`);
  }
}

function validateMessageItem(item: Body, path: string): ChatMessage {
  const role = item.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw invalidParam(`${path}.role`, `'${path}.role' must be one of ${ROLES.join(', ')}; got ${JSON.stringify(role ?? null)}.`);
  }
  const typedRole = role as Role;
  let toolCallId: string | undefined;
  if (typedRole === 'tool') toolCallId = stringField(item, 'tool_call_id', path);
  const content = item.content;
  if (content === undefined || content === null) {
    throw invalidParam(`${path}.content`, `Missing required parameter: '${path}.content'.`, 'missing_required_parameter');
  }
  let parts: ContentPart[];
  if (typeof content === 'string') parts = [{ type: 'text', text: content }];
  else if (Array.isArray(content) && content.length > 0) parts = content.map((part, j) => validatePart(part, typedRole, `${path}.content[${j}]`));
  else throw invalidParam(`${path}.content`, `'${path}.content' must be a string or a non-empty array of content parts.`, 'invalid_type');
  return { role: typedRole, parts, toolCallId, toolCalls: [] };
}

function validatePart(part: unknown, role: Role, path: string): ContentPart {
  if (!isPlainObject(part)) throw invalidParam(path, `'${path}' must be a content part object.`, 'invalid_type');
  switch (part.type) {
    case 'input_text':
    case 'output_text': {
      if (part.type === 'output_text' && role !== 'assistant') {
        throw invalidParam(`${path}.type`, `'${path}': output_text parts belong to assistant items; use input_text.`);
      }
      if (typeof part.text !== 'string') throw invalidParam(`${path}.text`, `'${path}.text' must be a string.`, 'invalid_type');
      // UNVERIFIED: cache_control on input_text is chat's rule carried over (S2 documents it for chat only).
      const cacheTtl = validateCacheControl(part.cache_control, `${path}.cache_control`);
      return cacheTtl ? { type: 'text', text: part.text, cacheTtl } : { type: 'text', text: part.text };
    }
    case 'input_image': {
      if (role !== 'user') throw invalidParam(path, `'${path}': input_image parts are only allowed in user items, not in ${role} items.`);
      if (typeof part.image_url !== 'string') {
        throw invalidParam(`${path}.image_url`, `Missing required parameter: '${path}.image_url' (an https URL or a base64 data URL string).`, 'missing_required_parameter');
      }
      if (part.detail !== undefined && !['auto', 'low', 'high'].includes(part.detail as string)) {
        throw invalidParam(`${path}.detail`, `'${path}.detail' must be one of auto, low, high.`);
      }
      const inspected = inspectImageUrl(part.image_url);
      if ('problem' in inspected) throw invalidParam(`${path}.image_url`, `'${path}.image_url' ${inspected.problem}.`, 'invalid_image');
      return { type: 'image_url', url: part.image_url, info: inspected.info };
    }
    default:
      throw invalidParam(`${path}.type`, `'${path}.type' must be one of input_text, input_image, output_text; got ${JSON.stringify(part.type ?? null)}.`);
  }
}

function stringField(item: Body, name: string, path: string, allowEmpty = false): string {
  const value = item[name];
  if (value === undefined || value === null) {
    throw invalidParam(`${path}.${name}`, `Missing required parameter: '${path}.${name}'.`, 'missing_required_parameter');
  }
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw invalidParam(`${path}.${name}`, `'${path}.${name}' must be a${allowEmpty ? '' : ' non-empty'} string.`, 'invalid_type');
  }
  return value;
}

// ---- tools ----------------------------------------------------------------------------------

function validateTools(value: unknown): { functionTools: FunctionTool[]; builtInTools: BuiltInTool[] } {
  const result = { functionTools: [] as FunctionTool[], builtInTools: [] as BuiltInTool[] };
  if (value === undefined || value === null) return result;
  if (!Array.isArray(value)) throw invalidParam('tools', "'tools' must be an array of tool objects.", 'invalid_type');
  value.forEach((tool, i) => {
    const path = `tools[${i}]`;
    if (!isPlainObject(tool)) throw invalidParam(path, `'${path}' must be a tool object.`, 'invalid_type');
    if (tool.type === 'function') {
      if (tool.name === undefined && isPlainObject(tool.function)) {
        throw invalidParam(
          `${path}.name`,
          `Missing required parameter: '${path}.name'. Responses takes flat function tools {type: "function", name, description, parameters}, not the chat format {type: "function", function: {...}}.`,
          'missing_required_parameter',
        );
      }
      result.functionTools.push(validateFunctionTool(tool, path));
    } else if (isBuiltInToolType(tool.type, true)) {
      result.builtInTools.push(validateBuiltInTool(tool, path));
    } else {
      throw invalidParam(`${path}.type`, `'${path}.type' must be one of function, ${BUILT_IN_TOOL_TYPES.join(', ')}; got ${JSON.stringify(tool.type ?? null)}.`);
    }
  });
  return result;
}

/**
 * CONFLICT: OA documents the chat form {type: "function", function: {name}}; OpenAI's Responses API
 * uses the flat {type: "function", name}. Both are accepted.
 */
function validateToolChoice(value: unknown, tools: FunctionTool[], hasBuiltInTools: boolean): ToolChoice {
  const anyTools = tools.length > 0 || hasBuiltInTools;
  if (value === undefined || value === null) return anyTools ? 'auto' : 'none';
  if (value === 'none' || value === 'auto' || value === 'required') {
    if (value !== 'none' && !anyTools) throw invalidParam('tool_choice', `'tool_choice' "${value}" requires 'tools'.`);
    return value;
  }
  if (isPlainObject(value) && value.type === 'function') {
    const name = typeof value.name === 'string' ? value.name : isPlainObject(value.function) ? value.function.name : undefined;
    if (typeof name === 'string') {
      if (!tools.some((t) => t.name === name)) {
        throw invalidParam('tool_choice', `'tool_choice' names function "${name}", which is not in 'tools'.`);
      }
      return { name };
    }
  }
  throw invalidParam('tool_choice', "'tool_choice' must be none, auto, required or {type: \"function\", name}.");
}
