/**
 * Validation of POST /v1/messages bodies (§5.1, OA `messages_create_request.yml`, Anthropic's rules
 * where OA is silent). Every rule answers 400 naming the field; the route sends these in the
 * Anthropic error envelope (§5.4).
 */
import { invalidParam } from '../errors';
import { isPlainObject } from '../config';
import { BUILT_IN_TOOL_TYPES, isBuiltInToolType, validateBuiltInTool, type BuiltInTool } from '../tools/builtIn';
import { inspectBase64Image, inspectImageUrl, type ImageFormat } from '../chat/images';
import type { CacheTtl } from '../chat/promptCache';
import type { ChatMessage, ContentPart, FunctionTool, ImageInfo, TextPart, ToolCall, ToolChoice } from '../chat/types';
import {
  FUNCTION_NAME,
  REASONING_EFFORTS,
  optionalBoolean,
  optionalEnum,
  optionalNumber,
  requiredString,
  validateCacheControl,
  type Body,
} from '../validation/fields';
import type { MessagesRequest, Speed } from './types';

const MEDIA_TYPES: Record<string, ImageFormat> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp', 'image/gif': 'gif' };
/** Anthropic's floor for a thinking budget. */
const MIN_THINKING_BUDGET = 1024;

export function validateMessagesRequest(body: Body): MessagesRequest {
  const model = requiredString(body, 'model');
  const maxTokens = validateMaxTokens(body.max_tokens);
  const messages = validateMessages(body.messages);
  const system = validateSystem(body.system);
  const stream = optionalBoolean(body, 'stream') ?? false;
  optionalNumber(body, 'temperature', { min: 0, max: 1 });
  optionalNumber(body, 'top_p', { min: 0, max: 1 });
  optionalNumber(body, 'top_k', { min: 0, integer: true });
  const stopSequences = validateStopSequences(body.stop_sequences);
  validateMetadata(body.metadata);
  const { tools, builtInTools } = validateTools(body.tools);
  const toolChoice = validateToolChoice(body.tool_choice, tools, builtInTools.length > 0);
  const thinkingBudget = validateThinking(body.thinking, maxTokens);
  const reasoningEffort = optionalEnum(body, 'reasoning_effort', REASONING_EFFORTS);
  const speed = (optionalEnum(body, 'speed', ['standard', 'fast']) ?? 'standard') as Speed;
  return { model, system, messages, maxTokens, stream, stopSequences, tools, builtInTools, toolChoice, thinkingBudget, reasoningEffort, speed };
}

function validateMaxTokens(value: unknown): number {
  if (value === undefined || value === null) throw invalidParam('max_tokens', "Missing required parameter: 'max_tokens'.", 'missing_required_parameter');
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParam('max_tokens', "'max_tokens' must be an integer.", 'invalid_type');
  if (value < 1) throw invalidParam('max_tokens', `'max_tokens' must be at least 1; got ${value}.`);
  return value;
}

// ---- messages and blocks --------------------------------------------------------------------

function validateMessages(value: unknown): ChatMessage[] {
  if (value === undefined || value === null) throw invalidParam('messages', "Missing required parameter: 'messages'.", 'missing_required_parameter');
  if (!Array.isArray(value)) throw invalidParam('messages', "'messages' must be an array of message objects.", 'invalid_type');
  if (value.length === 0) throw invalidParam('messages', "'messages' must contain at least one message.", 'empty_array');
  const messages = value.flatMap((message, i) => validateMessage(message, `messages[${i}]`));
  if (messages.length === 0) throw invalidParam('messages', "'messages' must contain more than replayed thinking blocks.");
  return messages;
}

