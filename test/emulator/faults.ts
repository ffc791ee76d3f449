/** Fault injection: scripted one-shot faults first, then random ones from `config.faultRatio`. */
import type { Fault, FaultRatio } from './types';

const KINDS = new Set([
  'status',
  'reset-before-headers',
  'reset-after-headers',
  'reset-mid-body',
  'truncate-stream',
  'stream-error',
  'slow-headers',
  'hang',
]);

export class FaultQueue {
  private queue: Fault[] = [];

  enqueue(faults: unknown): void {
    if (!Array.isArray(faults)) throw new Error('faults must be an array');
    const checked = faults.map(checkFault);
    this.queue.push(...checked);
  }

  /** Removes and returns the first queued fault that applies to this path and request body text. */
  take(path: string, bodyText = ''): Fault | null {
    const index = this.queue.findIndex(
      (f) => (f.path === undefined || f.path === path) && (f.bodyIncludes === undefined || bodyText.includes(f.bodyIncludes)),
    );
    if (index < 0) return null;
    return this.queue.splice(index, 1)[0];
  }

  size(): number {
    return this.queue.length;
  }

  clear(): void {
    this.queue = [];
  }
}

/** Random truncation only makes sense for streams; a JSON reply is never randomly truncated. */
export function rollRandomFault(ratio: FaultRatio, isStream: boolean, random: () => number = Math.random): Fault | null {
  if (ratio.status5xx > 0 && random() < ratio.status5xx) return { kind: 'status', status: 500 };
  if (ratio.resetMidBody > 0 && random() < ratio.resetMidBody) return { kind: 'reset-mid-body' };
  if (isStream && ratio.truncateStream > 0 && random() < ratio.truncateStream) return { kind: 'truncate-stream' };
  return null;
}

function checkFault(value: unknown): Fault {
  if (typeof value !== 'object' || value === null) throw new Error('each fault must be an object');
  const fault = value as Record<string, unknown>;
  if (typeof fault.kind !== 'string' || !KINDS.has(fault.kind)) {
    throw new Error(`unknown fault kind ${JSON.stringify(fault.kind)}`);
  }
  if (fault.path !== undefined && typeof fault.path !== 'string') throw new Error('fault.path must be a string');
  if (fault.bodyIncludes !== undefined && (typeof fault.bodyIncludes !== 'string' || fault.bodyIncludes === '')) {
    throw new Error('fault.bodyIncludes must be a non-empty string');
  }
  if (fault.kind === 'status') {
    if (typeof fault.status !== 'number' || !Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) {
      throw new Error('status fault needs an integer status 200..599');
    }
    if (fault.headers !== undefined) {
      const headers = fault.headers;
      if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string')) {
        throw new Error('status fault headers must map names to strings');
      }
    }
  }
  if (fault.kind === 'truncate-stream' && fault.afterFinish !== undefined && typeof fault.afterFinish !== 'boolean') {
    throw new Error('truncate-stream afterFinish must be a boolean');
  }
  if (fault.frames !== undefined && (!['reset-mid-body', 'truncate-stream', 'stream-error'].includes(fault.kind) || !Number.isInteger(fault.frames))) {
    throw new Error('fault.frames must be an integer, on reset-mid-body, truncate-stream or stream-error');
  }
  if (fault.kind === 'truncate-stream' && fault.frames !== undefined && fault.afterFinish !== undefined) {
    throw new Error('truncate-stream takes frames or afterFinish, not both');
  }
  if (fault.kind === 'stream-error' && fault.error !== undefined && (typeof fault.error !== 'object' || fault.error === null)) {
    throw new Error('stream-error error must be an object');
  }
  if (fault.kind === 'slow-headers' && (typeof fault.ms !== 'number' || fault.ms < 0)) {
    throw new Error('slow-headers fault needs ms >= 0');
  }
  return structuredClone(fault) as unknown as Fault;
}
