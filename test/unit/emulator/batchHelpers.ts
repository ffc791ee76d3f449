/** Helpers for the batch emulator tests: the documented flow over real HTTP (files → PUT → create → poll → results). */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';
import { AUTH, postJson, readJson } from './helpers';

/** Fast phases so a whole batch runs in well under a second. */
export const FAST = { validatingMs: 40, inProgressMs: 120, finalizingMs: 40, cancellingMs: 40 };

/** One emulator per test file, reset to fast batch phases before each test; `use` receives it once started. */
export function withBatchEmulator(use: (emu: Emulator) => void, options: EmulatorOptions = {}): void {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(options);
    use(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.control.reset();
    emu.control.configure({ batchTimings: FAST });
  });
}

export const chatLine = (customId: string, text: string, extra: Record<string, unknown> = {}) => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model: 'openai-gpt-4o', messages: [{ role: 'user', content: text }], ...extra },
});

export const responsesLine = (customId: string, text: string) => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/responses',
  body: { model: 'openai-gpt-5.2', input: text },
});

export const anthropicLine = (customId: string, text: string, extra: Record<string, unknown> = {}) => ({
  custom_id: customId,
  params: { model: 'anthropic-claude-4.6-sonnet', max_tokens: 256, messages: [{ role: 'user', content: text }], ...extra },
});

export const jsonl = (lines: unknown[]): string => lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';

export async function fileIntent(emu: Emulator, fileName = 'requests.jsonl'): Promise<{ file_id: string; upload_url: string; expires_at: string }> {
  const res = await postJson(`${emu.url}/v1/batches/files`, { file_name: fileName });
  expect(res.status).toBe(201);
  return readJson(res);
}

/** Bytes, not a string: fetch would add `text/plain` to a string body, and `null` must send no Content-Type. */
export function put(url: string, body: string | Buffer, contentType: string | null = 'application/jsonl', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'PUT', headers: { ...(contentType === null ? {} : { 'content-type': contentType }), ...headers }, body: Buffer.from(body) });
}

/** A file intent with the JSONL uploaded; returns its file_id. */
export async function uploaded(emu: Emulator, content: string | Buffer): Promise<string> {
  const intent = await fileIntent(emu);
  const res = await put(intent.upload_url, content);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return intent.file_id;
}

export function createBatch(emu: Emulator, body: Record<string, unknown>, headers = AUTH): Promise<Response> {
  return postJson(`${emu.url}/v1/batches`, body, headers);
}

let requestCounter = 0;
export const openAiCreate = (fileId: string, extra: Record<string, unknown> = {}) => ({
  file_id: fileId,
  provider: 'openai',
  endpoint: '/v1/chat/completions',
  completion_window: '24h',
  request_id: `req-${++requestCounter}-${Date.now()}`,
  ...extra,
});

export const anthropicCreate = (fileId: string, extra: Record<string, unknown> = {}) => ({
  file_id: fileId,
  provider: 'anthropic',
  completion_window: '24h',
  request_id: `req-${++requestCounter}-${Date.now()}`,
  ...extra,
});

/** Uploads the lines and creates the batch; returns the 201 body. */
export async function submitBatch(emu: Emulator, lines: unknown[], create: (fileId: string) => Record<string, unknown> = openAiCreate): Promise<any> {
  const fileId = await uploaded(emu, jsonl(lines));
  const res = await createBatch(emu, create(fileId));
  expect(res.status).toBe(201);
  return readJson(res);
}

export const getBatch = async (emu: Emulator, id: string): Promise<any> => {
  const res = await fetch(`${emu.url}/v1/batches/${id}`, { headers: AUTH });
  expect(res.status).toBe(200);
  return readJson(res);
};

export const getResults = (emu: Emulator, id: string): Promise<Response> => fetch(`${emu.url}/v1/batches/${id}/results`, { headers: AUTH });

export const cancelBatch = (emu: Emulator, id: string): Promise<Response> => postJson(`${emu.url}/v1/batches/${id}/cancel`, {});

/** Polls GET /v1/batches/{id} until the status is one of `statuses`. */
export async function waitForStatus(emu: Emulator, id: string, statuses: string[], timeoutMs = 3000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await getBatch(emu, id);
    if (statuses.includes(batch.status)) return batch;
    if (['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) throw new Error(`batch ${id} ended ${batch.status}: ${JSON.stringify(batch.errors ?? null)}`);
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

/** Downloads a presigned result file (no key) and parses its lines. */
export async function downloadLines(url: string): Promise<any[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line));
}
