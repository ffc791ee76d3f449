import { DEFAULT_KEY, type Emulator } from '../../emulator';
import { AUTH, UUID, postJson, readJson } from './helpers';
import {
  FAST,
  anthropicCreate,
  anthropicLine,
  cancelBatch,
  chatLine,
  downloadLines,
  fileIntent,
  getBatch,
  getResults,
  put,
  submitBatch,
  waitForStatus,
  withBatchEmulator,
} from './batchHelpers';

let emu: Emulator;
withBatchEmulator((started) => (emu = started), { keys: [DEFAULT_KEY, 'second-key'] });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const manyLines = (n: number, failEvery = 0) => Array.from({ length: n }, (_, i) => chatLine(`item-${i}`, failEvery && i % failEvery === 0 ? 'x __fail__' : `text ${i}`));

async function resultsOf(id: string): Promise<any> {
  const res = await getResults(emu, id);
  expect(res.status).toBe(200);
  return readJson(res);
}

describe('cancel', () => {
  it('409 while the batch is still in its first phase (not yet submitted to the provider)', async () => {
    emu.control.configure({ batchTimings: { validatingMs: 5000 } });
    const { batch_id } = await submitBatch(emu, manyLines(2));
    const res = await cancelBatch(emu, batch_id);
    expect(res.status).toBe(409);
    expect(await readJson(res)).toMatchObject({ id: 'conflict', message: expect.stringContaining('has not been submitted to the provider') });
    expect((await getBatch(emu, batch_id)).status).toBe('validating');
  });

  it('in_progress → cancelling → cancelled; lines answered before stay, the rest become cancelled lines', async () => {
    emu.control.configure({ batchTimings: { inProgressMs: 600, cancellingMs: 100 } });
    const lines = manyLines(40, 7);
    const { batch_id } = await submitBatch(emu, lines);
    await waitForStatus(emu, batch_id, ['in_progress']);
    await sleep(200);
    const res = await cancelBatch(emu, batch_id);
    expect(res.status).toBe(200);
    const cancelling = await readJson(res);
    expect(cancelling.status).toBe('cancelling');
    const answered = cancelling.request_counts.completed + cancelling.request_counts.failed;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(40);
    const again = await cancelBatch(emu, batch_id);
    expect(again.status).toBe(200);
    expect((await readJson(again)).status).toBe('cancelling');
    const early = await getResults(emu, batch_id);
    expect(early.status).toBe(412);
    await early.text();

    const done = await waitForStatus(emu, batch_id, ['cancelled']);
    expect(done.cancelled_at).toEqual(expect.any(String));
    expect(done.request_counts.total).toBe(40);
    expect(done.request_counts.completed).toBe(cancelling.request_counts.completed);
    expect(done.request_counts.completed + done.request_counts.failed).toBe(40);

    const results = await resultsOf(batch_id);
    const output = await downloadLines(results.output_file_url);
    const errors = await downloadLines(results.error_file_url);
    expect(output).toHaveLength(done.request_counts.completed);
    expect(errors).toHaveLength(done.request_counts.failed);
    expect(new Set([...output, ...errors].map((l) => l.custom_id)).size).toBe(40);
    const cancelled = errors.filter((l) => l.response === null);
    expect(cancelled.length).toBe(40 - answered);
    expect(cancelled[0].error).toEqual({ code: 'batch_cancelled', message: expect.any(String) });

    const late = await cancelBatch(emu, batch_id);
    expect(late.status).toBe(409);
    expect((await readJson(late)).message).toContain('is cancelled and can no longer be cancelled');
  });

  it('cancellingMs 0 cancels at once (godo fixture: status cancelled, cancel_requested_at set); Anthropic lines say canceled', async () => {
    emu.control.configure({ batchTimings: { inProgressMs: 5000, cancellingMs: 0 }, batchObjectShape: 'godo' });
    const { batch_id } = await submitBatch(emu, [anthropicLine('a', 'x'), anthropicLine('b', 'y')], anthropicCreate);
    await waitForStatus(emu, batch_id, ['in_progress']);
    const cancelled = await readJson(await cancelBatch(emu, batch_id));
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_requested_at: expect.any(String), result_available: true });
    const results = await resultsOf(batch_id);
    expect(await downloadLines(results.error_file_url)).toEqual(
      expect.arrayContaining([{ custom_id: 'a', result: { type: 'canceled' } }, { custom_id: 'b', result: { type: 'canceled' } }]),
    );
  });

  it('409 for a completed batch', async () => {
    const { batch_id } = await submitBatch(emu, manyLines(1));
    await waitForStatus(emu, batch_id, ['completed']);
    const res = await cancelBatch(emu, batch_id);
    expect(res.status).toBe(409);
    await res.text();
  });
});