/** One Anthropic message → chat messages: tool_result blocks become tool messages ahead of the rest. */
function validateMessage(value: unknown, path: string): ChatMessage[] {
  if (!isPlainObject(value)) throw invalidParam(path, `'${path}' must be a message object.`, 'invalid_type');
  const role = value.role;
  if (role === 'system') {
    throw invalidParam(`${path}.role`, `'${path}.role' must be user or assistant; a system prompt goes in the top-level 'system' parameter.`);
  }
  if (role !== 'user' && role !== 'assistant') {
    throw invalidParam(`${path}.role`, `'${path}.role' must be user or assistant; got ${JSON.stringify(role ?? null)}.`);
  }
  const content = value.content;
  if (content === undefined || content === null) {
    throw invalidParam(`${path}.content`, `Missing required parameter: '${path}.content'.`, 'missing_required_parameter');
  }
  if (typeof content === 'string') return [{ role, parts: [{ type: 'text', text: content }], toolCalls: [] }];
  if (!Array.isArray(content) || content.length === 0) {
    throw invalidParam(`${path}.content`, `'${path}.content' must be a string or a non-empty array of content blocks.`, 'invalid_type');
  }
  const toolResults: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  content.forEach((block, j) => {
    const at = `${path}.content[${j}]`;
    if (!isPlainObject(block)) throw invalidParam(at, `'${at}' must be a content block object.`, 'invalid_type');
    const cacheTtl = validateCacheControl(block.cache_control, `${at}.cache_control`);
    switch (block.type) {
      case 'text':
        parts.push(textBlock(block, at, cacheTtl));
        break;
      case 'image':
        requireRole(role, 'user', at, 'image');
        parts.push({ type: 'image_url', ...validateImageSource(block.source, `${at}.source`) });
        break;
      case 'tool_use':
        requireRole(role, 'assistant', at, 'tool_use');
        toolCalls.push(validateToolUse(block, at));
        break;
      case 'tool_result':
        requireRole(role, 'user', at, 'tool_result');
        toolResults.push(validateToolResult(block, at, cacheTtl));
        break;
      case 'thinking':
      case 'redacted_thinking':
        requireRole(role, 'assistant', at, String(block.type));
        break; // earlier thinking replayed by the client: accepted, not part of the prompt
      default:
        throw invalidParam(`${at}.type`, `'${at}.type' must be one of text, image, tool_use, tool_result, thinking; got ${JSON.stringify(block.type ?? null)}.`);
    }
  });
  const rest: ChatMessage[] = parts.length > 0 || toolCalls.length > 0 ? [{ role, parts, toolCalls }] : [];
  return [...toolResults, ...rest];
}

function textBlock(block: Body, path: string, cacheTtl: CacheTtl | undefined): TextPart {
  if (typeof block.text !== 'string') throw invalidParam(`${path}.text`, `'${path}.text' must be a string.`, 'invalid_type');
  return cacheTtl ? { type: 'text', text: block.text, cacheTtl } : { type: 'text', text: block.text };
}

function requireRole(role: string, wanted: string, path: string, blockType: string): void {
  if (role !== wanted) throw invalidParam(`${path}.type`, `'${path}': ${blockType} blocks are only allowed in ${wanted} messages, not in ${role} messages.`);
}

/** base64 sources must decode to the declared type (magic number); url sources must be https (UNVERIFIED on DO). */
function validateImageSource(source: unknown, path: string): { url: string; info: ImageInfo } {
  if (!isPlainObject(source)) throw invalidParam(path, `Missing required parameter: '${path}'.`, 'missing_required_parameter');
  if (source.type === 'url') {
    const url = typeof source.url === 'string' && !source.url.startsWith('data:') ? source.url : null;
    const inspected = url === null ? { problem: 'must be an https URL' } : inspectImageUrl(url);
    if ('problem' in inspected) throw invalidParam(`${path}.url`, `'${path}.url' ${inspected.problem}.`, 'invalid_image');
    return { url: url as string, info: inspected.info };
  }
  if (source.type !== 'base64') throw invalidParam(`${path}.type`, `'${path}.type' must be "base64" or "url"; got ${JSON.stringify(source.type ?? null)}.`);
  const format = typeof source.media_type === 'string' ? MEDIA_TYPES[source.media_type] : undefined;
  if (!format) {
    throw invalidParam(`${path}.media_type`, `'${path}.media_type' must be one of ${Object.keys(MEDIA_TYPES).join(', ')}; got ${JSON.stringify(source.media_type ?? null)}.`);
  }
  if (typeof source.data !== 'string') throw invalidParam(`${path}.data`, `Missing required parameter: '${path}.data'.`, 'missing_required_parameter');
  const inspected = inspectBase64Image(source.data, format);
  if ('problem' in inspected) throw invalidParam(`${path}.data`, `'${path}.data' ${inspected.problem}.`, 'invalid_image');
  return { url: `data:${source.media_type};base64,${source.data}`, info: inspected.info };
}

