/**
 * The path every /v1 (and agent /api/v1) request takes, in gateway order (S2: LB does auth, rate limits, validation):
 * log + count → read body → fault injection → latency → auth → quota → route handler.
 * Faults come first because they stand for infrastructure failures in front of the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault } from './types';
import type { EmulatorState } from './state';
import type { Router } from './router';
import { Exchange } from './exchange';
import { authScopeFor, authenticate, presentedKeys } from './auth';
import { parseBody, readRawBody } from './body';
import { HttpError, defaultErrorFor, doErrorBody, notFound } from './errors';
import { rollRandomFault } from './faults';
import { flattenHeaders, queryRecord } from './requestLog';
import { delay } from './util/delay';

export async function handleInference(req: IncomingMessage, res: ServerResponse, state: EmulatorState, router: Router): Promise<void> {
  const ex = new Exchange(req, res, () => state.config);
  const done = state.counters.arrive();
  const entry = state.log.add({
    id: ex.requestId,
    time: Date.now(),
    method: ex.method,
    path: ex.path,
    query: queryRecord(ex.url.searchParams),
    headers: flattenHeaders(req.headers),
    body: null,
  });
  res.once('finish', () => {
    entry.endedAt = Date.now();
  });
  res.once('close', () => {
    done();
    entry.status = res.writableFinished ? res.statusCode : 0;
    if (ex.respondedAt !== undefined) entry.respondedAt = ex.respondedAt;
  });
  const scope = authScopeFor(ex.path, state.keys, state.agentKeys);
  // Headers for anything answered before the quota check (faults, 401) show the window without using it.
  ex.rateLimitHeaders = state.limiter.peek(presentedKeys(req.headers, scope.allowXApiKey)[0] ?? '', state.config.quota, state.config.rateLimitHeaders);

  let rawBody: Buffer;
  try {
    rawBody = await readRawBody(req);
    ex.parsed = parseBody(rawBody);
    entry.body = ex.parsed.body;
  } catch (error) {
    if (error instanceof HttpError) {
      res.shouldKeepAlive = false;
      ex.sendError(error);
    }
    return; // otherwise the client went away mid-body
  }

  const fault = state.faults.take(ex.path, rawBody.toString('utf8')) ?? rollRandomFault(state.config.faultRatio, isStreamRequest(ex.parsed.body));
  if (fault && (await applyFaultBeforeHeaders(ex, fault))) return;

  await delay(state.config.latencyMs + state.config.slowHeadersMs);
  if (!ex.isOpen) return;

  try {
    ex.apiKey = authenticate(req.headers, scope.keys, scope.allowXApiKey);
    const quota = state.limiter.consume(ex.apiKey, state.config.quota, state.config.rateLimitHeaders);
    ex.rateLimitHeaders = quota.headers;
    if (!quota.allowed) throw new HttpError(429, 'too_many_requests', 'API rate limit exceeded.');
    const route = router.match(ex.method, ex.path);
    if (!route) throw notFound();
    await route.handler(ex, { state, params: route.params });
  } catch (error) {
    if (error instanceof HttpError) ex.sendError(error);
    else ex.sendError(new HttpError(500, 'server_error', `Unexpected server-side error: ${(error as Error).message}`));
  }
}

/** Returns true when the fault answered (or killed) the request. */
async function applyFaultBeforeHeaders(ex: Exchange, fault: Fault): Promise<boolean> {
  switch (fault.kind) {
    case 'hang':
      return true; // never answer; the socket closes when the client aborts or the emulator closes
    case 'reset-before-headers':
      ex.resetSocket();
      return true;
    case 'slow-headers':
      await delay(fault.ms);
      return !ex.isOpen;
    case 'status':
      sendStatusFault(ex, fault);
      return true;
    case 'reset-after-headers':
    case 'reset-mid-body':
    case 'truncate-stream':
    case 'stream-error':
      ex.bodyFault = fault;
      return false;
  }
}

function sendStatusFault(ex: Exchange, fault: Extract<Fault, { kind: 'status' }>): void {
  if (fault.status === 429) {
    ex.rateLimitHeaders = { ...ex.rateLimitHeaders, 'ratelimit-remaining': '0', 'x-ratelimit-remaining-requests': '0' };
  }
  for (const [name, value] of Object.entries(fault.headers ?? {})) ex.setHeader(name, value);
  const contentType = Object.entries(fault.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (typeof fault.body === 'string') {
    ex.sendBody(fault.status, contentType ?? 'text/plain; charset=utf-8', Buffer.from(fault.body));
    return;
  }
  if (fault.body !== undefined) {
    ex.sendJson(fault.status, fault.body);
    return;
  }
  const { id, message } = defaultErrorFor(fault.status);
  ex.sendJson(fault.status, doErrorBody(id, message, ex.requestId));
}

function isStreamRequest(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}