describe('batchOutcome', () => {
  it("'failed': fails at the end of in_progress with errors, no results", async () => {
    emu.control.configure({ batchOutcome: 'failed' });
    const { batch_id } = await submitBatch(emu, manyLines(3));
    const done = await waitForStatus(emu, batch_id, ['failed', 'completed']);
    expect(done).toMatchObject({
      status: 'failed',
      errors: [{ code: 'batch_failed', message: expect.any(String), line: null }],
      failed_at: expect.any(String),
      output_file_id: null,
      error_file_id: null,
    });
    const res = await getResults(emu, batch_id);
    expect(res.status).toBe(412);
    expect((await readJson(res)).message).toContain('status: failed');
  });

  it("'expired': half the lines answered, the rest expired lines (OpenAI batch_expired, Anthropic expired)", async () => {
    emu.control.configure({ batchOutcome: 'expired' });
    const { batch_id } = await submitBatch(emu, manyLines(9));
    const done = await waitForStatus(emu, batch_id, ['expired', 'completed']);
    expect(done.status).toBe('expired');
    expect(done.request_counts).toEqual({ total: 9, completed: 4, failed: 5 });
    const results = await resultsOf(batch_id);
    expect(await downloadLines(results.output_file_url)).toHaveLength(4);
    const expired = await downloadLines(results.error_file_url);
    expect(expired).toHaveLength(5);
    expect(expired[0]).toEqual({ id: expect.stringMatching(/^batch_req_/), custom_id: expect.any(String), response: null, error: { code: 'batch_expired', message: expect.any(String) } });

    const anthropic = await submitBatch(emu, [anthropicLine('a', 'x'), anthropicLine('b', 'y')], anthropicCreate);
    await waitForStatus(emu, anthropic.batch_id, ['expired']);
    const lines = await downloadLines((await resultsOf(anthropic.batch_id)).error_file_url);
    expect(lines).toEqual([{ custom_id: expect.any(String), result: { type: 'expired' } }]);
  });
});

describe('batchFirstStatus', () => {
  it.each(['queued', 'awaiting_processing'] as const)('%s is the first word, then the spec statuses; the list filters on it', async (word) => {
    emu.control.configure({ batchFirstStatus: word, batchTimings: { validatingMs: 300 } });
    const created = await submitBatch(emu, manyLines(1));
    expect(created.status).toBe(word);
    const listed = await readJson(await fetch(`${emu.url}/v1/batches?status=${word}`, { headers: AUTH }));
    expect(listed.data.map((b: any) => b.batch_id)).toEqual([created.batch_id]);
    expect((await waitForStatus(emu, created.batch_id, ['completed'])).status).toBe('completed');
  });
});

describe('shapes', () => {
  it("batchObjectShape 'godo': godo's Batch fields", async () => {
    emu.control.configure({ batchObjectShape: 'godo' });
    const lines = [anthropicLine('a', 'x'), anthropicLine('b', 'y')];
    const created = await submitBatch(emu, lines, (fileId) => anthropicCreate(fileId, { request_id: 'postman-1776793316' }));
    expect(created).toEqual({
      batch_id: expect.stringMatching(UUID),
      cancel_requested_at: null,
      completion_window: '24h',
      created_at: expect.any(String),
      expires_at: expect.any(String),
      file_id: expect.stringMatching(UUID),
      provider: 'anthropic',
      request_counts: { total: 0, completed: 0, failed: 0 },
      request_id: 'postman-1776793316',
      result_available: false,
      status: 'validating',
      updated_at: created.created_at,
    });
    const done = await waitForStatus(emu, created.batch_id, ['completed']);
    expect(done).toMatchObject({ result_available: true, request_counts: { total: 2, completed: 2, failed: 0 } });
    expect(Date.parse(done.updated_at)).toBeGreaterThanOrEqual(Date.parse(done.created_at));
  });

  it("batchResultsShape 'godo': one presigned download with failed lines inline, provider-style output_file_id, 412 while pending", async () => {
    emu.control.configure({ batchResultsShape: 'godo', batchResultsPending: 'unavailable' });
    const { batch_id } = await submitBatch(emu, manyLines(4, 3));
    const pending = await getResults(emu, batch_id);
    expect(pending.status).toBe(412);
    await pending.text();
    await waitForStatus(emu, batch_id, ['completed']);
    const results = await resultsOf(batch_id);
    expect(results).toEqual({
      download: { presigned_url: expect.stringContaining(`${emu.cdnUrl}/signed/`), expires_at: expect.any(String) },
      output_file_id: expect.stringMatching(/^file-[0-9a-f]{32}$/),
    });
    const lines = await downloadLines(results.download.presigned_url);
    expect(lines).toHaveLength(4);
    expect(lines.filter((l) => l.response.status_code === 500).map((l) => l.custom_id).sort()).toEqual(['item-0', 'item-3']);

    const anthropic = await submitBatch(emu, [anthropicLine('a', 'x')], anthropicCreate);
    await waitForStatus(emu, anthropic.batch_id, ['completed']);
    expect((await resultsOf(anthropic.batch_id)).output_file_id).toMatch(/^msgbatch_[0-9a-f]{32}$/);
  });

  it("batchResultsPending 'unavailable': 200 {result_available: false} before completion", async () => {
    emu.control.configure({ batchResultsPending: 'unavailable' });
    const { batch_id } = await submitBatch(emu, manyLines(1));
    expect(await resultsOf(batch_id)).toEqual({ batch_id, result_available: false, output_file_url: null, error_file_url: null, expires_at: null });
  });

  it("batchErrorLines 'inline': one file with every line, no error file", async () => {
    emu.control.configure({ batchErrorLines: 'inline' });
    const { batch_id } = await submitBatch(emu, [anthropicLine('ok', 'x'), anthropicLine('bad', '__fail__')], anthropicCreate);
    const done = await waitForStatus(emu, batch_id, ['completed']);
    expect(done.error_file_id).toBeNull();
    expect(done.output_file_id).toMatch(UUID);
    const results = await resultsOf(batch_id);
    expect(results.error_file_url).toBeNull();
    const types = (await downloadLines(results.output_file_url)).map((l) => [l.custom_id, l.result.type]).sort();
    expect(types).toEqual([
      ['bad', 'errored'],
      ['ok', 'succeeded'],
    ]);
  });

  it('leaves output_file_url / output_file_id null when no line succeeded (sidecar)', async () => {
    const { batch_id } = await submitBatch(emu, [chatLine('a', '__fail__')]);
    const done = await waitForStatus(emu, batch_id, ['completed']);
    expect(done.output_file_id).toBeNull();
    const results = await resultsOf(batch_id);
    expect(results.output_file_url).toBeNull();
    expect(await downloadLines(results.error_file_url)).toHaveLength(1);
  });
});

