/**
 * The JSON a client sees, in both documented shapes: the OpenAPI spec's (`batch.yml`,
 * `batch_list_response.yml`, `batch_results_response.yml`) and godo's (`batch_inference.go` and its
 * fixtures, which look captured from live traffic). Timestamps are RFC 3339 without fractions, as in
 * both sources' examples.
 */
import type { EmulatorConfig } from '../types';
import type { BatchJob, BatchView } from './job';
import { resultLineCount } from './resultFiles';

/** Spec: `expires_at` is "derived from created_at plus completion_window" (only "24h" exists). */
const COMPLETION_WINDOW_MS = 24 * 3600 * 1000;

export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : isoSeconds(ms));

/** Which result files exist for the batch as viewed, under the current config (null = none). */
export function resultFileIds(job: BatchJob, view: BatchView, config: EmulatorConfig): { output: string | null; errors: string | null } {
  if (!view.resultsReady) return { output: null, errors: null };
  if (inlineErrors(config)) return { output: job.outputFileId, errors: null };
  return {
    output: resultLineCount(job, view, 'output') > 0 ? job.outputFileId : null,
    errors: resultLineCount(job, view, 'errors') > 0 ? job.errorFileId : null,
  };
}

/** One results file holding every line: the 'inline' reading, and always godo's single download. */
export const inlineErrors = (config: EmulatorConfig): boolean => config.batchErrorLines === 'inline' || config.batchResultsShape === 'godo';

export function batchBody(job: BatchJob, view: BatchView, config: EmulatorConfig): Record<string, unknown> {
  const createdAt = isoSeconds(job.createdMs);
  const expiresAt = isoSeconds(job.createdMs + COMPLETION_WINDOW_MS);
  if (config.batchObjectShape === 'godo') {
    return {
      batch_id: job.id,
      cancel_requested_at: isoOrNull(job.cancelRequestedMs),
      completion_window: job.completionWindow,
      created_at: createdAt,
      expires_at: expiresAt,
      file_id: job.fileId,
      provider: job.provider,
      request_counts: view.counts,
      request_id: job.requestId,
      result_available: view.resultsReady,
      status: view.status,
      updated_at: isoSeconds(view.at.updated),
    };
  }
  const files = resultFileIds(job, view, config);
  return {
    batch_id: job.id,
    status: view.status,
    provider: job.provider,
    ...(job.endpoint === null ? {} : { endpoint: job.endpoint }),
    completion_window: job.completionWindow,
    input_file_id: job.fileId,
    output_file_id: files.output,
    error_file_id: files.errors,
    request_counts: view.counts,
    request_id: job.requestId,
    metadata: job.metadata,
    errors: view.errors,
    created_at: createdAt,
    in_progress_at: isoOrNull(view.at.inProgress),
    finalizing_at: isoOrNull(view.at.finalizing),
    completed_at: isoOrNull(view.at.completed),
    expires_at: expiresAt,
    cancelled_at: isoOrNull(view.at.cancelled),
    failed_at: isoOrNull(view.at.failed),
  };
}

/** godo's list cursor: base64 of `{"c": created_at, "i": <sequence>}`, like its fixture's `eyJjIjoi…`. */
export function listCursor(job: BatchJob, seq: number): string {
  return Buffer.from(JSON.stringify({ c: isoSeconds(job.createdMs), i: seq })).toString('base64');
}

/** The sequence number in a cursor, or undefined when it is not one of ours. */
export function cursorSeq(cursor: string): number | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { i?: unknown };
    return typeof decoded.i === 'number' && Number.isInteger(decoded.i) ? decoded.i : undefined;
  } catch {
    return undefined;
  }
}

export function listBody(page: { body: Record<string, unknown>; seq: number; job: BatchJob }[], hasMore: boolean, config: EmulatorConfig): Record<string, unknown> {
  if (config.batchListShape === 'godo') {
    const edges = page.map(({ body, seq, job }) => ({ cursor: listCursor(job, seq), node: withoutFileId(body) }));
    return { edges, page_info: { endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : '', hasNextPage: hasMore } };
  }
  return {
    object: 'list',
    data: page.map(({ body }) => body),
    first_id: page.length > 0 ? page[0].job.id : null,
    last_id: page.length > 0 ? page[page.length - 1].job.id : null,
    has_more: hasMore,
  };
}

/** godo's list fixture has no `file_id` on its nodes (its get fixture does). */
function withoutFileId(body: Record<string, unknown>): Record<string, unknown> {
  const { file_id: _fileId, ...rest } = body;
  return rest;
}

export function resultsBody(
  job: BatchJob,
  urls: { output: string | null; errors: string | null },
  expiresMs: number,
  config: EmulatorConfig,
): Record<string, unknown> {
  if (config.batchResultsShape === 'godo') {
    // godo's fixture names the provider's batch: `msgbatch_…` (Anthropic); OpenAI's are `file-…`.
    const hex = job.outputFileId.replace(/-/g, '');
    return {
      download: { presigned_url: urls.output, expires_at: isoSeconds(expiresMs) },
      output_file_id: job.provider === 'anthropic' ? `msgbatch_${hex}` : `file-${hex}`,
    };
  }
  return {
    batch_id: job.id,
    result_available: true,
    output_file_url: urls.output,
    error_file_url: urls.errors,
    expires_at: isoSeconds(expiresMs),
  };
}
