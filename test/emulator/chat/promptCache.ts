/**
 * Prompt caching (S1, S2) the Anthropic way: every `cache_control` breakpoint marks the prompt prefix
 * up to and including that part. The longest prefix still cached (per access key and model) is read;
 * each later breakpoint's segment is written with its own ttl. A hit refreshes the entry's ttl.
 * No minimum cacheable length is enforced (DO documents none), so short test prompts cache too.
 */
import { createHash } from 'node:crypto';
import { countTokens } from '../util/tokens';

export type CacheTtl = '5m' | '1h';

const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

export interface CacheBreakpoint {
  /** Prompt text up to and including the marked part, as counted for usage. */
  prefixText: string;
  /** Identity of the prefix (roles and structure included). */
  prefixKey: string;
  ttl: CacheTtl;
}

export interface CacheUsage {
  created: number;
  read: number;
  created5m: number;
  created1h: number;
}

export const NO_CACHE_USAGE: CacheUsage = { created: 0, read: 0, created5m: 0, created1h: 0 };

export class PromptCache {
  private readonly expiries = new Map<string, { expiresAt: number; ttl: CacheTtl }>();

  account(apiKey: string, model: string, breakpoints: CacheBreakpoint[], now = Date.now()): CacheUsage {
    const keys = breakpoints.map((b) => hash(apiKey, model, b.prefixKey));
    let hitIndex = -1;
    for (let i = breakpoints.length - 1; i >= 0; i--) {
      const entry = this.expiries.get(keys[i]);
      if (entry && entry.expiresAt > now) {
        hitIndex = i;
        break;
      }
    }
    const usage: CacheUsage = { ...NO_CACHE_USAGE };
    if (hitIndex >= 0) {
      usage.read = countTokens(breakpoints[hitIndex].prefixText);
      for (let i = 0; i <= hitIndex; i++) this.touch(keys[i], breakpoints[i].ttl, now);
    }
    let coveredTokens = usage.read;
    for (let i = hitIndex + 1; i < breakpoints.length; i++) {
      const prefixTokens = countTokens(breakpoints[i].prefixText);
      const segment = Math.max(0, prefixTokens - coveredTokens);
      coveredTokens = Math.max(coveredTokens, prefixTokens);
      usage.created += segment;
      if (breakpoints[i].ttl === '1h') usage.created1h += segment;
      else usage.created5m += segment;
      this.touch(keys[i], breakpoints[i].ttl, now);
    }
    return usage;
  }

  clear(): void {
    this.expiries.clear();
  }

  private touch(key: string, ttl: CacheTtl, now: number): void {
    this.expiries.set(key, { expiresAt: now + TTL_MS[ttl], ttl });
  }
}

function hash(apiKey: string, model: string, prefixKey: string): string {
  return createHash('sha256').update(apiKey).update('\0').update(model).update('\0').update(prefixKey).digest('hex');
}
