/** A Messages request as the chat "model" reads it, so one fake model answers every text endpoint. */
import type { ChatRequest } from '../chat/types';
import type { MessagesRequest } from './types';

export function conversationRequest(req: MessagesRequest): ChatRequest {
  const thinking = req.thinkingBudget !== null;
  return {
    model: req.model,
    messages: req.system ? [req.system, ...req.messages] : req.messages,
    stream: req.stream,
    includeUsage: false,
    n: 1,
    maxOutputTokens: req.maxTokens,
    stop: req.stopSequences,
    logprobs: false,
    topLogprobs: 0,
    // thinking.budget_tokens caps the trace; reasoning_effort "none" turns it off (as on chat).
    reasoningEffort: req.reasoningEffort,
    reasoningMaxTokens: req.thinkingBudget ?? undefined,
    reasoningRequested: thinking || req.reasoningEffort !== undefined,
    responseFormat: { type: 'text' },
    functionTools: req.tools,
    builtInTools: req.builtInTools,
    toolChoice: req.toolChoice,
  };
}
