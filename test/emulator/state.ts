/** Everything the emulator remembers between requests, and the control surface over it. */
import { randomBytes } from 'node:crypto';
import type { CdnRequest, EmulatorConfig, EmulatorConfigPatch, EmulatorControl, Fault } from './types';
import { defaultConfig, mergeConfig } from './config';
import { FaultQueue } from './faults';
import { RateLimiter } from './ratelimit';
import { RequestLog } from './requestLog';
import { RequestStats } from './stats';
import { PromptCache } from './chat/promptCache';
import { ResponseStore } from './responses/store';
import { FileStore } from './cdn/files';
import { JobStore, SubmissionLog } from './jobs/store';
import type { VideoJob } from './jobs/video';
import type { AsyncJob } from './jobs/asyncInvoke';
import { BatchFileStore } from './batches/files';
import { BatchStore } from './batches/store';

export class EmulatorState {
  config: EmulatorConfig = defaultConfig();
  readonly log = new RequestLog();
  readonly faults = new FaultQueue();
  readonly counters = new RequestStats();
  readonly limiter = new RateLimiter();
  readonly promptCache = new PromptCache();
  /** Responses sent with `store: true`, for `previous_response_id`. */
  readonly responses = new ResponseStore();
  /** Media served by the CDN origin. */
  readonly files = new FileStore();
  readonly cdnLog: CdnRequest[] = [];
  readonly videoJobs = new JobStore<VideoJob>();
  readonly asyncJobs = new JobStore<AsyncJob>();
  /** Accepted job submissions, for control.jobs(). */
  readonly submissions = new SubmissionLog();
  /** Batch input files (intents and uploaded bytes) and batches. */
  readonly batchFiles = new BatchFileStore();
  readonly batches = new BatchStore();
  /** Base URL of the CDN origin; set by startEmulator() once it listens. */
  cdnUrl = '';
  /** Signs the CDN's presigned links (`/signed/…`); fixed for the emulator's life. */
  readonly signingKey = randomBytes(32);

  constructor(
    readonly keys: ReadonlySet<string>,
    /** Accepted on the agent endpoint only. */
    readonly agentKeys: ReadonlySet<string>,
  ) {}

  /** The origin written into media URLs: `mediaHost` when set, else the CDN's. */
  mediaOrigin(): string {
    return this.config.mediaHost ?? this.cdnUrl;
  }

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
    this.responses.clear();
    this.files.clear();
    this.cdnLog.length = 0;
    this.videoJobs.clear();
    this.asyncJobs.clear();
    this.submissions.clear();
    this.batchFiles.clear();
    this.batches.clear();
  }

  /** Bound methods, so `const { configure } = emulator.control` works. */
  control(): EmulatorControl {
    return {
      configure: (patch: EmulatorConfigPatch) => this.configure(patch),
      reset: () => this.reset(),
      enqueueFaults: (faults: Fault[]) => this.faults.enqueue(faults),
      requests: () => this.log.list(),
      stats: () => this.counters.snapshot(),
      cdnRequests: () => this.cdnLog.map((r) => ({ ...r, headers: { ...r.headers } })),
      jobs: () => this.submissions.list(),
      batches: () => this.batches.records(),
    };
  }
}
