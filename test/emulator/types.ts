/** Public types of the emulator (re-exported by index.ts). Others code against these: keep them stable. */

export interface EmulatorOptions {
  /** 0 (default) = a random free port. The emulator always listens on 127.0.0.1 only. */
  port?: number;
  /** Accepted model access keys; default [DEFAULT_KEY]. */
  keys?: string[];
  /** Agent access keys, accepted only on POST /api/v1/chat/completions?agent=true; default [DEFAULT_AGENT_KEY]. */
  agentKeys?: string[];
}

export interface Emulator {
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** Closes the server and destroys every open socket (hanging requests included). */
  close(): Promise<void>;
  /** In-process access to the same state the HTTP control API uses. */
  control: EmulatorControl;
  /**
   * The second origin ("CDN", e.g. http://127.0.0.1:40124) serving job media at `/files/<name>`,
   * unauthenticated; requests carrying Authorization get 403 and are recorded. close() closes it too.
   */
  cdnUrl: string;
}

/** One request the CDN origin received. */
export interface CdnRequest {
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** 0 while the response is still being sent. */
  status: number;
}

export interface EmulatorControl {
  /** Deep-merges the patch into the current config. Throws on unknown keys or bad values. */
  configure(patch: EmulatorConfigPatch): void;
  /** Config back to defaults; clears request log, faults, counters, quota windows and prompt caches. */
  reset(): void;
  /** One-shot faults, each consumed by the next matching /v1 request, in order. */
  enqueueFaults(faults: Fault[]): void;
  requests(): LoggedRequest[];
  stats(): EmulatorStats;
  /** Every request the CDN origin received, in order (copies). */
  cdnRequests(): CdnRequest[];
  /**
   * Every job submission the emulator accepted (video + async-invoke), in order (copies); cleared by
   * reset(). A submission counts once its handler validated it, even if the client then saw a reset.
   */
  jobs(): JobSubmission[];
  /**
   * Every batch the emulator created (POST /v1/batches), in order (copies); cleared by reset(). A
   * create replayed with a known `request_id` adds nothing, so one entry per billable batch.
   */
  batches(): BatchRecord[];
}

/** One created batch (for "one batch per request_id" tests). */
export interface BatchRecord {
  /** `batch_id` (uuid). */
  id: string;
  /** The idempotency key sent at creation, or null when it was omitted (`batchRequestId: 'optional'`). */
  requestId: string | null;
  /** `keyFingerprint(key)` of the creating access key. */
  key: string;
  provider: 'openai' | 'anthropic';
  /** null for anthropic. */
  endpoint: string | null;
  fileId: string;
  /** Requests in the input file (0 when it failed validation). */
  lines: number;
  /** How many POST /v1/batches calls answered with this batch (1 + replays of its request_id). */
  creates: number;
  /** ms since the epoch. */
  createdAt: number;
}

export interface BatchTimings {
  /** How long a new batch stays in its first status (`batchFirstStatus`, `validating` by default). */
  validatingMs: number;
  /** Then `in_progress`: the lines are answered evenly over this time (request_counts grow). */
  inProgressMs: number;
  /** Then `finalizing` before `completed`. */
  finalizingMs: number;
  /** A cancel leaves the batch `cancelling` this long before `cancelled` (0: cancelled at once). */
  cancellingMs: number;
}

/** Lifetimes of the presigned links, in seconds (0: already expired when handed out). */
export interface BatchUrlTtl {
  /** `upload_url` of POST /v1/batches/files (spec: "typically valid for ~15 minutes"). */
  upload: number;
  /** `output_file_url` / `error_file_url` / `download.presigned_url` of GET …/results. */
  download: number;
}

/** Input-file limits (how-to: ≤ 200 MB, ≤ 50,000 lines; blog: 100,000 for Anthropic). */
export interface BatchLimits {
  maxFileBytes: number;
  openaiMaxLines: number;
  anthropicMaxLines: number;
}

/** One accepted job submission (for "exactly one submission per item" tests). */
export interface JobSubmission {
  kind: 'video' | 'async';
  /** `video_<uuid>` or the async-invoke `request_id`. */
  id: string;
  /** `keyFingerprint(key)` of the submitting access key (`sha256:<12 hex>`), never the raw key. */
  key: string;
  /** `model` (video) or `model_id` (async-invoke). */
  model: string;
  /** The prompt (video); `input.prompt` ?? `input.text` ?? the JSON input cut to 200 chars (async). */
  summary: string;
  /** ms since the epoch. */
  createdAt: number;
}

export interface VideoTimings {
  /** How long a new job stays `queued`. */
  queuedMs: number;
  /** Then how long it stays `processing` before `completed` / `failed`. */
  processingMs: number;
}

