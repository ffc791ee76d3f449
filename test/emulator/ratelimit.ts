/**
 * Request quota with sliding per-request timers, as DO documents (§11.2): `ratelimit-reset` is the
 * unix time at which the oldest request in the window expires. Windows are kept per access key
 * (per account on DO). With no quota configured the documented 5,000/hour is reported but never enforced.
 */
import type { QuotaConfig } from './types';

const NOTIONAL_QUOTA: QuotaConfig = { limit: 5000, windowMs: 3_600_000, retryAfterSec: 60 };

export interface QuotaDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  /** Records the request when allowed; a refused request does not use quota. */
  consume(account: string, quota: QuotaConfig | null, now = Date.now()): QuotaDecision {
    const effective = quota ?? NOTIONAL_QUOTA;
    const window = this.activeWindow(account, effective, now);
    const allowed = quota === null || window.length < effective.limit;
    if (allowed) window.push(now);
    const headers = this.headersFor(window, effective, now);
    if (!allowed) {
      headers['retry-after'] = String(effective.retryAfterSec);
      headers['ratelimit-remaining'] = '0';
      headers['x-ratelimit-remaining-requests'] = '0';
    }
    return { allowed, headers };
  }

  /** Current headers without using quota (for responses sent before the quota check, e.g. 401). */
  peek(account: string, quota: QuotaConfig | null, now = Date.now()): Record<string, string> {
    const effective = quota ?? NOTIONAL_QUOTA;
    return this.headersFor(this.activeWindow(account, effective, now), effective, now);
  }

  clear(): void {
    this.windows.clear();
  }

  private activeWindow(account: string, quota: QuotaConfig, now: number): number[] {
    const window = (this.windows.get(account) ?? []).filter((t) => t + quota.windowMs > now);
    this.windows.set(account, window);
    return window;
  }

  private headersFor(window: number[], quota: QuotaConfig, now: number): Record<string, string> {
    const remaining = Math.max(0, quota.limit - window.length);
    const oldest = window.length > 0 ? window[0] : now;
    const reset = String(Math.ceil((oldest + quota.windowMs) / 1000));
    return {
      'ratelimit-limit': String(quota.limit),
      'ratelimit-remaining': String(remaining),
      'ratelimit-reset': reset,
      // Observed on live responses by third parties (§11.2), undocumented.
      'x-ratelimit-limit-requests': String(quota.limit),
      'x-ratelimit-remaining-requests': String(remaining),
    };
  }
}