describe('GET /v1/batches', () => {
  let created = 0;
  async function createMany(n: number, headers = AUTH): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const intent = await readJson(await postJson(`${emu.url}/v1/batches/files`, { file_name: 'x.jsonl' }, headers));
      await (await put(intent.upload_url, `${JSON.stringify(chatLine(`l${i}`, 'x'))}\n`)).text();
      const res = await postJson(`${emu.url}/v1/batches`, { file_id: intent.file_id, provider: 'openai', endpoint: '/v1/chat/completions', completion_window: '24h', request_id: `list-${++created}` }, headers);
      ids.push((await readJson(res)).batch_id);
    }
    return ids;
  }
  const list = async (query: string): Promise<any> => {
    const res = await fetch(`${emu.url}/v1/batches${query}`, { headers: AUTH });
    expect(res.status).toBe(200);
    return readJson(res);
  };

  it('lists the key’s batches newest first, 20 by default, paged with after = last_id (spec shape)', async () => {
    const ids = (await createMany(23)).reverse();
    await createMany(1, { authorization: 'Bearer second-key', 'content-type': 'application/json' });
    const first = await list('');
    expect(first).toMatchObject({ object: 'list', first_id: ids[0], last_id: ids[19], has_more: true });
    expect(first.data.map((b: any) => b.batch_id)).toEqual(ids.slice(0, 20));
    const second = await list(`?after=${first.last_id}&limit=20`);
    expect(second.data.map((b: any) => b.batch_id)).toEqual(ids.slice(20));
    expect(second).toMatchObject({ has_more: false, first_id: ids[20], last_id: ids[22] });
    const empty = await list(`?after=${ids[22]}`);
    expect(empty).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });

  it("pages by cursor with batchListShape 'godo'", async () => {
    emu.control.configure({ batchListShape: 'godo' });
    const ids = (await createMany(5)).reverse();
    const first = await list('?limit=2');
    expect(first).toEqual({
      edges: [
        { cursor: expect.any(String), node: expect.objectContaining({ batch_id: ids[0] }) },
        { cursor: expect.any(String), node: expect.objectContaining({ batch_id: ids[1] }) },
      ],
      page_info: { endCursor: first.edges[1].cursor, hasNextPage: true },
    });
    expect(JSON.parse(Buffer.from(first.page_info.endCursor, 'base64').toString())).toEqual({ c: expect.any(String), i: expect.any(Number) });
    const collected: string[] = first.edges.map((e: any) => e.node.batch_id);
    let page = first;
    while (page.page_info.hasNextPage) {
      page = await list(`?limit=2&after=${encodeURIComponent(page.page_info.endCursor)}`);
      collected.push(...page.edges.map((e: any) => e.node.batch_id));
    }
    expect(collected).toEqual(ids);
    const bad = await fetch(`${emu.url}/v1/batches?after=${ids[0]}`, { headers: AUTH });
    expect(bad.status).toBe(400); // a batch id is not a cursor
    await bad.text();
  });

  it('filters by status', async () => {
    emu.control.configure({ batchTimings: { validatingMs: 5000 } });
    const [slow] = await createMany(1);
    emu.control.configure({ batchTimings: FAST });
    const [fast] = await createMany(1);
    await waitForStatus(emu, fast, ['completed']);
    expect((await list('?status=completed')).data.map((b: any) => b.batch_id)).toEqual([fast]);
    expect((await list('?status=validating')).data.map((b: any) => b.batch_id)).toEqual([slow]);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?limit=abc', 'limit'],
    ['?status=done', 'status'],
    ['?after=0e9d1d35-3d1e-4d66-9a2f-8c7e0f6b3e21', 'after'],
  ])('400 for %s naming %s', async (query, param) => {
    const res = await fetch(`${emu.url}/v1/batches${query}`, { headers: AUTH });
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toContain(`'${param}'`);
  });
});