export interface AsyncTimings {
  /** How long a new request stays `QUEUED`. */
  queuedMs: number;
  /** Then how long it stays `IN_PROGRESS` before the terminal status. */
  runningMs: number;
}

export interface EmulatorStats {
  total: number;
  inFlight: number;
  maxInFlight: number;
  /** TCP connections the API origin accepted: fewer than `total` when clients keep connections alive. */
  connections: number;
}

export interface QuotaConfig {
  limit: number;
  windowMs: number;
  retryAfterSec: number;
}

/** How 429s say when to come back (§11.2): see `config.rateLimitHeaders`. */
export type RateLimitHeaders = 'documented' | 'observed';

export interface FaultRatio {
  status5xx: number;
  resetMidBody: number;
  truncateStream: number;
}

export interface EmulatorConfig {
  /** Added before the headers of every /v1 response. */
  latencyMs: number;
  /** Delay between SSE frames. */
  streamChunkDelayMs: number;
  /** Beyond `limit` requests per sliding window → 429 + retry-after. null = not enforced. */
  quota: QuotaConfig | null;
  /**
   * Rate-limit headers (§11.2): 'documented' = the `ratelimit-*` trio, and `retry-after` on a 429;
   * 'observed' = also the live-observed `x-ratelimit-*` family (requests, tokens per minute and per day,
   * resets as Go durations like `6m0s`) and a 429 WITHOUT `retry-after`.
   */
  rateLimitHeaders: RateLimitHeaders;
  /** Random faults, each a probability 0..1. */
  faultRatio: FaultRatio;
  /** Wait this long before sending headers. */
  slowHeadersMs: number;
  /** Body style of validation 400s. */
  errorStyle: 'do' | 'openai';
  /** Models the key may not use → 403 DO-style. */
  forbiddenModels: string[];
  /**
   * Stream format of /v1/responses (§4.3 CONFLICT): 'events' = OpenAI typed events with `event:` lines
   * (GODO), 'chunks' = `response.chunk` objects + `data: [DONE]` (OA/GPY).
   */
  responsesStreamFormat: 'events' | 'chunks';
  /** Append `data: [DONE]` to 'events' streams too (OpenAI does not; GODO tolerates it). */
  responsesStreamDone: boolean;
  /** Length of /v1/embeddings vectors (qwen3-embedding-0.6b really has 1024). */
  embeddingDimensions: number;
  /**
   * Longest text /v1/embeddings takes, in tokens (≈ chars/4); longer → 400 naming `input[i]`.
   * UNVERIFIED: DO documents no per-string limit; 32,768 is qwen3-embedding-0.6b's context.
   */
  embeddingMaxInputTokens: number;
  /** The model the agent endpoint answers with (reported as `model`); a chat model of the catalog. */
  agentModel: string;
  /**
   * /v1/images/generations without `n` or `size`: 'required' = 400 naming the field (S1 "always
   * specify n and size", OA marks n required); 'optional' = n 1 and size auto (S2's examples omit n).
   */
  imageNAndSize: 'required' | 'optional';
  /**
   * Chat bodies with both `max_tokens` and `max_completion_tokens` (no DO source says): 'accept' =
   * max_completion_tokens wins; 'reject' = 400 naming max_tokens (OpenAI's o-series behaviour).
   */
  bothMaxTokens: 'accept' | 'reject';
  /**
   * /v1/audio/speech reply (§7 CONFLICT-ish): 'binary' = raw audio with its Content-Type, chunked
   * (S0); 'json' = `{data:[{b64_json}]}` (DOTSDOC's variant).
   */
  speechResponse: 'binary' | 'json';
  /** Video job phases, fixed per job when it is submitted. */
  videoTimings: VideoTimings;
  /** A prompt containing this (non-empty) text makes the video job end `failed`. */
  videoFailPrompt: string;
  /**
   * `output` of a completed video job (§8 OPEN QUESTION): 'url' = the MP4's CDN URL as a string,
   * 'object' = `{url, expires_at}`, 'nested' = `{video: {url, content_type}}`, 'list' = `[url]`,
   * 'redirect' = a CDN URL that answers 302 (`videoRedirectHops` times) before a presigned-looking
   * link to the file, 'null' = S2's seed-exact `output: null` (client must use /content). Read when polled.
   */
  videoOutput: 'url' | 'object' | 'nested' | 'list' | 'redirect' | 'null';
  /**
   * GET /v1/video/generations/{id}/content (§8 OPEN QUESTION): 'stream' = the MP4 itself, 'redirect'
   * = 302 to a presigned-looking link on the CDN (after `videoRedirectHops - 1` more CDN redirects).
   */
  videoContent: 'stream' | 'redirect';
  /** Redirects before the presigned link, for 'redirect' output and content (1–10). */
  videoRedirectHops: number;
  /** Size of the MP4 (≥ 40), streamed in 64 KiB chunks; fixed per job at submission. */
  videoBytes: number;
  /**
   * Time after completion until the job and its media are purged (S0/S2: 2 h); fixed per job at
   * submission. `expires_at` in the body always says completed_at + 7200 s, as DO would.
   */
  videoExpiryMs: number;
  /** HTTP status of POST /v1/async-invoke (§9.1: OA 202, some deployments 200). */
  asyncInvokeStatus: 200 | 202;
  /** async-invoke phases, fixed per request when it is submitted. */
  asyncTimings: AsyncTimings;
  /** The success status word (§9.3 CONFLICT: S1 JSON/OA `COMPLETED`, S1 prose `COMPLETE`). Read when polled. */
  asyncCompletedWord: 'COMPLETED' | 'COMPLETE';
  /** `input.prompt` / `input.text` containing this (non-empty) text makes the request end `FAILED`. */
  asyncFailPrompt: string;
  /**
   * GET /v1/async-invoke/{id}/status (§9.2: documented only as giving `status`): 'progress' =
   * `{request_id, status}` only, 'full' = the whole record like GET /{id}, 'missing' = the route does
   * not exist (404 like any unknown route).
   */
  asyncStatusRoute: 'progress' | 'full' | 'missing';
  /**
   * Where a finished fal request's output puts its media (each fal model has its own schema):
   * 'fal' = the family's documented shape; 'nested' = `{result: {files: [{href, content_type}]}}`;
   * 'strings' = a list of URL strings (`{images: [url…]}` / `{audio: [url]}`); 'video' =
   * `{video: {url, content_type}}` (first file); 'inline' = the documented shape with base64 `data:`
   * URLs instead of links (fal's sync mode); 'no-media' = `{seed, note}` with the URL only inside the
   * `note` text (no media key). Read when the output is first made.
   */
  asyncOutputShape: 'fal' | 'nested' | 'strings' | 'video' | 'inline' | 'no-media';
  /**
   * Origin written into media URLs instead of the CDN's own (e.g. `http://localhost:<cdn port>`, or an
   * address nothing listens on such as `http://169.254.169.254`); null = the CDN origin. Read when a
   * URL is made.
   */
  mediaHost: string | null;
  /**
   * Replies of other OpenAI-compatible servers, and of DO's own older example (S1), that clients must
   * survive on /v1/chat/completions and the agent endpoint; none by default (see `ChatQuirk`).
   */
  chatQuirks: ChatQuirk[];
  /** Batch phases, fixed per batch when it is created. */
  batchTimings: BatchTimings;
  /**
   * How a batch that passed validation ends, fixed at creation: 'completed'; 'failed' (the provider
   * failed the whole batch at the end of `in_progress`: `errors`, no results); 'expired' (the 24 h
   * window ran out at the end of `in_progress`: half the lines answered, the rest expired lines).
   */
  batchOutcome: 'completed' | 'failed' | 'expired';
  /**
   * The word of the first phase: 'validating' (spec enum), 'queued' (godo's fixtures) or
   * 'awaiting_processing' (the console). Fixed at creation.
   */
  batchFirstStatus: 'validating' | 'queued' | 'awaiting_processing';
  /**
   * Where input-file problems surface: 'async' = the batch is created and ends `failed` with
   * `errors[{code, message, line}]` after the first phase (spec's `errors` example); 'at-create' =
   * POST /v1/batches answers 400 naming the first problem and creates nothing.
   */
  batchValidation: 'async' | 'at-create';
  /** `request_id` on POST /v1/batches: 'required' (spec) or 'optional' (godo's `omitempty`). */
  batchRequestId: 'required' | 'optional';
  /**
   * The batch object: 'spec' (`input_file_id`, `output_file_id`, `error_file_id`, `errors`,
   * `*_at` per phase) or 'godo' (`file_id`, `result_available`, `cancel_requested_at`, `updated_at`).
   */
  batchObjectShape: 'spec' | 'godo';
  /**
   * GET /v1/batches/{id}/results: 'spec' `{batch_id, result_available, output_file_url, error_file_url,
   * expires_at}` or 'godo' `{download: {presigned_url, expires_at}, output_file_id}` (one file: failed
   * lines are always inline then).
   */
  batchResultsShape: 'spec' | 'godo';
  /**
   * GET /v1/batches: 'spec' `{object: "list", data, first_id, last_id, has_more}` (`after` = a
   * batch_id) or 'godo' Relay `{edges: [{cursor, node}], page_info: {endCursor, hasNextPage}}`
   * (`after` = a cursor).
   */
  batchListShape: 'spec' | 'godo';
  /**
   * Results asked for before they exist (spec: either): '412' Precondition Failed, or 'unavailable' =
   * 200 `{result_available: false}` (spec results shape only; the godo shape always answers 412).
   */
  batchResultsPending: '412' | 'unavailable';
  /**
   * Where failed lines go (spec results shape): 'sidecar' = the error file (`error_file_url`, OpenAI's
   * way), 'inline' = the output file with the answered lines (Anthropic's way: one results file).
   */
  batchErrorLines: 'sidecar' | 'inline';
  /**
   * Content-Types the presigned PUT accepts (others: 403 SignatureDoesNotMatch): 'documented' =
   * application/octet-stream (spec), application/jsonl (the spec's first curl example),
   * application/x-ndjson (godo) or none; 'octet-stream' = only application/octet-stream or none (the
   * spec's warning that a custom value breaks the signature).
   */
  batchUploadContentTypes: 'documented' | 'octet-stream';
  batchUrlTtlSeconds: BatchUrlTtl;
  batchLimits: BatchLimits;
  /** A request line whose text contains this (non-empty) marker fails (a 500 from the provider); '' = never. */
  batchFailPrompt: string;
}

