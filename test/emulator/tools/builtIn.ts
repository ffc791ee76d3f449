/**
 * Built-in (server-executed) tools (§3.4, S2 only): knowledge_base_retrieval, mcp, web_search,
 * declared in `tools` on chat completions, responses and messages (S2: they "work with both the Chat
 * Completions, Responses and Messages APIs"). Everything about them is UNVERIFIED beyond S2's
 * examples: the field rules below are the emulator's choices, and so is how their activity shows
 * (a bracketed sentence in chat and messages text, output items in responses, Anthropic-style
 * server tool blocks in messages).
 * The MCP `authorization` value is a secret: it is checked for type only, never quoted in an error
 * message and never echoed in a reply (OpenAI does not echo it either).
 */
import { invalidParam } from '../errors';
import { isPlainObject } from '../config';
import type { Body } from '../validation/fields';

export type BuiltInTool =
  | { type: 'knowledge_base_retrieval'; knowledgeBaseId: string }
  | { type: 'mcp'; serverLabel: string; serverUrl: string; allowedTools: string[]; authorized: boolean }
  | { type: 'web_search'; maxUses?: number; maxResults?: number };

export const BUILT_IN_TOOL_TYPES = ['knowledge_base_retrieval', 'mcp', 'web_search'] as const;
/** GPY's Responses tool enum also lists the dated alias; it behaves as web_search. */
const WEB_SEARCH_ALIASES = ['web_search', 'web_search_2025_08_26'];

/** What replaces an MCP authorization wherever a tool definition is echoed. */
export const REDACTED = '[redacted]';
/** Passages a knowledge base returns, and web results when max_results is not set (emulator constants). */
export const KB_PASSAGES = 3;
const DEFAULT_WEB_RESULTS = 5;

export function isBuiltInToolType(type: unknown, allowDatedWebSearch = false): boolean {
  if (typeof type !== 'string') return false;
  if ((BUILT_IN_TOOL_TYPES as readonly string[]).includes(type)) return true;
  return allowDatedWebSearch && WEB_SEARCH_ALIASES.includes(type);
}

export function validateBuiltInTool(tool: Body, path: string): BuiltInTool {
  switch (tool.type) {
    case 'knowledge_base_retrieval':
      return { type: 'knowledge_base_retrieval', knowledgeBaseId: requiredText(tool, 'knowledge_base_id', path) };
    case 'mcp':
      return validateMcp(tool, path);
    default:
      return {
        type: 'web_search',
        maxUses: positiveInteger(tool, 'max_uses', path),
        maxResults: positiveInteger(tool, 'max_results', path),
      };
  }
}

function validateMcp(tool: Body, path: string): BuiltInTool {
  const serverLabel = requiredText(tool, 'server_label', path);
  const serverUrl = requiredText(tool, 'server_url', path);
  let protocol = '';
  try {
    protocol = new URL(serverUrl).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw invalidParam(`${path}.server_url`, `'${path}.server_url' must be an http or https URL.`);
  }
  // Type check only: the value itself never appears in a message.
  if (tool.authorization !== undefined && tool.authorization !== null && typeof tool.authorization !== 'string') {
    throw invalidParam(`${path}.authorization`, `'${path}.authorization' must be a string.`, 'invalid_type');
  }
  const allowed = tool.allowed_tools;
  if (allowed !== undefined && allowed !== null && (!Array.isArray(allowed) || !allowed.every((t) => typeof t === 'string' && t !== ''))) {
    throw invalidParam(`${path}.allowed_tools`, `'${path}.allowed_tools' must be an array of tool names (strings).`, 'invalid_type');
  }
  return {
    type: 'mcp',
    serverLabel,
    serverUrl,
    allowedTools: (allowed as string[] | undefined | null) ?? [],
    authorized: typeof tool.authorization === 'string' && tool.authorization !== '',
  };
}

function requiredText(tool: Body, name: string, path: string): string {
  const value = tool[name];
  if (value === undefined || value === null) {
    throw invalidParam(`${path}.${name}`, `Missing required parameter: '${path}.${name}'.`, 'missing_required_parameter');
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidParam(`${path}.${name}`, `'${path}.${name}' must be a non-empty string.`, 'invalid_type');
  }
  return value;
}

function positiveInteger(tool: Body, name: string, path: string): number | undefined {
  const value = tool[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidParam(`${path}.${name}`, `'${path}.${name}' must be a positive integer; got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** A tool definition as a reply may echo it: an MCP authorization is replaced, never repeated. */
export function redactToolDefinition(tool: unknown): unknown {
  if (!isPlainObject(tool) || tool.type !== 'mcp' || tool.authorization === undefined || tool.authorization === null) return tool;
  return { ...tool, authorization: REDACTED };
}

/** The tool the MCP server "runs": the first allowed tool, else a generic search. */
export function mcpToolName(tool: Extract<BuiltInTool, { type: 'mcp' }>): string {
  return tool.allowedTools[0] ?? 'search';
}

/** What the MCP server "answered"; says whether the request was authorized, never with what. */
export function mcpOutput(tool: Extract<BuiltInTool, { type: 'mcp' }>): string {
  return `${mcpToolName(tool)} on ${tool.serverLabel} answered${tool.authorized ? ' (authorized request)' : ''}`;
}

export function webResultCount(tool: Extract<BuiltInTool, { type: 'web_search' }>): number {
  return tool.maxResults ?? DEFAULT_WEB_RESULTS;
}

/** One sentence per tool, appended to chat content: `[knowledge base kb-1: 3 passages]`. */
export function chatSentence(tool: BuiltInTool): string {
  switch (tool.type) {
    case 'knowledge_base_retrieval':
      return `[knowledge base ${tool.knowledgeBaseId}: ${KB_PASSAGES} passages]`;
    case 'mcp':
      return `[mcp ${tool.serverLabel}: called ${mcpToolName(tool)}]`;
    case 'web_search':
      return `[web search: ${webResultCount(tool)} results]`;
  }
}
