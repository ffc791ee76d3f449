/**
 * Batch Inference (spec `specification/resources/inference/*batch*`, godo `batch_inference.go`):
 * POST /v1/batches/files, POST /v1/batches, GET /v1/batches, GET /v1/batches/{id},
 * POST /v1/batches/{id}/cancel, GET /v1/batches/{id}/results. The input file is PUT to the media host
 * (cdn/upload.ts) and the results are downloaded from it, both without the key. Batches and files
 * belong to the creating key.
 */
import { randomUUID } from 'node:crypto';
import type { Router } from '../router';
import type { EmulatorState } from '../state';
import type { Exchange } from '../exchange';
import { requireJsonObject } from '../body';
import { isPlainObject } from '../config';
import { HttpError, invalidParam, notFound } from '../errors';
import { optionalEnum, optionalString, requiredString, type Body } from '../validation/fields';
import { presignedPath } from '../cdn/presign';
import { uploadUrl } from '../cdn/upload';
import { checkLine, type LineContext, type LineEndpoint } from '../batches/answers';
import { lineRequest, readInputFile, type Provider } from '../batches/inputFile';
import { prefixFailures, processingOrder, requestCancel, viewBatch, type BatchJob, type BatchStatus, type PlannedLine } from '../batches/job';
import { resultFile, resultFileName } from '../batches/resultFiles';
import { batchBody, cursorSeq, inlineErrors, isoSeconds, listBody, resultFileIds, resultsBody } from '../batches/shapes';

const PROVIDERS = ['openai', 'anthropic'] as const;
/** Spec HEAD (an earlier revision also listed /v1/embeddings and /v1/messages). */
const OPENAI_ENDPOINTS = ['/v1/responses', '/v1/chat/completions'];
/** Spec's enum, plus the first-phase words godo's fixtures and the console show (`batchFirstStatus`). */
const STATUSES = ['validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled', 'queued', 'awaiting_processing'];
const FILE_NAME = /^.+\.jsonl$/i;
const MIN_FILE_NAME = 7;
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

export function registerBatches(router: Router): void {
  router.add('POST', '/v1/batches/files', (ex, { state }) => {
    const body = requireJsonObject(ex.parsed);
    const fileName = requiredString(body, 'file_name');
    if (fileName.length < MIN_FILE_NAME || !FILE_NAME.test(fileName)) {
      throw invalidParam('file_name', `'file_name' must end with .jsonl (at least ${MIN_FILE_NAME} characters); got ${JSON.stringify(fileName)}.`);
    }
    const file = state.batchFiles.create(randomUUID(), fileName, ex.apiKey ?? '');
    const now = Date.now();
    ex.sendJson(201, {
      file_id: file.id,
      upload_url: uploadUrl(state, file.id, now),
      expires_at: isoSeconds(now + state.config.batchUrlTtlSeconds.upload * 1000),
    });
  });

  router.add('POST', '/v1/batches', (ex, { state }) => createBatch(ex, state));

  router.add('GET', '/v1/batches', (ex, { state }) => listBatches(ex, state));

  router.add('GET', '/v1/batches/:id', (ex, { state, params }) => {
    const job = ownBatch(state, params.id, ex);
    ex.sendJson(200, batchBody(job, viewBatch(job), state.config));
  });

  router.add('POST', '/v1/batches/:id/cancel', (ex, { state, params }) => {
    const job = ownBatch(state, params.id, ex);
    const refused = requestCancel(job);
    if (refused === 'terminal') {
      throw new HttpError(409, 'conflict', `Batch ${job.id} is ${viewBatch(job).status} and can no longer be cancelled.`);
    }
    if (refused === 'not-submitted') {
      throw new HttpError(409, 'conflict', `Batch ${job.id} has not been submitted to the provider yet (status ${viewBatch(job).status}): there is nothing to cancel.`);
    }
    ex.sendJson(200, batchBody(job, viewBatch(job), state.config));
  });

  router.add('GET', '/v1/batches/:id/results', (ex, { state, params }) => sendResults(ex, state, ownBatch(state, params.id, ex)));
}

function ownBatch(state: EmulatorState, id: string, ex: Exchange): BatchJob {
  const job = state.batches.get(id, ex.apiKey ?? '');
  if (!job) throw notFound(`batch ${id} not found`);
  return job;
}

function createBatch(ex: Exchange, state: EmulatorState): void {
  const body = requireJsonObject(ex.parsed);
  const key = ex.apiKey ?? '';
  const { config } = state;
  const fileId = requiredString(body, 'file_id');
  const provider = requiredEnum(body, 'provider', PROVIDERS) as Provider;
  const endpoint = batchEndpoint(body, provider);
  const completionWindow = requiredEnum(body, 'completion_window', ['24h']);
  const requestId = config.batchRequestId === 'required' ? requiredString(body, 'request_id') : optionalRequestId(body);
  const metadata = batchMetadata(body.metadata);

  const existing = requestId === null ? undefined : state.batches.replay(requestId, key);
  if (existing) {
    ex.sendJson(201, batchBody(existing, viewBatch(existing), config));
    return;
  }

  const file = state.batchFiles.get(fileId, key);
  if (!file) throw notFound(`file ${fileId} not found`);
  // Spec: "POST /v1/batches performs a HEAD check on the uploaded object and will reject the batch if this upload has not completed."
  if (file.content === null) throw new HttpError(400, 'bad_request', `The input file ${fileId} has not been uploaded: PUT it to its upload_url before creating the batch.`);
  const summary = readInputFile(file.content, file.size, file.tooLarge, provider, endpoint, config.batchLimits);
  if (summary.errors.length > 0 && config.batchValidation === 'at-create') {
    const more = summary.errors.length > 1 ? ` (and ${summary.errors.length - 1} more problem(s))` : '';
    throw invalidParam('file_id', `${summary.errors[0].message}${more}`, summary.errors[0].code);
  }

  const id = randomUUID();
  const context: LineContext = {
    endpoint: (endpoint ?? '/v1/messages') as LineEndpoint,
    config,
    findResponse: (responseId) => state.responses.find(key, responseId),
  };
  const planned: PlannedLine[] = summary.lines.map((line, index) => ({
    index,
    customId: line.customId,
    text: line.text,
    failure: checkLine(lineRequest(provider, line.text), line.text, context),
  }));
  const lines = processingOrder(planned, id);
  const job: BatchJob = {
    id,
    requestId,
    provider,
    endpoint,
    completionWindow,
    fileId,
    metadata,
    createdMs: Date.now(),
    timings: { ...config.batchTimings },
    outcome: config.batchOutcome,
    firstStatus: config.batchFirstStatus,
    validationErrors: summary.errors,
    lines,
    failuresBefore: prefixFailures(lines),
    context,
    cancelRequestedMs: null,
    outputFileId: randomUUID(),
    errorFileId: randomUUID(),
  };
  state.batches.add(job, key);
  ex.sendJson(201, batchBody(job, viewBatch(job, job.createdMs), config));
}

