/**
 * `chatQuirks` (types.ts `ChatQuirk`): how other OpenAI-compatible servers, and DO's own older example
 * (S1), shape what the fake model answered. They only reshape a finished reply (or refuse a request),
 * so the answer, usage and faults are the same whatever is switched on.
 */
import { invalidParam } from '../errors';
import type { SseStream } from '../sse';
import type { ChatQuirk } from '../types';
import type { ChatRequest } from './types';

type Json = Record<string, any>;

/** 'no-stream-with-tools': the server refuses before it answers (llama.cpp says exactly this). */
export function refuseByQuirk(req: ChatRequest, quirks: ChatQuirk[]): void {
  if (quirks.includes('no-stream-with-tools') && req.stream && req.functionTools.length > 0) {
    throw invalidParam('stream', 'Cannot use tools with stream');
  }
}

/** A non-streamed completion body as the quirky server sends it. */
export function quirkyCompletion<T extends Json>(body: T, quirks: ChatQuirk[]): T {
  if (quirks.length === 0) return body;
  const reshaped: Json = { ...body, choices: body.choices.map((choice: Json) => ({ ...choice, message: { ...choice.message } })) };
  for (const { message } of reshaped.choices) {
    if (quirks.includes('null-tool-calls')) message.tool_calls ??= null;
    if (quirks.includes('empty-id-role')) Object.assign(message, { role: '', audio: null });
  }
  if (quirks.includes('empty-id-role')) Object.assign(reshaped, { id: '', service_tier: null });
  return reshaped as T;
}

function quirkyChunk(chunk: Json, quirks: ChatQuirk[]): Json {
  const reshaped: Json = { ...chunk, choices: chunk.choices.map((choice: Json) => ({ ...choice, delta: { ...choice.delta } })) };
  for (const { delta } of reshaped.choices) {
    if (quirks.includes('null-tool-calls')) delta.tool_calls ??= null;
    if (quirks.includes('empty-id-role') && 'role' in delta) delta.role = '';
  }
  if (quirks.includes('empty-id-role')) reshaped.id = '';
  return reshaped;
}

/** Every chunk of a chat stream as the quirky server sends it; `[DONE]` stays as it is. */
export function quirkyStream(stream: SseStream, quirks: ChatQuirk[]): SseStream {
  if (quirks.length === 0) return stream;
  const frames = stream.frames.map((frame) =>
    frame.data === '[DONE]' ? frame : { ...frame, data: JSON.stringify(quirkyChunk(JSON.parse(frame.data) as Json, quirks)) },
  );
  return { ...stream, frames };
}
