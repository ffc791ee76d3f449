/**
 * Request quota with sliding per-request timers, as DO documents (§11.2): `ratelimit-reset` is the
 * unix time at which the oldest request in the window expires. Windows are kept per access key
 * (per account on DO). With no quota configured the documented 5,000/hour is reported but never enforced.
 *
 * Two readings of the headers (`config.rateLimitHeaders`): 'documented' sends the `ratelimit-*` trio
 * (plus the requests pair of the observed family) and a 429 carries `retry-after`; 'observed' sends the
 * whole `x-ratelimit-*` family third parties saw on live replies (reset values as Go durations such as
 * `6m0s`) and a 429 carries NO `retry-after`, so a client must read the reset headers.
 */
import type { QuotaConfig, RateLimitHeaders } from './types';

const NOTIONAL_QUOTA: QuotaConfig = { limit: 5000, windowMs: 3_600_000, retryAfterSec: 60 };
/** Token limits seen on live replies (§11.2). Tokens are not counted: these limits always have room. */
const TOKENS_PER_MINUTE = 750_000;
const TOKENS_PER_DAY = 8_000_000;

export interface QuotaDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  /** Records the request when allowed; a refused request does not use quota. */
  consume(account: string, quota: QuotaConfig | null, style: RateLimitHeaders = 'documented', now = Date.now()): QuotaDecision {
    const effective = quota ?? NOTIONAL_QUOTA;
    const window = this.activeWindow(account, effective, now);
    const allowed = quota === null || window.length < effective.limit;
    if (allowed) window.push(now);
    const headers = this.headersFor(window, effective, style, now);
    if (!allowed) {
      if (style === 'documented') headers['retry-after'] = String(effective.retryAfterSec);
      headers['ratelimit-remaining'] = '0';
      headers['x-ratelimit-remaining-requests'] = '0';
    }
    return { allowed, headers };
  }

  /** Current headers without using quota (for responses sent before the quota check, e.g. 401). */
  peek(account: string, quota: QuotaConfig | null, style: RateLimitHeaders = 'documented', now = Date.now()): Record<string, string> {
    const effective = quota ?? NOTIONAL_QUOTA;
    return this.headersFor(this.activeWindow(account, effective, now), effective, style, now);
  }

  clear(): void {
    this.windows.clear();
  }

  private activeWindow(account: string, quota: QuotaConfig, now: number): number[] {
    const window = (this.windows.get(account) ?? []).filter((t) => t + quota.windowMs > now);
    this.windows.set(account, window);
    return window;
  }

  private headersFor(window: number[], quota: QuotaConfig, style: RateLimitHeaders, now: number): Record<string, string> {
    const remaining = Math.max(0, quota.limit - window.length);
    const oldest = window.length > 0 ? window[0] : now;
    const reset = String(Math.ceil((oldest + quota.windowMs) / 1000));
    const headers: Record<string, string> = {
      'ratelimit-limit': String(quota.limit),
      'ratelimit-remaining': String(remaining),
      'ratelimit-reset': reset,
      // Observed on live responses by third parties (§11.2), undocumented.
      'x-ratelimit-limit-requests': String(quota.limit),
      'x-ratelimit-remaining-requests': String(remaining),
    };
    if (style === 'documented') return headers;
    const minute = 60_000;
    const day = 86_400_000;
    return {
      ...headers,
      // Until the oldest request leaves the window and frees a slot.
      'x-ratelimit-reset-requests': goDuration(window.length > 0 ? oldest + quota.windowMs - now : 0),
      'x-ratelimit-limit-tokens-per-minute': String(TOKENS_PER_MINUTE),
      'x-ratelimit-remaining-tokens-per-minute': String(TOKENS_PER_MINUTE),
      'x-ratelimit-reset-tokens-per-minute': goDuration(minute - (now % minute)),
      'x-ratelimit-limit-tokens-per-day': String(TOKENS_PER_DAY),
      'x-ratelimit-remaining-tokens-per-day': String(TOKENS_PER_DAY),
      'x-ratelimit-reset-tokens-per-day': goDuration(day - (now % day)),
    };
  }
}

/** A duration as Go prints it (OpenAI's reset headers): `20ms`, `37.5s`, `6m0s`, `13h2m3.25s`. */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = `${Number(((whole % 60_000) / 1000).toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}
