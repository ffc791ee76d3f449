/**
 * The Messages reply (§5.2): `msg_…` id, content blocks (thinking first when there is a trace, then
 * text or tool_use), stop_reason, and Anthropic-spelled usage (`cache_creation_input_tokens`).
 */
import { createHash } from 'node:crypto';
import type { GeneratedChoice } from '../chat/reply';
import type { CacheUsage } from '../chat/promptCache';
import { shortId } from '../util/ids';
import type { BuiltInBlock } from './builtInBlocks';
import type { Speed } from './types';

export type ContentBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | BuiltInBlock;

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  speed: Speed;
}

export interface MessageMeta {
  id: string;
  model: string;
}

export function newMessageMeta(model: string): MessageMeta {
  return { id: `msg_${shortId()}`, model };
}

/** Thinking first, then the built-in tools' activity, then text or tool_use. */
export function contentBlocks(choice: GeneratedChoice, builtInBlocks: BuiltInBlock[] = []): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (choice.reasoning !== null) blocks.push({ type: 'thinking', thinking: choice.reasoning, signature: signatureOf(choice.reasoning) });
  blocks.push(...builtInBlocks);
  if (choice.content !== null) blocks.push({ type: 'text', text: choice.content });
  for (const call of choice.toolCalls) {
    blocks.push({ type: 'tool_use', id: `toolu_${shortId()}`, name: call.name, input: JSON.parse(call.arguments) });
  }
  return blocks;
}

export function stopReason(choice: GeneratedChoice): StopReason {
  if (choice.finishReason === 'tool_calls') return 'tool_use';
  if (choice.finishReason === 'length') return 'max_tokens';
  return choice.stopSequence !== null ? 'stop_sequence' : 'end_turn';
}

/** Anthropic counts input_tokens without the cache writes and reads (S1's chat example does the same). */
export function messagesUsage(promptTokens: number, outputTokens: number, cache: CacheUsage, speed: Speed): MessagesUsage {
  return {
    input_tokens: Math.max(0, promptTokens - cache.created - cache.read),
    output_tokens: outputTokens,
    cache_creation_input_tokens: cache.created,
    cache_read_input_tokens: cache.read,
    speed,
  };
}

export function messageBody(meta: MessageMeta, blocks: ContentBlock[], choice: GeneratedChoice, usage: MessagesUsage) {
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: blocks,
    stop_reason: stopReason(choice),
    stop_sequence: choice.stopSequence,
    usage,
  };
}

/** An opaque, stable signature (Anthropic's is an encrypted digest; clients only pass it back). */
function signatureOf(thinking: string): string {
  return createHash('sha256').update(thinking).digest('base64');
}
