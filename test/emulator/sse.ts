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
}

export const DONE_FRAME: SseFrame = { data: '[DONE]' };

export function jsonFrame(payload: unknown, event?: string): SseFrame {
  return event === undefined ? { data: JSON.stringify(payload) } : { event, data: JSON.stringify(payload) };
}

export function encodeSseFrame(frame: SseFrame): string {
  const eventLine = frame.event === undefined ? '' : `event: ${frame.event}\n`;
  return `${eventLine}data: ${frame.data}\n\n`;
}