function validateToolUse(block: Body, path: string): ToolCall {
  if (typeof block.id !== 'string' || block.id === '') throw invalidParam(`${path}.id`, `Missing required parameter: '${path}.id'.`, 'missing_required_parameter');
  if (typeof block.name !== 'string' || block.name === '') throw invalidParam(`${path}.name`, `Missing required parameter: '${path}.name'.`, 'missing_required_parameter');
  if (!isPlainObject(block.input)) throw invalidParam(`${path}.input`, `'${path}.input' must be an object.`, 'invalid_type');
  return { id: block.id, name: block.name, arguments: JSON.stringify(block.input) };
}

/** content: a string or an array of text (and image) blocks; the text is what the model reads. */
function validateToolResult(block: Body, path: string, cacheTtl: CacheTtl | undefined): ChatMessage {
  if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '') {
    throw invalidParam(`${path}.tool_use_id`, `Missing required parameter: '${path}.tool_use_id'.`, 'missing_required_parameter');
  }
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') {
    throw invalidParam(`${path}.is_error`, `'${path}.is_error' must be a boolean.`, 'invalid_type');
  }
  let text = '';
  const content = block.content;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    text = content
      .map((inner, k) => {
        const at = `${path}.content[${k}]`;
        if (!isPlainObject(inner)) throw invalidParam(at, `'${at}' must be a content block object.`, 'invalid_type');
        if (inner.type === 'text') return textBlock(inner, at, undefined).text;
        if (inner.type === 'image') {
          validateImageSource(inner.source, `${at}.source`);
          return '';
        }
        throw invalidParam(`${at}.type`, `'${at}.type' must be text or image; got ${JSON.stringify(inner.type ?? null)}.`);
      })
      .join('');
  } else if (content !== undefined && content !== null) {
    throw invalidParam(`${path}.content`, `'${path}.content' must be a string or an array of content blocks.`, 'invalid_type');
  }
  const part: TextPart = cacheTtl ? { type: 'text', text, cacheTtl } : { type: 'text', text };
  return { role: 'tool', parts: [part], toolCallId: block.tool_use_id, toolCalls: [] };
}

function validateSystem(value: unknown): ChatMessage | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return { role: 'system', parts: [{ type: 'text', text: value }], toolCalls: [] };
  if (!Array.isArray(value)) throw invalidParam('system', "'system' must be a string or an array of text blocks.", 'invalid_type');
  const parts = value.map((block, i) => {
    const at = `system[${i}]`;
    if (!isPlainObject(block) || block.type !== 'text') throw invalidParam(`${at}.type`, `'${at}' must be a text block {type: "text", text}.`, 'invalid_type');
    return textBlock(block, at, validateCacheControl(block.cache_control, `${at}.cache_control`));
  });
  return { role: 'system', parts, toolCalls: [] };
}

// ---- other parameters -----------------------------------------------------------------------

function validateStopSequences(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
    throw invalidParam('stop_sequences', "'stop_sequences' must be an array of strings.", 'invalid_type');
  }
  return value as string[];
}

function validateMetadata(value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) throw invalidParam('metadata', "'metadata' must be an object {user_id}.", 'invalid_type');
  if (value.user_id !== undefined && value.user_id !== null && typeof value.user_id !== 'string') {
    throw invalidParam('metadata.user_id', "'metadata.user_id' must be a string.", 'invalid_type');
  }
}

/**
 * Client tools `{name, description?, input_schema}` (type absent or "custom"), and DO's built-in
 * tools (S2: they work on Messages too), declared as on chat: `{type: "knowledge_base_retrieval" |
 * "mcp" | "web_search", …}` (their shape on this API is UNVERIFIED; chat's is the one documented).
 */
