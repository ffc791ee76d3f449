/**
 * Streaming chat completion frames (§3.7): role chunk, reasoning deltas, content deltas, tool-call
 * deltas (id/type/name first, then arguments in pieces), a final empty delta with finish_reason,
 * the optional usage chunk with `choices: []`, then `[DONE]`. id/created/model never change.
 * /v1/responses in 'chunks' format (§4.3) sends the same frames as `object: "response.chunk"`.
 */
import { DONE_FRAME, jsonFrame, type SseFrame, type SseStream } from '../sse';
import type { GeneratedChoice } from './reply';
import type { CompletionMeta } from './response';

const MAX_PIECE_CHARS = 16;

export function streamFrames(
  meta: CompletionMeta,
  choices: GeneratedChoice[],
  usage: unknown,
  includeUsage: boolean,
  object = 'chat.completion.chunk',
): SseStream {
  const chunk = (choicesPayload: unknown[], usageValue: unknown = null) => ({
    id: meta.id,
    object,
    created: meta.created,
    model: meta.model,
    choices: choicesPayload,
    // OA: with include_usage, every chunk but the last carries `usage: null`.
    ...(includeUsage ? { usage: usageValue } : {}),
  });
  const delta = (index: number, payload: Record<string, unknown>, finishReason: string | null = null) =>
    jsonFrame(chunk([{ index, delta: payload, logprobs: null, finish_reason: finishReason }]));

  const frames: SseFrame[] = [];
  let completesAt = -1;
  for (const choice of choices) {
    frames.push(delta(choice.index, { role: 'assistant', content: '' }));
    for (const piece of splitIntoPieces(choice.reasoning ?? '', 2)) frames.push(delta(choice.index, { reasoning_content: piece }));
    for (const piece of splitIntoPieces(choice.content ?? '', 3)) frames.push(delta(choice.index, { content: piece }));
    choice.toolCalls.forEach((call, k) => {
      frames.push(delta(choice.index, { tool_calls: [{ index: k, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
      for (const piece of splitIntoPieces(call.arguments, 2)) {
        frames.push(delta(choice.index, { tool_calls: [{ index: k, function: { arguments: piece } }] }));
      }
    });
    if (completesAt < 0) completesAt = frames.length;
    frames.push(delta(choice.index, {}, choice.finishReason));
  }
  const trailerAt = frames.length;
  if (includeUsage) frames.push(jsonFrame(chunk([], usage)));
  frames.push(DONE_FRAME);
  return { frames, completesAt, trailerAt };
}

/** At least `minPieces` pieces (when the text is long enough), none longer than MAX_PIECE_CHARS. */
export function splitIntoPieces(text: string, minPieces: number): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const count = Math.max(Math.min(minPieces, chars.length), Math.ceil(chars.length / MAX_PIECE_CHARS));
  const size = Math.ceil(chars.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}
