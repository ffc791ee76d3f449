/**
 * Submitted jobs (video and async-invoke), kept per access key, and the submission log behind
 * control.jobs(). Keys are stored only as fingerprints, so the log never holds a raw key.
 */
import { createHash } from 'node:crypto';
import type { JobSubmission } from '../types';

/** `sha256:<first 12 hex>` of an access key: how jobs() names the submitting key. */
export function keyFingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export class JobStore<T> {
  private readonly jobs = new Map<string, { owner: string; job: T }>();

  add(id: string, key: string, job: T): void {
    this.jobs.set(id, { owner: keyFingerprint(key), job });
  }

  /** Another key's job is as unknown as a missing one (404, no existence leak). */
  get(id: string, key: string): T | undefined {
    const found = this.jobs.get(id);
    return found && found.owner === keyFingerprint(key) ? found.job : undefined;
  }

  clear(): void {
    this.jobs.clear();
  }
}

export class SubmissionLog {
  private readonly entries: JobSubmission[] = [];

  record(entry: Omit<JobSubmission, 'key'>, key: string): void {
    this.entries.push({ ...entry, key: keyFingerprint(key) });
  }

  list(): JobSubmission[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries.length = 0;
  }
}