function validateTools(value: unknown): { tools: FunctionTool[]; builtInTools: BuiltInTool[] } {
  const result = { tools: [] as FunctionTool[], builtInTools: [] as BuiltInTool[] };
  if (value === undefined || value === null) return result;
  if (!Array.isArray(value)) throw invalidParam('tools', "'tools' must be an array of tool objects.", 'invalid_type');
  value.forEach((tool, i) => {
    const path = `tools[${i}]`;
    if (!isPlainObject(tool)) throw invalidParam(path, `'${path}' must be a tool object.`, 'invalid_type');
    if (isBuiltInToolType(tool.type)) {
      result.builtInTools.push(validateBuiltInTool(tool, path));
      return;
    }
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      throw invalidParam(`${path}.type`, `'${path}.type' must be "custom", absent, or one of ${BUILT_IN_TOOL_TYPES.join(', ')}; got ${JSON.stringify(tool.type)}.`);
    }
    if (typeof tool.name !== 'string' || !FUNCTION_NAME.test(tool.name)) {
      throw invalidParam(`${path}.name`, `'${path}.name' is required and must match ^[a-zA-Z0-9_-]{1,64}$; got ${JSON.stringify(tool.name ?? null)}.`);
    }
    if (tool.description !== undefined && typeof tool.description !== 'string') {
      throw invalidParam(`${path}.description`, `'${path}.description' must be a string.`, 'invalid_type');
    }
    if (!isPlainObject(tool.input_schema)) {
      throw invalidParam(`${path}.input_schema`, `'${path}.input_schema' is required and must be a JSON Schema object.`, 'missing_required_parameter');
    }
    validateCacheControl(tool.cache_control, `${path}.cache_control`);
    result.tools.push({ name: tool.name, description: tool.description as string | undefined, parameters: tool.input_schema });
  });
  return result;
}

/** OA: a string ("auto") or {type: auto|any|tool|none, name?}. any → a call is required; tool → that one. */
function validateToolChoice(value: unknown, tools: FunctionTool[], hasBuiltInTools: boolean): ToolChoice {
  const anyTools = tools.length > 0 || hasBuiltInTools;
  if (value === undefined || value === null) return tools.length > 0 ? 'auto' : 'none';
  const choice = typeof value === 'string' ? { type: value } : value;
  if (!isPlainObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type as string)) {
    throw invalidParam('tool_choice.type', "'tool_choice.type' must be one of auto, any, tool, none.");
  }
  if (choice.disable_parallel_tool_use !== undefined && typeof choice.disable_parallel_tool_use !== 'boolean') {
    throw invalidParam('tool_choice.disable_parallel_tool_use', "'tool_choice.disable_parallel_tool_use' must be a boolean.", 'invalid_type');
  }
  if (choice.type === 'none') return 'none';
  if (!anyTools && choice.type !== 'auto') throw invalidParam('tool_choice', `'tool_choice' "${choice.type}" requires 'tools'.`);
  if (choice.type === 'auto') return tools.length > 0 ? 'auto' : 'none';
  // "any" with built-in tools only: the platform runs them; no function call is owed.
  if (choice.type === 'any') return tools.length > 0 ? 'required' : 'none';
  if (typeof choice.name !== 'string') throw invalidParam('tool_choice.name', "'tool_choice.name' is required when tool_choice.type is \"tool\".", 'missing_required_parameter');
  const name = choice.name;
  if (!tools.some((t) => t.name === name)) throw invalidParam('tool_choice.name', `'tool_choice.name' "${name}" is not in 'tools'.`);
  return { name };
}

/** {type: "enabled", budget_tokens ≥ 1024 and < max_tokens} | {type: "disabled"} (Anthropic's rules; OA defines only type). */
function validateThinking(value: unknown, maxTokens: number): number | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value) || (value.type !== 'enabled' && value.type !== 'disabled')) {
    throw invalidParam('thinking.type', "'thinking.type' must be \"enabled\" or \"disabled\".");
  }
  if (value.type === 'disabled') return null;
  const budget = value.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget)) {
    throw invalidParam('thinking.budget_tokens', "'thinking.budget_tokens' is required (an integer) when thinking is enabled.", 'missing_required_parameter');
  }
  if (budget < MIN_THINKING_BUDGET) throw invalidParam('thinking.budget_tokens', `'thinking.budget_tokens' must be at least ${MIN_THINKING_BUDGET}; got ${budget}.`);
  if (budget >= maxTokens) throw invalidParam('thinking.budget_tokens', `'thinking.budget_tokens' must be less than max_tokens (${maxTokens}); got ${budget}.`);
  return budget;
}