describe('links', () => {
  it('download links expire (batchUrlTtlSeconds.download); asking for the results again gives fresh ones', async () => {
    const { batch_id } = await submitBatch(emu, manyLines(2));
    await waitForStatus(emu, batch_id, ['completed']);
    emu.control.configure({ batchUrlTtlSeconds: { download: 0 } });
    const stale = await resultsOf(batch_id);
    const refused = await fetch(stale.output_file_url);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Request has expired');
    emu.control.configure({ batchUrlTtlSeconds: { download: 3600 } });
    expect(await downloadLines((await resultsOf(batch_id)).output_file_url)).toHaveLength(2);
  });

  it('puts upload and download links on mediaHost when set', async () => {
    emu.control.configure({ mediaHost: 'http://localhost:9' });
    const intent = await fileIntent(emu);
    expect(intent.upload_url.startsWith('http://localhost:9/uploads/')).toBe(true);
    await (await put(intent.upload_url.replace('http://localhost:9', emu.cdnUrl), `${JSON.stringify(chatLine('a', 'x'))}\n`)).text();
    const created = await readJson(await postJson(`${emu.url}/v1/batches`, { file_id: intent.file_id, provider: 'openai', endpoint: '/v1/chat/completions', completion_window: '24h', request_id: 'mh' }));
    await waitForStatus(emu, created.batch_id, ['completed']);
    expect((await resultsOf(created.batch_id)).output_file_url.startsWith('http://localhost:9/signed/')).toBe(true);
  });

  it("batchUploadContentTypes 'octet-stream': only application/octet-stream or no Content-Type", async () => {
    emu.control.configure({ batchUploadContentTypes: 'octet-stream' });
    const intent = await fileIntent(emu);
    const body = `${JSON.stringify(chatLine('a', 'x'))}\n`;
    for (const type of ['application/jsonl', 'application/x-ndjson']) {
      const res = await put(intent.upload_url, body, type);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('SignatureDoesNotMatch');
    }
    for (const type of ['application/octet-stream', null]) {
      const res = await put(intent.upload_url, body, type);
      expect(res.status).toBe(200);
      await res.text();
    }
  });
});

describe('config', () => {
  it.each([
    [{ batchOutcome: 'done' }],
    [{ batchTimings: { validatingMs: -1 } }],
    [{ batchTimings: { pendingMs: 1 } }],
    [{ batchLimits: { maxFileBytes: 0 } }],
    [{ batchLimits: { maxLines: 5 } }],
    [{ batchUrlTtlSeconds: { upload: 'soon' } }],
    [{ batchListShape: 'relay' }],
    [{ batchFailPrompt: 3 }],
  ])('refuses %j', (patch) => {
    expect(() => emu.control.configure(patch as never)).toThrow();
  });

  it('merges partial nested patches and resets to the defaults', async () => {
    const config = async () => readJson(await fetch(`${emu.url}/__emulator/config`));
    emu.control.configure({ batchLimits: { openaiMaxLines: 5 }, batchUrlTtlSeconds: { download: 60 } });
    expect(await config()).toMatchObject({
      batchLimits: { maxFileBytes: 200_000_000, openaiMaxLines: 5, anthropicMaxLines: 100_000 },
      batchUrlTtlSeconds: { upload: 900, download: 60 },
      batchTimings: FAST,
    });
    emu.control.reset();
    expect(await config()).toMatchObject({
      batchTimings: { validatingMs: 200, inProgressMs: 1000, finalizingMs: 200, cancellingMs: 200 },
      batchLimits: { openaiMaxLines: 50_000 },
      batchUrlTtlSeconds: { download: 3600 },
      batchOutcome: 'completed',
      batchFailPrompt: '__fail__',
    });
  });
});
