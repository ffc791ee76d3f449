/**
 * Created batches, per access key, with the idempotency index (`request_id` → batch, spec: "retries
 * with the same value return the existing job") and the record behind control.batches().
 */
import type { BatchRecord } from '../types';
import { keyFingerprint } from '../jobs/store';
import type { BatchJob } from './job';

interface Entry {
  job: BatchJob;
  owner: string;
  /** Creation order, for newest-first listing and list cursors. */
  seq: number;
  record: BatchRecord;
}

export class BatchStore {
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private readonly byRequestId = new Map<string, Entry>();

  add(job: BatchJob, key: string): void {
    const owner = keyFingerprint(key);
    const record: BatchRecord = {
      id: job.id,
      requestId: job.requestId,
      key: owner,
      provider: job.provider,
      endpoint: job.endpoint,
      fileId: job.fileId,
      lines: job.lines.length,
      creates: 1,
      createdAt: job.createdMs,
    };
    const entry: Entry = { job, owner, seq: this.entries.length, record };
    this.entries.push(entry);
    this.byId.set(job.id, entry);
    if (job.requestId !== null) this.byRequestId.set(`${owner} ${job.requestId}`, entry);
  }

  get(id: string, key: string): BatchJob | undefined {
    const entry = this.byId.get(id);
    return entry && entry.owner === keyFingerprint(key) ? entry.job : undefined;
  }

  /** The batch an earlier create with this key and request_id made; counts the replay. */
  replay(requestId: string, key: string): BatchJob | undefined {
    const entry = this.byRequestId.get(`${keyFingerprint(key)} ${requestId}`);
    if (entry) entry.record.creates += 1;
    return entry?.job;
  }

  /** The key's batches, newest first, each with its creation sequence number. */
  list(key: string): { job: BatchJob; seq: number }[] {
    const owner = keyFingerprint(key);
    return this.entries
      .filter((entry) => entry.owner === owner)
      .reverse()
      .map(({ job, seq }) => ({ job, seq }));
  }

  records(): BatchRecord[] {
    return this.entries.map((entry) => ({ ...entry.record }));
  }

  clear(): void {
    this.entries.length = 0;
    this.byId.clear();
    this.byRequestId.clear();
  }
}
