/**
 * The result files of a finished batch, served by the media host. They are generated while sent
 * (never held whole, so a 150 MB results file costs the emulator no memory) and byte-identical on
 * every download: per-line ids derive from the batch id and line index, the config is the one the
 * batch was created under. Kinds: 'output' (answered lines), 'errors' (failed and never-run lines: the
 * spec's error sidecar), 'all' (both, in one file: Anthropic's way, and godo's single download).
 */
import { createHash } from 'node:crypto';
import type { MediaFile } from '../cdn/files';
import { unixSeconds } from '../util/ids';
import { answerLine } from './answers';
import { lineRequest } from './inputFile';
import type { BatchJob, BatchView, PlannedLine } from './job';
import { failureLine, successLine, unprocessedLine, type LineIds } from './resultLines';

export type ResultFileKind = 'output' | 'errors' | 'all';

/** Lines are grouped into writes of about this size. */
const CHUNK_BYTES = 64 * 1024;

export const resultFileName = (job: BatchJob, kind: ResultFileKind): string => `batch-${job.id}-${kind}.jsonl`;

/** How many lines a file of this kind holds for the batch as viewed. */
export function resultLineCount(job: BatchJob, view: BatchView, kind: ResultFileKind): number {
  const failed = job.failuresBefore[view.processed];
  const neverRun = view.unprocessed ? job.lines.length - view.processed : 0;
  if (kind === 'output') return view.processed - failed;
  if (kind === 'errors') return failed + neverRun;
  return view.processed + neverRun;
}

/** The file (its size computed on first use), for `state.files`. */
export function resultFile(job: BatchJob, view: BatchView, kind: ResultFileKind): MediaFile {
  let size: number | undefined;
  const chunks = (): Iterable<Buffer> => chunked(resultLines(job, view, kind));
  return {
    contentType: 'application/octet-stream', // what object storage answers for an upload without a type
    get size(): number {
      if (size === undefined) {
        size = 0;
        for (const chunk of chunks()) size += chunk.length;
      }
      return size;
    },
    chunks,
  };
}

function* resultLines(job: BatchJob, view: BatchView, kind: ResultFileKind): Generator<string> {
  const created = unixSeconds(job.createdMs + job.timings.validatingMs);
  for (let i = 0; i < job.lines.length; i++) {
    const line = job.lines[i];
    const ids = lineIds(job, line);
    if (i >= view.processed) {
      if (view.unprocessed && kind !== 'output') yield unprocessedLine(job.provider, line.customId, ids, view.unprocessed);
    } else if (line.failure) {
      if (kind !== 'output') yield failureLine(job.provider, line.customId, ids, line.failure);
    } else if (kind !== 'errors') {
      const body = answerLine(lineRequest(job.provider, line.text), job.context, { id: ids.id.slice(0, 24), created });
      yield successLine(job.provider, line.customId, ids, body);
    }
  }
}

function lineIds(job: BatchJob, line: PlannedLine): LineIds {
  const hex = createHash('sha256').update(`${job.id}:${line.index}`).digest('hex');
  return { id: hex.slice(0, 32), requestId: hex.slice(32) };
}

function* chunked(lines: Iterable<string>): Generator<Buffer> {
  let pending: string[] = [];
  let pendingBytes = 0;
  for (const line of lines) {
    pending.push(line, '\n');
    pendingBytes += line.length + 1;
    if (pendingBytes >= CHUNK_BYTES) {
      yield Buffer.from(pending.join(''));
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''));
}
