/** Shared helpers for the emulator tests: real HTTP with global fetch, never mocks. */
import { DEFAULT_KEY } from '../../emulator';

export const AUTH = { authorization: `Bearer ${DEFAULT_KEY}`, 'content-type': 'application/json' };

export function postJson(url: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Response.json() is typed unknown; tests inspect bodies freely. */
export async function readJson(res: Response): Promise<any> {
  return res.json();
}

export async function chat(baseUrl: string, body: Record<string, unknown>): Promise<{ res: Response; json: any }> {
  const res = await postJson(`${baseUrl}/v1/chat/completions`, body);
  return { res, json: await readJson(res) };
}

export const userSays = (text: string) => [{ role: 'user', content: text }];

/** Splits a raw SSE body into its `data:` payloads, checking the framing on the way. */
export function sseData(raw: string): string[] {
  const events = raw.split('\n\n');
  if (events[events.length - 1] !== '') throw new Error(`stream does not end with a blank line: ${JSON.stringify(raw.slice(-40))}`);
  return events.slice(0, -1).map((event) => {
    if (!event.startsWith('data: ') || event.includes('\n')) throw new Error(`bad frame ${JSON.stringify(event)}`);
    return event.slice('data: '.length);
  });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---- tiny images (headers only matter: the emulator sniffs magic numbers and sizes) -----------

export const PNG_1X1_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** JPEG SOI, APP0 (JFIF), SOF0 of 3x2 pixels, EOI. */
export function jpegBase64(width = 3, height = 2): string {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]).toString('base64');
}

/** Lossless WebP (VP8L) header of the given size. */
export function webpBase64(width = 4, height = 5): string {
  const bytes = Buffer.alloc(30);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(22, 4);
  bytes.write('WEBP', 8, 'latin1');
  bytes.write('VP8L', 12, 'latin1');
  bytes.writeUInt32LE(10, 16);
  bytes[20] = 0x2f;
  bytes.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 21);
  return bytes.toString('base64');
}

export const imagePart = (url: string) => ({ type: 'image_url', image_url: { url } });

export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface RawSseEvent {
  /** The `event:` name, or null when the frame has none. */
  event: string | null;
  data: string;
}

/** Splits a raw SSE body into frames of an optional `event:` line plus one `data:` line, checking the framing. */
export function sseEvents(raw: string): RawSseEvent[] {
  const frames = raw.split('\n\n');
  if (frames[frames.length - 1] !== '') throw new Error(`stream does not end with a blank line: ${JSON.stringify(raw.slice(-40))}`);
  return frames.slice(0, -1).map((frame) => {
    const lines = frame.split('\n');
    const eventLine = lines.length === 2 ? lines[0] : null;
    const dataLine = lines[lines.length - 1];
    if (lines.length > 2 || (eventLine !== null && !eventLine.startsWith('event: ')) || !dataLine.startsWith('data: ')) {
      throw new Error(`bad frame ${JSON.stringify(frame)}`);
    }
    return { event: eventLine === null ? null : eventLine.slice('event: '.length), data: dataLine.slice('data: '.length) };
  });
}

/** A tiny GIF89a header of the given size. */
export function gifBase64(width = 2, height = 3): string {
  const bytes = Buffer.alloc(13);
  bytes.write('GIF89a', 0, 'latin1');
  bytes.writeUInt16LE(width, 6);
  bytes.writeUInt16LE(height, 8);
  return bytes.toString('base64');
}

/** Reads a body the server resets mid-way: returns what arrived, and fails if the body ends cleanly. */
export async function readUntilReset(res: Response): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let received = '';
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      return received;
    }
    if (chunk.done) throw new Error(`body ended cleanly instead of being reset: ${received.slice(-80)}`);
    received += Buffer.from(chunk.value).toString();
  }
}