/**
 * 'null-tool-calls': `tool_calls: null` on every assistant message and delta without tool calls
 * (LiteLLM and vLLM do; langchainjs#8594, n8n#17522). 'empty-id-role': S1's example shape —
 * `"id": ""`, `"role": ""`, `message.audio: null`, top-level `service_tier: null`; streamed, every
 * chunk's id is "" and the first delta's role is "". 'no-stream-with-tools': `stream: true` together
 * with function tools → 400 naming `stream` (llama.cpp's "Cannot use tools with stream", n8n#13112).
 */
export type ChatQuirk = 'null-tool-calls' | 'empty-id-role' | 'no-stream-with-tools';

/**
 * What configure() accepts: Partial<EmulatorConfig>, widened so nested objects may be partial too
 * (`{ faultRatio: { status5xx: 1 } }`), since the merge is deep. Every Partial<EmulatorConfig> fits.
 */
export type EmulatorConfigPatch = {
  [K in keyof EmulatorConfig]?: K extends 'faultRatio'
    ? Partial<FaultRatio>
    : K extends 'quota'
      ? Partial<QuotaConfig> | null
      : K extends 'videoTimings'
        ? Partial<VideoTimings>
        : K extends 'asyncTimings'
          ? Partial<AsyncTimings>
          : K extends 'batchTimings'
            ? Partial<BatchTimings>
            : K extends 'batchUrlTtlSeconds'
              ? Partial<BatchUrlTtl>
              : K extends 'batchLimits'
                ? Partial<BatchLimits>
                : EmulatorConfig[K];
};

