/**
 * The batch state machine (spec `batch.yml`): <first status> → in_progress → finalizing → completed,
 * or failed / expired per `batchOutcome`, or failed after the first phase when validation found
 * problems; a cancel in in_progress / finalizing → cancelling → cancelled. Everything is computed from
 * elapsed time with the timings fixed at creation, like the video jobs. Lines are answered evenly over
 * in_progress in "processing order", a shuffle of the input (OpenAI warns output order is not input
 * order), which is also the order of the result files.
 */
import { createHash } from 'node:crypto';
import type { BatchTimings, EmulatorConfig } from '../types';
import type { LineContext, LineFailure } from './answers';
import type { BatchError, Provider } from './inputFile';

export type BatchStatus =
  | EmulatorConfig['batchFirstStatus']
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'failed'
  | 'expired'
  | 'cancelling'
  | 'cancelled';

export interface PlannedLine {
  /** 0-based position in the input file's requests. */
  index: number;
  customId: string;
  text: string;
  /** Decided at creation: null = answered. */
  failure: LineFailure | null;
}

export interface BatchJob {
  id: string;
  requestId: string | null;
  provider: Provider;
  endpoint: string | null;
  completionWindow: string;
  fileId: string;
  metadata: Record<string, string> | null;
  createdMs: number;
  timings: BatchTimings;
  outcome: EmulatorConfig['batchOutcome'];
  firstStatus: EmulatorConfig['batchFirstStatus'];
  /** Input-file problems: non-empty → the batch fails after the first phase. */
  validationErrors: BatchError[];
  /** In processing order. */
  lines: PlannedLine[];
  /** failuresBefore[k] = failed lines among lines[0..k). */
  failuresBefore: number[];
  context: LineContext;
  /** When a cancel was accepted, or null. */
  cancelRequestedMs: number | null;
  /** uuids the result files get once they exist. */
  outputFileId: string;
  errorFileId: string;
}

/** The batch as seen at one instant. */
export interface BatchView {
  status: BatchStatus;
  /** Lines answered so far (a prefix of `lines`). */
  processed: number;
  /** Set when the batch ended with lines never run. */
  unprocessed: 'expired' | 'cancelled' | null;
  resultsReady: boolean;
  counts: { total: number; completed: number; failed: number };
  errors: BatchError[] | null;
  at: { inProgress: number | null; finalizing: number | null; completed: number | null; failed: number | null; cancelled: number | null; updated: number };
}

interface ViewExtras {
  unprocessed?: BatchView['unprocessed'];
  errors?: BatchError[];
  at?: Partial<BatchView['at']>;
}

const TERMINAL: ReadonlySet<BatchStatus> = new Set(['completed', 'failed', 'expired', 'cancelled']);

export const isTerminal = (status: BatchStatus): boolean => TERMINAL.has(status);

/** `batchOutcome: 'failed'`: the provider gave up on the whole batch. */
const PROVIDER_FAILURE: BatchError = { code: 'batch_failed', message: 'The provider failed the batch (emulated failure).', line: null };

/** Shuffles deterministically per batch, never leaving two or more lines in input order. */
export function processingOrder<T>(items: T[], batchId: string): T[] {
  const order = [...items];
  let seed = createHash('sha256').update(batchId).digest().readUInt32LE(0);
  const random = (): number => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (order.length > 1 && order.every((item, i) => item === items[i])) [order[0], order[1]] = [order[1], order[0]];
  return order;
}

export function prefixFailures(lines: PlannedLine[]): number[] {
  const before = [0];
  for (const line of lines) before.push(before[before.length - 1] + (line.failure ? 1 : 0));
  return before;
}

export function viewBatch(job: BatchJob, now = Date.now()): BatchView {
  const { timings, createdMs } = job;
  const n = job.lines.length;
  const startMs = createdMs + timings.validatingMs;
  const endMs = startMs + timings.inProgressMs;
  const finalMs = endMs + timings.finalizingMs;
  // Expired batches got through half their lines when the window closed.
  const reachable = job.outcome === 'expired' ? Math.floor(n / 2) : n;
  const processedAt = (t: number): number =>
    t < startMs ? 0 : timings.inProgressMs === 0 ? reachable : Math.floor((reachable * Math.min(1, (t - startMs) / timings.inProgressMs)));
  const view = (status: BatchStatus, processed: number, updated: number, extra: ViewExtras = {}): BatchView => {
    const unprocessed = extra.unprocessed ?? null;
    const failedAmong = job.failuresBefore[processed];
    const total = status === job.firstStatus || job.validationErrors.length > 0 ? 0 : n;
    return {
      status,
      processed,
      unprocessed,
      resultsReady: status === 'completed' || status === 'expired' || status === 'cancelled',
      counts: {
        total,
        completed: processed - failedAmong,
        failed: failedAmong + (unprocessed ? n - processed : 0),
      },
      errors: extra.errors ?? null,
      at: {
        inProgress: now >= startMs && job.validationErrors.length === 0 ? startMs : null,
        finalizing: null,
        completed: null,
        failed: null,
        cancelled: null,
        updated,
        ...extra.at,
      },
    };
  };

  if (job.validationErrors.length > 0) {
    if (now < startMs) return view(job.firstStatus, 0, createdMs);
    return view('failed', 0, startMs, { errors: job.validationErrors, at: { failed: startMs } });
  }
  if (job.cancelRequestedMs !== null) {
    const cancelMs = job.cancelRequestedMs;
    const processed = processedAt(cancelMs);
    const doneMs = cancelMs + timings.cancellingMs;
    if (now < doneMs) return view('cancelling', processed, cancelMs);
    return view('cancelled', processed, doneMs, { unprocessed: 'cancelled', at: { cancelled: doneMs } });
  }
  if (now < startMs) return view(job.firstStatus, 0, createdMs);
  if (now < endMs) return view('in_progress', processedAt(now), startMs);
  if (job.outcome === 'failed') return view('failed', reachable, endMs, { errors: [PROVIDER_FAILURE], at: { failed: endMs } });
  if (job.outcome === 'expired') return view('expired', reachable, endMs, { unprocessed: 'expired' });
  if (now < finalMs) return view('finalizing', n, endMs, { at: { finalizing: endMs } });
  return view('completed', n, finalMs, { at: { finalizing: endMs, completed: finalMs } });
}

/**
 * Accepts a cancel (spec `inference_cancel_batch`): only while the provider holds the batch
 * (in_progress, finalizing); a repeat while cancelling changes nothing. Returns why it is refused:
 * 'not-submitted' (still in the first phase: nothing to cancel yet) or 'terminal'.
 */
export function requestCancel(job: BatchJob, now = Date.now()): 'not-submitted' | 'terminal' | undefined {
  const { status } = viewBatch(job, now);
  if (status === 'cancelling') return undefined;
  if (isTerminal(status)) return 'terminal';
  if (status === job.firstStatus) return 'not-submitted';
  job.cancelRequestedMs = now;
  return undefined;
}
