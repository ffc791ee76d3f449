import { randomBytes, randomUUID } from 'node:crypto';

export const newRequestId = (): string => randomUUID();

/** Short opaque id for `chatcmpl-…`, `call_…` and the like. */
export function shortId(bytes = 12): string {
  return randomBytes(bytes).toString('hex');
}

export const unixSeconds = (ms = Date.now()): number => Math.floor(ms / 1000);
