/**
 * The conversation the fake model reads for a Responses request: instructions (as a system message),
 * then the stored turns of `previous_response_id`, then this request's input. Built as a ChatRequest
 * so the chat "model" (echo, tools, reasoning, budgets) answers Responses too.
 */
import type { ChatMessage, ChatRequest } from '../chat/types';
import type { GeneratedChoice } from '../chat/reply';
import type { StoredResponse } from './store';
import type { ResponsesRequest } from './types';

/** How much of the previous output the reply quotes. */
const PREVIOUS_QUOTE_CHARS = 60;

export function conversationRequest(req: ResponsesRequest, previous: StoredResponse | undefined): ChatRequest {
  const instructions: ChatMessage[] = req.instructions === null ? [] : [{ role: 'system', parts: [{ type: 'text', text: req.instructions }], toolCalls: [] }];
  return {
    model: req.model,
    messages: [...instructions, ...(previous?.messages ?? []), ...req.input],
    stream: req.stream,
    includeUsage: req.includeUsage,
    n: 1,
    maxOutputTokens: req.maxOutputTokens,
    stop: req.stop,
    logprobs: false,
    topLogprobs: 0,
    reasoningEffort: req.reasoningEffort,
    reasoningMaxTokens: req.reasoningMaxTokens,
    reasoningRequested: req.reasoningRequested,
    responseFormat: { type: 'text' },
    functionTools: req.functionTools,
    // Built-in tools show as output items on Responses, not as sentences in the text.
    builtInTools: [],
    toolChoice: req.toolChoice,
  };
}

/** Proof in the reply that the stored turn was read: `(previous turn: "<its output, first 60 chars>")`. */
export function previousTurnNote(previous: StoredResponse): string {
  return `(previous turn: "${previous.outputText.slice(0, PREVIOUS_QUOTE_CHARS)}")`;
}

/** What a later `previous_response_id` continues from: earlier turns, this input, this output. */
export function turnToStore(req: ResponsesRequest, previous: StoredResponse | undefined, choice: GeneratedChoice): StoredResponse {
  const output: ChatMessage = {
    role: 'assistant',
    parts: choice.content === null ? [] : [{ type: 'text', text: choice.content }],
    toolCalls: choice.toolCalls,
  };
  return { messages: [...(previous?.messages ?? []), ...req.input, output], outputText: choice.content ?? '' };
}
