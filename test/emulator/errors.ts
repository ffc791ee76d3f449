/**
 * Error bodies. DO style `{id, message, request_id}` is what OA documents for every status (§11.1);
 * the OpenAI style `{error:{message,type,param,code}}` is UNVERIFIED on DO and only used for
 * validation 400s when `errorStyle: 'openai'`. /v1/messages answers its validation 400s in the
 * Anthropic envelope whatever the errorStyle (§5.4).
 */

const DEFAULT_ERRORS: Record<number, { id: string; message: string }> = {
  400: { id: 'bad_request', message: 'The request was invalid.' },
  401: { id: 'unauthorized', message: 'Unable to authenticate you.' },
  403: { id: 'forbidden', message: 'You do not have access for the attempted action.' },
  404: { id: 'not_found', message: 'The resource you were accessing could not be found.' },
  405: { id: 'method_not_allowed', message: 'Method not allowed.' },
  408: { id: 'request_timeout', message: 'The request timed out.' },
  409: { id: 'conflict', message: 'The request conflicts with the current state of the resource.' },
  413: { id: 'payload_too_large', message: 'The request body is too large.' },
  422: { id: 'unprocessable_entity', message: 'The request could not be processed.' },
  429: { id: 'too_many_requests', message: 'API rate limit exceeded.' },
  500: { id: 'server_error', message: 'Unexpected server-side error' },
  502: { id: 'bad_gateway', message: 'Bad gateway.' },
  503: { id: 'service_unavailable', message: 'The service is temporarily unavailable.' },
  504: { id: 'gateway_timeout', message: 'The upstream server timed out.' },
};

export function defaultErrorFor(status: number): { id: string; message: string } {
  const known = DEFAULT_ERRORS[status];
  if (known) return known;
  return status >= 500
    ? { id: 'server_error', message: 'Unexpected server-side error' }
    : { id: 'bad_request', message: 'The request was invalid.' };
}

export function doErrorBody(id: string, message: string, requestId: string): Record<string, string> {
  return { id, message, request_id: requestId };
}

export function openAiErrorBody(message: string, param: string | null, code: string | null) {
  return { error: { message, type: 'invalid_request_error', param, code } };
}

/** /v1/messages validation 400s (§5.4, OA `messages_create_error_response.yml`). */
export function anthropicErrorBody(message: string) {
  return { type: 'error', error: { type: 'invalid_request_error', message } };
}

/** Thrown by route handlers; the pipeline turns it into a response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    /** Validation errors follow `config.errorStyle`; others are always DO style. */
    readonly validation?: { param: string | null; code: string },
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 400 that names the offending parameter. */
export function invalidParam(param: string | null, message: string, code = 'invalid_value'): HttpError {
  return new HttpError(400, 'bad_request', message, { param, code });
}

export function notFound(message: string = DEFAULT_ERRORS[404].message): HttpError {
  return new HttpError(404, 'not_found', message);
}

export function forbidden(): HttpError {
  return new HttpError(403, 'forbidden', DEFAULT_ERRORS[403].message);
}

export function unauthorized(): HttpError {
  return new HttpError(401, 'unauthorized', DEFAULT_ERRORS[401].message);
}