/** Spec: required for openai (one of two), omitted for anthropic. */
function batchEndpoint(body: Body, provider: Provider): string | null {
  if (provider === 'anthropic') {
    if (body.endpoint !== undefined && body.endpoint !== null) {
      throw invalidParam('endpoint', "'endpoint' must be omitted when 'provider' is anthropic.");
    }
    return null;
  }
  return requiredEnum(body, 'endpoint', OPENAI_ENDPOINTS);
}

function requiredEnum(body: Body, name: string, allowed: readonly string[]): string {
  requiredString(body, name);
  return optionalEnum(body, name, allowed) as string;
}

/** godo sends it `omitempty`: absent is fine, but a present one must be a usable key. */
function optionalRequestId(body: Body): string | null {
  const value = optionalString(body, 'request_id');
  if (value === '') throw invalidParam('request_id', "'request_id' must be a non-empty string when sent.");
  return value ?? null;
}

/** Spec: nullable, string values only. */
function batchMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw invalidParam('metadata', "'metadata' must be an object of strings.", 'invalid_type');
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw invalidParam(`metadata.${name}`, `'metadata.${name}' must be a string.`, 'invalid_type');
  }
  return { ...(value as Record<string, string>) };
}

function listBatches(ex: Exchange, state: EmulatorState): void {
  const { config } = state;
  const query = ex.url.searchParams;
  const limit = pageLimit(query.get('limit'));
  const status = query.get('status');
  if (status !== null && !STATUSES.includes(status)) throw invalidParam('status', `'status' must be one of ${STATUSES.join(', ')}; got ${JSON.stringify(status)}.`);
  const all = state.batches.list(ex.apiKey ?? '');
  const afterSeq = afterPosition(query.get('after'), all, config.batchListShape);
  const matching = all
    .filter(({ seq }) => afterSeq === undefined || seq < afterSeq)
    .map(({ job, seq }) => ({ job, seq, view: viewBatch(job) }))
    .filter(({ view }) => status === null || view.status === (status as BatchStatus));
  const page = matching.slice(0, limit).map(({ job, seq, view }) => ({ job, seq, body: batchBody(job, view, config) }));
  ex.sendJson(200, listBody(page, matching.length > limit, config));
}

function pageLimit(raw: string | null): number {
  if (raw === null) return DEFAULT_PAGE;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_PAGE) throw invalidParam('limit', `'limit' must be an integer between 1 and ${MAX_PAGE}; got ${JSON.stringify(raw)}.`);
  return limit;
}

/** Spec: `after` is the previous page's `last_id`; godo: its `endCursor`. */
function afterPosition(after: string | null, all: { job: BatchJob; seq: number }[], shape: 'spec' | 'godo'): number | undefined {
  if (after === null || after === '') return undefined;
  const seq = shape === 'godo' ? cursorSeq(after) : all.find(({ job }) => job.id === after)?.seq;
  if (seq === undefined || !all.some((entry) => entry.seq === seq)) {
    const what = shape === 'godo' ? 'a cursor (page_info.endCursor) of this list' : "the id of one of your batches (the previous page's last_id)";
    throw invalidParam('after', `'after' must be ${what}; got ${JSON.stringify(after)}.`);
  }
  return seq;
}

function sendResults(ex: Exchange, state: EmulatorState, job: BatchJob): void {
  const { config } = state;
  const view = viewBatch(job);
  if (!view.resultsReady) {
    if (config.batchResultsPending === 'unavailable' && config.batchResultsShape === 'spec') {
      ex.sendJson(200, { batch_id: job.id, result_available: false, output_file_url: null, error_file_url: null, expires_at: null });
      return;
    }
    throw new HttpError(412, 'precondition_failed', `Batch results are not yet available. Retry once the job has completed. (status: ${view.status})`);
  }
  const now = Date.now();
  const ttl = config.batchUrlTtlSeconds.download;
  const ids = resultFileIds(job, view, config);
  const link = (kind: 'output' | 'errors' | 'all'): string => {
    const name = resultFileName(job, kind);
    state.files.put(name, resultFile(job, view, kind));
    return `${state.mediaOrigin()}${presignedPath(state.signingKey, name, now, { expiresSeconds: ttl })}`;
  };
  const urls = {
    output: ids.output === null ? null : link(inlineErrors(config) ? 'all' : 'output'),
    errors: ids.errors === null ? null : link('errors'),
  };
  ex.sendJson(200, resultsBody(job, urls, now + ttl * 1000, config));
}
