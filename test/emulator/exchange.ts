/**
 * One /v1 request and its response. Every response written through here carries x-request-id and
 * the rate-limit headers, and honours a pending body fault (reset-after-headers, reset-mid-body,
 * truncate-stream, stream-error).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EmulatorConfig, Fault } from './types';
import type { ParsedBody } from './body';
import { HttpError, anthropicErrorBody, doErrorBody, openAiErrorBody } from './errors';
import { encodeSseFrame, errorDataFrame, type SseStream } from './sse';
import { delay } from './util/delay';
import { newRequestId } from './util/ids';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Lets the last bytes leave the socket before a reset, so the client really sees a partial body. */
const FLUSH_BEFORE_RESET_MS = 10;

export class Exchange {
  readonly requestId = newRequestId();
  readonly url: URL;
  parsed: ParsedBody = { body: null, jsonError: null };
  /** The accepted access key, set by authentication. */
  apiKey: string | null = null;
  /** Rate-limit headers for this response; refreshed by the quota check. */
  rateLimitHeaders: Record<string, string> = {};
  /** A fault that strikes while the body is written. */
  bodyFault: Fault | null = null;
  /** Body style of validation 400s: the config's errorStyle, or Anthropic's envelope (/v1/messages). */
  errorEnvelope: 'config' | 'anthropic' = 'config';
  /** When the status line and headers were written (ms since the epoch), for the request log. */
  respondedAt: number | undefined;
  private readonly extraHeaders: Record<string, string> = {};
  private closedEarly = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly config: () => EmulatorConfig,
  ) {
    this.url = new URL(req.url ?? '/', 'http://emulator.invalid');
    res.once('close', () => {
      if (!res.writableFinished) this.closedEarly = true;
    });
  }

  get path(): string {
    return this.url.pathname;
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  /** False once the client went away or the socket was reset. */
  get isOpen(): boolean {
    return !this.closedEarly && !this.res.destroyed && !this.res.writableEnded;
  }

  setHeader(name: string, value: string): void {
    this.extraHeaders[name.toLowerCase()] = value;
  }

  sendJson(status: number, body: unknown): void {
    this.sendBody(status, JSON_TYPE, Buffer.from(JSON.stringify(body)));
  }

  sendBody(status: number, contentType: string, payload: Buffer): void {
    if (!this.isOpen) return;
    this.writeHead(status, { 'content-type': contentType, 'content-length': String(payload.length) });
    if (this.resetsAfterHeaders()) return;
    if (this.bodyFault?.kind === 'reset-mid-body' || this.bodyFault?.kind === 'truncate-stream') {
      // A JSON reply cannot be "cleanly" truncated: both faults cut it and reset the connection.
      this.res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => void this.resetAfterFlush());
      return;
    }
    this.res.end(payload);
  }

  /**
   * A binary body sent with chunked transfer encoding: several writes, `streamChunkDelayMs` apart,
   * and no Content-Length (S0: TTS audio). Body faults cut it after the first part.
   */
  async sendChunked(status: number, contentType: string, parts: Buffer[]): Promise<void> {
    if (!this.isOpen) return;
    this.writeHead(status, { 'content-type': contentType, 'transfer-encoding': 'chunked' });
    if (this.resetsAfterHeaders()) return;
    this.res.flushHeaders();
    const cutting = this.bodyFault?.kind === 'reset-mid-body' || this.bodyFault?.kind === 'truncate-stream';
    const count = cutting ? 1 : parts.length;
    for (let i = 0; i < count; i++) {
      if (i > 0) await delay(this.config().streamChunkDelayMs);
      if (!this.isOpen) return;
      this.res.write(parts[i]);
    }
    if (cutting) return this.resetAfterFlush();
    this.res.end();
  }

  /**
   * A binary body of known size, streamed from `chunks` with Content-Length and backpressure (big
   * files are never buffered). Body faults cut it after the first chunk and reset the connection.
   */
  async sendStream(status: number, contentType: string, size: number, chunks: Iterable<Buffer>): Promise<void> {
    if (!this.isOpen) return;
    this.writeHead(status, { 'content-type': contentType, 'content-length': String(size) });
    if (this.resetsAfterHeaders()) return;
    const cutting = this.bodyFault?.kind === 'reset-mid-body' || this.bodyFault?.kind === 'truncate-stream';
    for (const chunk of chunks) {
      if (!this.isOpen) return;
      if (!this.res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.res.off('drain', done);
            this.res.off('close', done);
            resolve();
          };
          this.res.on('drain', done);
          this.res.on('close', done);
        });
      }
      if (cutting) return this.resetAfterFlush();
    }
    if (this.isOpen) this.res.end();
  }

  sendError(error: HttpError): void {
    for (const [name, value] of Object.entries(error.headers)) this.setHeader(name, value);
    this.sendJson(error.status, this.errorBody(error));
  }

  private errorBody(error: HttpError): unknown {
    if (error.validation && this.errorEnvelope === 'anthropic') return anthropicErrorBody(error.message);
    if (error.validation && this.config().errorStyle === 'openai') {
      return openAiErrorBody(error.message, error.validation.param, error.validation.code);
    }
    return doErrorBody(error.id, error.message, this.requestId);
  }

  /**
   * Streams frames one write each, `streamChunkDelayMs` apart. A body fault cuts the stream after
   * about half the frames, always before the first completing frame, or after the fault's `frames`:
   * truncate ends the response cleanly, reset kills the socket, stream-error sends its error frame and
   * ends. `truncate-stream` with `afterFinish` cuts just before the trailer (usage chunk, [DONE]).
   * `reset-after-headers` resets before the first frame.
   */
  async sendSse(stream: SseStream): Promise<void> {
    if (!this.isOpen) return;
    this.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    if (this.resetsAfterHeaders()) return;
    this.res.flushHeaders();
    const { frames, errorFrame = errorDataFrame } = stream;
    const fault = this.bodyFault?.kind;
    const count = this.framesBeforeCut(stream);
    for (let i = 0; i < count; i++) {
      if (i > 0) await delay(this.config().streamChunkDelayMs);
      if (!this.isOpen) return;
      this.res.write(encodeSseFrame(frames[i]));
    }
    if (fault === 'reset-mid-body') {
      await this.resetAfterFlush();
      return;
    }
    if (this.bodyFault?.kind === 'stream-error') this.res.write(encodeSseFrame(errorFrame(this.bodyFault.error, count)));
    this.res.end();
  }

  /** How many frames of `stream` go out before the pending body fault strikes (all without one). */
  private framesBeforeCut({ frames, completesAt, trailerAt }: SseStream): number {
    const fault = this.bodyFault;
    if (fault?.kind !== 'reset-mid-body' && fault?.kind !== 'truncate-stream' && fault?.kind !== 'stream-error') return frames.length;
    if (fault.frames !== undefined) {
      return Math.max(0, Math.min(frames.length, fault.frames < 0 ? frames.length + fault.frames : fault.frames));
    }
    if (fault.kind === 'truncate-stream' && fault.afterFinish === true) return trailerAt ?? frames.length - 1;
    return Math.max(1, Math.min(Math.floor(frames.length / 2), completesAt));
  }

  /** For a `reset-after-headers` fault: sends the headers just written, then resets. */
  private resetsAfterHeaders(): boolean {
    if (this.bodyFault?.kind !== 'reset-after-headers') return false;
    this.res.flushHeaders();
    void this.resetAfterFlush();
    return true;
  }

  /** Kills the connection with a TCP reset (RST), like a crashing proxy. */
  resetSocket(): void {
    const socket = this.req.socket as Socket & { resetAndDestroy?: () => void };
    if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
    else socket.destroy();
  }

  private async resetAfterFlush(): Promise<void> {
    await delay(FLUSH_BEFORE_RESET_MS);
    this.resetSocket();
  }

  private writeHead(status: number, headers: Record<string, string>): void {
    this.respondedAt = Date.now();
    this.res.writeHead(status, {
      ...this.rateLimitHeaders,
      'x-request-id': this.requestId,
      ...headers,
      ...this.extraHeaders,
    });
  }
}