/**
 * Which requests may consume a fault; both conditions must hold (default: any /v1 request).
 * `path`: the pathname equals it. `bodyIncludes`: the raw request body text (as sent, JSON-escaped)
 * contains it — targets one logical request (e.g. item 42's unique prompt) among concurrent ones.
 */
export interface FaultTarget {
  path?: string;
  bodyIncludes?: string;
}

/**
 * Where a body fault cuts an SSE reply: after this many frames (negative: all but that many from the
 * end, so -1 stops just before the last frame). Default: about half, before the first completing frame.
 */
export interface FrameCut {
  frames?: number;
}

export type Fault = FaultTarget &
  (
    | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
    | { kind: 'reset-before-headers' }
    /** The 2xx headers go out (an SSE reply: before its first event), then the connection is reset. */
    | { kind: 'reset-after-headers' }
    | ({ kind: 'reset-mid-body' } & FrameCut)
    /** `afterFinish`: cut after the finish chunk(s), before the usage chunk and [DONE]. */
    | ({ kind: 'truncate-stream'; afterFinish?: boolean } & FrameCut)
    /**
     * SSE only: some chunks, then an error event and the end of the stream (JSON replies are unaffected).
     * Chat-style streams send `data: {"error": <error>}`; Responses events and Messages streams send
     * their own `event: error` frame built from <error> (see README).
     */
    | ({ kind: 'stream-error'; error?: Record<string, unknown> } & FrameCut)
    | { kind: 'slow-headers'; ms: number }
    | { kind: 'hang' }
  );

export interface LoggedRequest {
  id: string;
  /** When the request's headers arrived (ms since the epoch), before its body is read. */
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** Parsed JSON, raw text when the body is not JSON, null when there is no body. */
  body: unknown;
  /** Final status; 0 when the connection was reset or closed before the response completed. */
  status?: number;
  /**
   * When the status line and headers were written (ms since the epoch), i.e. after `latencyMs`; a stream's
   * first event goes out in the same tick. Set once the response is over; absent if none was written.
   */
  respondedAt?: number;
  /** When the response's last byte was handed to the socket (ms since the epoch); absent when it never completed. */
  endedAt?: number;
}
