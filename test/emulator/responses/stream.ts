/**
 * Streaming /v1/responses (§4.3 CONFLICT), two formats behind `config.responsesStreamFormat`:
 * 'events' — OpenAI's typed events (GODO), each frame `event: <type>` + `data: {type, sequence_number, …}`:
 *   response.created → response.in_progress → per output item: output_item.added, its own events,
 *   output_item.done → response.completed (or response.incomplete) with the full object. No [DONE]
 *   unless `responsesStreamDone` (OpenAI sends none; GODO tolerates one).
 * 'chunks' — OA/GPY's `response.chunk` objects, chat-shaped, ending with `data: [DONE]`.
 */
import { DONE_FRAME, jsonFrame, type SseFrame, type SseStream } from '../sse';
import type { GeneratedChoice } from '../chat/reply';
import { splitIntoPieces, streamFrames } from '../chat/stream';
import type { OutputItem, ResponseObject } from './output';

export function eventFrames(response: ResponseObject, appendDone: boolean): SseStream {
  const frames: SseFrame[] = [];
  let completesAt = -1;
  const push = (type: string, payload: Record<string, unknown>) => {
    frames.push(jsonFrame({ type, sequence_number: frames.length, ...payload }, type));
  };
  const markCompletion = () => {
    if (completesAt < 0) completesAt = frames.length;
  };

  const inProgress = { ...response, status: 'in_progress', incomplete_details: null, output: [], usage: null };
  push('response.created', { response: inProgress });
  push('response.in_progress', { response: inProgress });
  response.output.forEach((item, outputIndex) => {
    const at = { item_id: item.id, output_index: outputIndex };
    switch (item.type) {
      case 'reasoning': {
        const text = reasoningText(item);
        push('response.output_item.added', { output_index: outputIndex, item: { ...item, content: [] } });
        for (const delta of splitIntoPieces(text, 2)) push('response.reasoning_text.delta', { ...at, content_index: 0, delta });
        push('response.reasoning_text.done', { ...at, content_index: 0, text });
        break;
      }
      case 'message': {
        const part = (item.content as { text: string }[])[0];
        push('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
        push('response.content_part.added', { ...at, content_index: 0, part: { ...part, text: '' } });
        for (const delta of splitIntoPieces(part.text, 2)) push('response.output_text.delta', { ...at, content_index: 0, delta });
        markCompletion();
        push('response.output_text.done', { ...at, content_index: 0, text: part.text });
        push('response.content_part.done', { ...at, content_index: 0, part });
        break;
      }
      case 'function_call': {
        const args = item.arguments as string;
        push('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } });
        for (const delta of splitIntoPieces(args, 2)) push('response.function_call_arguments.delta', { ...at, delta });
        markCompletion();
        push('response.function_call_arguments.done', { ...at, arguments: args });
        break;
      }
      default: {
        // Built-in tool calls (UNVERIFIED): added in progress, `response.<type>.completed`, done.
        const started = item.type === 'mcp_call' ? { ...item, output: null, status: 'in_progress' } : { ...item, status: 'in_progress' };
        push('response.output_item.added', { output_index: outputIndex, item: started });
        push(`response.${item.type}.completed`, at);
      }
    }
    push('response.output_item.done', { output_index: outputIndex, item });
  });
  const trailerAt = frames.length;
  push(`response.${response.status}`, { response });
  if (appendDone) frames.push(DONE_FRAME);
  return {
    frames,
    completesAt: completesAt < 0 ? trailerAt : completesAt,
    trailerAt,
    // OpenAI's stream error event: {type: "error", code, message, param, sequence_number}.
    errorFrame: (error, sent) =>
      jsonFrame(
        {
          type: 'error',
          code: error?.code ?? error?.type ?? 'server_error',
          message: error?.message ?? 'The model backend failed',
          param: error?.param ?? null,
          sequence_number: sent,
        },
        'error',
      ),
  };
}

/**
 * UNVERIFIED: OA's chunk shows `usage?` without its fields; the Responses usage object is sent (one
 * usage parser per endpoint for clients), in a `choices: []` chunk when stream_options.include_usage
 * is true, as on chat. Built-in tool items have no place in this format and are not streamed.
 * A stream-error fault sends chat's bare `data: {"error": …}` frame.
 */
export function chunkFrames(response: ResponseObject, choice: GeneratedChoice, includeUsage: boolean): SseStream {
  const meta = { id: response.id, created: response.created, model: response.model };
  return streamFrames(meta, [choice], response.usage, includeUsage, 'response.chunk');
}

function reasoningText(item: OutputItem): string {
  return (item.content as { text: string }[]).map((c) => c.text).join('');
}
