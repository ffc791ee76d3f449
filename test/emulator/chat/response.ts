/** Non-streaming chat completion body (§3.6) and its usage block. */
import type { CacheUsage } from './promptCache';
import type { GeneratedChoice } from './reply';

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cache_created_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/**
 * The cache fields are always present (OA marks them required). As in S1's caching example
 * (prompt 14 + completion 100 = total 114 next to 1043 cached tokens), prompt_tokens counts only the
 * uncached input, and total_tokens = prompt_tokens + completion_tokens.
 */
export function buildUsage(promptTokens: number, completionTokens: number, cache: CacheUsage): ChatUsage {
  const uncached = Math.max(0, promptTokens - cache.created - cache.read);
  return {
    prompt_tokens: uncached,
    completion_tokens: completionTokens,
    total_tokens: uncached + completionTokens,
    cache_created_input_tokens: cache.created,
    cache_read_input_tokens: cache.read,
    cache_creation: { ephemeral_5m_input_tokens: cache.created5m, ephemeral_1h_input_tokens: cache.created1h },
  };
}

export function completionBody(meta: CompletionMeta, choices: GeneratedChoice[], usage: ChatUsage) {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: choices.map((choice) => ({
      index: choice.index,
      finish_reason: choice.finishReason,
      logprobs: choice.logprobs,
      message: {
        role: 'assistant',
        content: choice.content,
        refusal: null,
        reasoning_content: choice.reasoning,
        ...(choice.toolCalls.length > 0
          ? {
              tool_calls: choice.toolCalls.map((call) => ({
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      },
    })),
    usage,
  };
}
