/** A /v1/responses request after validation (§4.1): normalised, typed, nothing left to check. */
import type { BuiltInTool } from '../tools/builtIn';
import type { ChatMessage, FunctionTool, ToolChoice } from '../chat/types';

export interface ResponsesRequest {
  model: string;
  /** The input items as chat messages (function_call_output → tool message, function_call → assistant tool call). */
  input: ChatMessage[];
  instructions: string | null;
  stream: boolean;
  includeUsage: boolean;
  maxOutputTokens: number | null;
  stop: string[];
  reasoningEffort?: string;
  reasoningMaxTokens?: number;
  /** True when `reasoning` was sent. */
  reasoningRequested: boolean;
  functionTools: FunctionTool[];
  builtInTools: BuiltInTool[];
  toolChoice: ToolChoice;
  store: boolean;
  previousResponseId: string | null;
  /** Request fields the response object repeats (§4.2), tools already redacted. */
  echo: ResponseEcho;
}

export interface ResponseEcho {
  instructions: string | null;
  max_output_tokens: number | null;
  temperature: number;
  top_p: number;
  tool_choice: unknown;
  tools: unknown[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  store: boolean;
  metadata: Record<string, unknown>;
  user: string | null;
  reasoning: unknown;
}
