/**
 * Anthropic SSE framing (§5.3), every frame with its `event:` line: message_start (empty content,
 * input usage) → ping → per block content_block_start / content_block_delta (thinking_delta +
 * signature_delta, text_delta, input_json_delta in ≥ 2 pieces) / content_block_stop → message_delta
 * (stop_reason, stop_sequence, usage.output_tokens) → message_stop. No [DONE] (UNVERIFIED whether DO
 * sends one; Anthropic does not). A stream-error fault sends Anthropic's `event: error`.
 */
import { jsonFrame, type SseFrame, type SseStream } from '../sse';
import type { GeneratedChoice } from '../chat/reply';
import { splitIntoPieces } from '../chat/stream';
import { stopReason, type ContentBlock, type MessageMeta, type MessagesUsage } from './response';

export function messageStreamFrames(meta: MessageMeta, blocks: ContentBlock[], choice: GeneratedChoice, usage: MessagesUsage): SseStream {
  const frames: SseFrame[] = [];
  const push = (type: string, payload: Record<string, unknown> = {}) => frames.push(jsonFrame({ type, ...payload }, type));
  let completesAt = -1;

  push('message_start', {
    message: {
      id: meta.id,
      type: 'message',
      role: 'assistant',
      model: meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 0 },
    },
  });
  push('ping');
  blocks.forEach((block, index) => {
    const delta = (payload: Record<string, unknown>) => push('content_block_delta', { index, delta: payload });
    switch (block.type) {
      case 'thinking':
        push('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const piece of splitIntoPieces(block.thinking, 2)) delta({ type: 'thinking_delta', thinking: piece });
        delta({ type: 'signature_delta', signature: block.signature });
        break;
      case 'text':
        push('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const piece of splitIntoPieces(block.text, 2)) delta({ type: 'text_delta', text: piece });
        break;
      case 'tool_use':
        push('content_block_start', { index, content_block: { ...block, input: {} } });
        for (const piece of splitIntoPieces(JSON.stringify(block.input), 2)) delta({ type: 'input_json_delta', partial_json: piece });
        break;
      default:
        // Built-in tools' blocks (UNVERIFIED shape): the platform ran them already, so each arrives whole.
        push('content_block_start', { index, content_block: block });
        break;
    }
    if (completesAt < 0) completesAt = frames.length;
    push('content_block_stop', { index });
  });
  // `afterFinish` truncation keeps every block and loses the stop reason, the usage and message_stop.
  const trailerAt = frames.length;
  push('message_delta', {
    delta: { stop_reason: stopReason(choice), stop_sequence: choice.stopSequence },
    usage: { output_tokens: usage.output_tokens, speed: usage.speed },
  });
  push('message_stop');
  return {
    frames,
    completesAt: completesAt < 0 ? trailerAt : completesAt,
    trailerAt,
    errorFrame: (error) => jsonFrame({ type: 'error', error: error ?? { type: 'api_error', message: 'The model backend failed' } }, 'error'),
  };
}
