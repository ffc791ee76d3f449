/**
 * Result lines in the provider's native format (how-to: results follow the provider's batch format).
 * OpenAI Batch output/error lines: `{id, custom_id, response: {status_code, request_id, body} | null,
 * error: {code, message} | null}` — an HTTP failure has a response with status ≥ 400 and error null; a
 * request never run (expired, cancelled) has response null and an error. Anthropic Message Batches
 * results: `{custom_id, result: {type: succeeded, message} | {type: errored, error: {type: "error",
 * error: {type, message}}} | {type: canceled} | {type: expired}}`.
 */
import type { LineFailure } from './answers';
import type { Provider } from './inputFile';

export type Unprocessed = 'expired' | 'cancelled';

/** Per-line ids (hex), fixed so a re-download gives the same bytes. */
export interface LineIds {
  id: string;
  requestId: string;
}

/** OpenAI's `error.type` per status (its API reference). */
function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Anthropic's error types (its Errors page). */
function anthropicErrorType(status: number): string {
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export function successLine(provider: Provider, customId: string, ids: LineIds, body: unknown): string {
  if (provider === 'anthropic') return JSON.stringify({ custom_id: customId, result: { type: 'succeeded', message: body } });
  return JSON.stringify({
    id: `batch_req_${ids.id}`,
    custom_id: customId,
    response: { status_code: 200, request_id: ids.requestId, body },
    error: null,
  });
}

export function failureLine(provider: Provider, customId: string, ids: LineIds, failure: LineFailure): string {
  if (provider === 'anthropic') {
    const error = { type: 'error', error: { type: anthropicErrorType(failure.status), message: failure.message } };
    return JSON.stringify({ custom_id: customId, result: { type: 'errored', error } });
  }
  const error = { message: failure.message, type: openAiErrorType(failure.status), param: failure.param, code: failure.code };
  return JSON.stringify({
    id: `batch_req_${ids.id}`,
    custom_id: customId,
    response: { status_code: failure.status, request_id: ids.requestId, body: { error } },
    error: null,
  });
}

const UNPROCESSED_ERRORS: Record<Unprocessed, { code: string; message: string }> = {
  expired: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
  cancelled: { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' },
};

export function unprocessedLine(provider: Provider, customId: string, ids: LineIds, why: Unprocessed): string {
  // Anthropic spells it "canceled".
  if (provider === 'anthropic') return JSON.stringify({ custom_id: customId, result: { type: why === 'cancelled' ? 'canceled' : 'expired' } });
  return JSON.stringify({ id: `batch_req_${ids.id}`, custom_id: customId, response: null, error: UNPROCESSED_ERRORS[why] });
}
