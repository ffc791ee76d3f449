/** Everything the emulator remembers between requests, and the control surface over it. */
import type { EmulatorConfig, EmulatorConfigPatch, EmulatorControl, Fault } from './types';
import { defaultConfig, mergeConfig } from './config';
import { FaultQueue } from './faults';
import { RateLimiter } from './ratelimit';
import { RequestLog } from './requestLog';
import { RequestStats } from './stats';
import { PromptCache } from './chat/promptCache';

export class EmulatorState {
  config: EmulatorConfig = defaultConfig();
  readonly log = new RequestLog();
  readonly faults = new FaultQueue();
  readonly counters = new RequestStats();
  readonly limiter = new RateLimiter();
  readonly promptCache = new PromptCache();

  constructor(
    readonly keys: ReadonlySet<string>,
    /** Reserved for agent inference (later issue). */
    readonly agentKeys: ReadonlySet<string>,
  ) {}

  configure(patch: unknown): void {
    this.config = mergeConfig(this.config, patch);
  }

  reset(): void {
    this.config = defaultConfig();
    this.log.clear();
    this.faults.clear();
    this.counters.reset();
    this.limiter.clear();
    this.promptCache.clear();
  }

  /** Bound methods, so `const { configure } = emulator.control` works. */
  control(): EmulatorControl {
    return {
      configure: (patch: EmulatorConfigPatch) => this.configure(patch),
      reset: () => this.reset(),
      enqueueFaults: (faults: Fault[]) => this.faults.enqueue(faults),
      requests: () => this.log.list(),
      stats: () => this.counters.snapshot(),
    };
  }
}
