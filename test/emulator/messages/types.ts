/** A /v1/messages request after validation (§5.1), already in the chat model's terms. */
import type { ChatMessage, FunctionTool, ToolChoice } from '../chat/types';
import type { BuiltInTool } from '../tools/builtIn';

export type Speed = 'standard' | 'fast';

export interface MessagesRequest {
  model: string;
  /** `system` as one system message (its blocks' cache_control kept), or null. */
  system: ChatMessage | null;
  /** user/assistant messages; tool_result blocks became tool messages, tool_use blocks assistant tool calls. */
  messages: ChatMessage[];
  maxTokens: number;
  stream: boolean;
  stopSequences: string[];
  tools: FunctionTool[];
  /** DO's server-run tools (S2), answered with server tool blocks (see builtInBlocks.ts). */
  builtInTools: BuiltInTool[];
  toolChoice: ToolChoice;
  /** thinking.budget_tokens when thinking is enabled. */
  thinkingBudget: number | null;
  reasoningEffort?: string;
  speed: Speed;
}
