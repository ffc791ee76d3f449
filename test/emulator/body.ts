/** Reading and parsing request bodies. */
import type { IncomingMessage } from 'node:http';
import { HttpError, invalidParam } from './errors';
import { isPlainObject } from './config';

/** DO documents no limit; this only protects the emulator (UNVERIFIED real limit). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(new HttpError(413, 'payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client aborted the request'));
    });
  });
}

export interface ParsedBody {
  /** Parsed JSON, raw text when not JSON, null when empty. */
  body: unknown;
  /** Why JSON parsing failed, or null. */
  jsonError: string | null;
}

export function parseBody(raw: Buffer): ParsedBody {
  if (raw.length === 0) return { body: null, jsonError: null };
  const text = raw.toString('utf8');
  try {
    return { body: JSON.parse(text), jsonError: null };
  } catch (error) {
    return { body: text, jsonError: (error as Error).message };
  }
}

/** For POST endpoints: the body must be a JSON object. */
export function requireJsonObject(parsed: ParsedBody): Record<string, unknown> {
  if (parsed.jsonError !== null) {
    throw invalidParam(null, `Invalid JSON in request body: ${parsed.jsonError}`, 'invalid_json');
  }
  if (!isPlainObject(parsed.body)) {
    throw invalidParam(null, 'Request body must be a JSON object.', 'invalid_type');
  }
  return parsed.body;
}
