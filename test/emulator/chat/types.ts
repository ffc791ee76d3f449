/** A chat completion request after validation: normalised, typed, nothing left to check. */
import type { BuiltInTool } from '../tools/builtIn';
import type { CacheTtl } from './promptCache';

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
  cacheTtl?: CacheTtl;
}

export interface ImageInfo {
  source: 'data' | 'https';
  /** From the decoded bytes (data URLs only). */
  format?: 'png' | 'jpeg' | 'webp' | 'gif';
  width?: number;
  height?: number;
}

export interface ImagePart {
  type: 'image_url';
  url: string;
  info: ImageInfo;
}

export interface VideoPart {
  type: 'video_url';
  url: string;
}

export type ContentPart = TextPart | ImagePart | VideoPart;

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: Role;
  parts: ContentPart[];
  toolCallId?: string;
  toolCalls: ToolCall[];
}

export interface FunctionTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  n: number;
  /** The effective output budget: max_completion_tokens ?? max_tokens, null = unlimited. */
  maxOutputTokens: number | null;
  stop: string[];
  logprobs: boolean;
  topLogprobs: number;
  /** reasoning_effort, else reasoning.effort. */
  reasoningEffort?: string;
  /** reasoning.max_tokens (Anthropic-style budget, S2). */
  reasoningMaxTokens?: number;
  /** True when reasoning_effort or reasoning was sent. */
  reasoningRequested: boolean;
  responseFormat: ResponseFormat;
  functionTools: FunctionTool[];
  /** Built-in tools (S2) declared; each adds a sentence to the answer (how their activity shows is UNVERIFIED). */
  builtInTools: BuiltInTool[];
  toolChoice: ToolChoice;
}
