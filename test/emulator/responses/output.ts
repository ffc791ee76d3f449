/**
 * The Responses object (§4.2): output items in order — reasoning (when there is a trace), built-in
 * tool calls, the assistant message with output_text, function calls — then usage and the echo of
 * the request. Id prefixes (resp_, rs_, msg_, fc_, ws_, mcp_, kb_) are OpenAI's: DO's real ones are
 * UNVERIFIED (OA shows placeholders).
 */
import type { GeneratedChoice } from '../chat/reply';
import type { CacheUsage } from '../chat/promptCache';
import { mcpOutput, mcpToolName, type BuiltInTool } from '../tools/builtIn';
import { shortId } from '../util/ids';
import { countTokens } from '../util/tokens';
import type { ResponsesRequest } from './types';

export type OutputItem = Record<string, unknown> & { type: string; id: string };

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number; tool_output_tokens: number };
  total_tokens: number;
}

export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
}

export function outputItems(choice: GeneratedChoice, builtInTools: BuiltInTool[], query: string): OutputItem[] {
  const items: OutputItem[] = [];
  if (choice.reasoning !== null) {
    items.push({ type: 'reasoning', id: `rs_${shortId()}`, summary: [], content: [{ type: 'reasoning_text', text: choice.reasoning }] });
  }
  for (const tool of builtInTools) items.push(builtInToolItem(tool, query));
  if (choice.content !== null) {
    items.push({
      type: 'message',
      id: `msg_${shortId()}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: choice.content, annotations: [] }],
    });
  }
  for (const call of choice.toolCalls) {
    items.push({ type: 'function_call', id: `fc_${shortId()}`, call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' });
  }
  return items;
}

/** UNVERIFIED (§3.4: no source shows a response): shaped like OpenAI's hosted-tool items. Never carries an MCP authorization. */
function builtInToolItem(tool: BuiltInTool, query: string): OutputItem {
  switch (tool.type) {
    case 'web_search':
      return { type: 'web_search_call', id: `ws_${shortId()}`, status: 'completed', action: { type: 'search', query } };
    case 'knowledge_base_retrieval':
      return { type: 'knowledge_base_retrieval_call', id: `kb_${shortId()}`, knowledge_base_id: tool.knowledgeBaseId, status: 'completed' };
    case 'mcp': {
      const name = mcpToolName(tool);
      return {
        type: 'mcp_call',
        id: `mcp_${shortId()}`,
        server_label: tool.serverLabel,
        name,
        arguments: '{}',
        output: mcpOutput(tool),
        error: null,
        status: 'completed',
      };
    }
  }
}

/** input_tokens includes the cached part (§4.2: 72 input with 32 cached, 72 + 35 = 107 total). */
export function responsesUsage(inputTokens: number, choice: GeneratedChoice, outputTokens: number, cache: CacheUsage): ResponsesUsage {
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: cache.read },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: countTokens(choice.reasoning ?? ''), tool_output_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

/**
 * `created` (OA/GODO) and `created_at` (OpenAI) are both sent (§4.2 UNVERIFIED). A reply cut by
 * max_output_tokens is `status: "incomplete"` with `incomplete_details.reason`, as on OpenAI (UNVERIFIED on DO).
 */
export function responseBody(meta: ResponseMeta, req: ResponsesRequest, choice: GeneratedChoice, output: OutputItem[], usage: ResponsesUsage) {
  const incomplete = choice.finishReason === 'length';
  return {
    id: meta.id,
    object: 'response',
    created: meta.created,
    created_at: meta.created,
    model: meta.model,
    status: incomplete ? 'incomplete' : 'completed',
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    error: null,
    output,
    usage,
    ...req.echo,
  };
}

export type ResponseObject = ReturnType<typeof responseBody>;
