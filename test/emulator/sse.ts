/** Server-Sent Events framing: one event = optional `event:` line, one `data:` line, blank line. */

export interface SseFrame {
  event?: string;
  data: string;
}

/** A whole stream, built up front so a fault can cut it at a meaningful point. */
export interface SseStream {
  frames: SseFrame[];
  /** Index of the first frame that completes (part of) the answer; a truncated stream stops before it. */
  completesAt: number;
  /** Index of the first trailer frame (the usage chunk or [DONE]); `afterFinish` truncation stops there. */
  trailerAt?: number;
  /**
   * The frame a `stream-error` fault sends after `sent` frames, in this stream's own framing; the
   * fault's `error` object (undefined = a default backend failure). Default: `data: {"error": …}`.
   */
  errorFrame?: (error: Record<string, unknown> | undefined, sent: number) => SseFrame;
}

/** What a stream-error fault reports when the fault names no error. */
export const DEFAULT_STREAM_ERROR = { message: 'The model backend failed', type: 'server_error', code: null };

/** Chat-style in-stream error: a bare `data: {"error": …}` frame. */
export function errorDataFrame(error: Record<string, unknown> | undefined): SseFrame {
  return { data: JSON.stringify({ error: error ?? DEFAULT_STREAM_ERROR }) };
}

export const DONE_FRAME: SseFrame = { data: '[DONE]' };

export function jsonFrame(payload: unknown, event?: string): SseFrame {
  return event === undefined ? { data: JSON.stringify(payload) } : { event, data: JSON.stringify(payload) };
}

export function encodeSseFrame(frame: SseFrame): string {
  const eventLine = frame.event === undefined ? '' : `event: ${frame.event}\n`;
  return `${eventLine}data: ${frame.data}\n\n`;
}
