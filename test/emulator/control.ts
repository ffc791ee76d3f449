/**
 * HTTP control API for processes that cannot import the emulator (e.g. real n8n in e2e):
 *   POST /__emulator/config  (patch)    GET /__emulator/config
 *   POST /__emulator/reset              POST /__emulator/faults  ({faults: Fault[]})
 *   GET  /__emulator/requests           GET  /__emulator/stats
 *   GET  /__emulator/cdn-requests       GET  /__emulator/jobs
 *   GET  /__emulator/batches
 * No auth; never logged; never counts toward quota, faults or stats.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './state';
import { parseBody, readRawBody } from './body';

export const CONTROL_PREFIX = '/__emulator/';

export async function handleControl(req: IncomingMessage, res: ServerResponse, state: EmulatorState, path: string): Promise<void> {
  const route = `${req.method ?? 'GET'} ${path}`;
  try {
    const parsed = parseBody(await readRawBody(req));
    if (parsed.jsonError !== null) return reply(res, 400, { error: `invalid JSON: ${parsed.jsonError}` });
    const body = parsed.body;
    switch (route) {
      case 'GET /__emulator/config':
        return reply(res, 200, state.config);
      case 'POST /__emulator/config':
        state.configure(body ?? {});
        return reply(res, 200, state.config);
      case 'POST /__emulator/reset':
        state.reset();
        return reply(res, 200, { ok: true });
      case 'POST /__emulator/faults': {
        const faults = (body as { faults?: unknown } | null)?.faults;
        state.faults.enqueue(faults);
        return reply(res, 200, { queued: state.faults.size() });
      }
      case 'GET /__emulator/requests':
        return reply(res, 200, state.log.list());
      case 'GET /__emulator/stats':
        return reply(res, 200, state.counters.snapshot());
      case 'GET /__emulator/cdn-requests':
        return reply(res, 200, state.cdnLog);
      case 'GET /__emulator/jobs':
        return reply(res, 200, state.submissions.list());
      case 'GET /__emulator/batches':
        return reply(res, 200, state.batches.records());
      default:
        return reply(res, 404, { error: `unknown control route ${route}` });
    }
  } catch (error) {
    reply(res, 400, { error: (error as Error).message });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length) });
  res.end(payload);
}
