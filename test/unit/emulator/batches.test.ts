import { startEmulator, DEFAULT_KEY, type Emulator } from '../../emulator';
import { AUTH, UUID, postJson, readJson, readUntilReset } from './helpers';
import {
  FAST,
  anthropicCreate,
  anthropicLine,
  chatLine,
  createBatch,
  downloadLines,
  fileIntent,
  getBatch,
  getResults,
  jsonl,
  openAiCreate,
  put,
  responsesLine,
  submitBatch,
  uploaded,
  waitForStatus,
  withBatchEmulator,
} from './batchHelpers';

let emu: Emulator;
withBatchEmulator((started) => (emu = started));

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('POST /v1/batches/files', () => {
  it('answers 201 with a file_id and a presigned PUT link on the media host, valid ~15 minutes', async () => {
    const before = Date.now();
    const intent = await fileIntent(emu, 'batch_requests.jsonl');
    expect(intent.file_id).toMatch(UUID);
    const url = new URL(intent.upload_url);
    expect(url.origin).toBe(emu.cdnUrl);
    expect(url.pathname).toBe(`/uploads/${intent.file_id}.jsonl`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(intent.expires_at).toMatch(ISO_SECONDS);
    const lifetime = Date.parse(intent.expires_at) - before;
    expect(lifetime).toBeGreaterThan(898_000);
    expect(lifetime).toBeLessThanOrEqual(901_000);
  });

  it.each([[{}], [{ file_name: '' }], [{ file_name: 'requests.json' }], [{ file_name: '.jsonl' }], [{ file_name: 42 }]])(
    '400 naming file_name for %j',
    async (body) => {
      const res = await postJson(`${emu.url}/v1/batches/files`, body);
      expect(res.status).toBe(400);
      expect((await readJson(res)).message).toContain("'file_name'");
    },
  );

  it('takes the extension in any case, and needs the model key', async () => {
    expect((await fileIntent(emu, 'UPPER.JSONL')).file_id).toMatch(UUID);
    const res = await postJson(`${emu.url}/v1/batches/files`, { file_name: 'a.jsonl' }, { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    await res.text();
  });
});

describe('PUT <upload_url> (media host)', () => {
  const content = jsonl([chatLine('a', 'hi')]);

  it.each(['application/octet-stream', 'application/jsonl', 'application/x-ndjson', null])('accepts Content-Type %s with 200 and an ETag', async (type) => {
    const intent = await fileIntent(emu);
    const res = await put(intent.upload_url, content, type);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    await res.text();
  });

  it('refuses an Authorization header (403, file not stored), and records it', async () => {
    const intent = await fileIntent(emu);
    const res = await put(intent.upload_url, content, 'application/jsonl', { authorization: `Bearer ${DEFAULT_KEY}` });
    expect(res.status).toBe(403);
    await res.text();
    const create = await createBatch(emu, openAiCreate(intent.file_id));
    expect(create.status).toBe(400);
    expect((await readJson(create)).message).toContain('has not been uploaded');
    const [upload] = emu.control.cdnRequests();
    expect(upload).toMatchObject({ path: `/uploads/${intent.file_id}.jsonl`, status: 403 });
    expect(upload.headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
  });

  it('answers 403 SignatureDoesNotMatch for a Content-Type the link was not signed for, or a tampered link', async () => {
    const intent = await fileIntent(emu);
    const wrongType = await put(intent.upload_url, content, 'text/plain');
    expect(wrongType.status).toBe(403);
    expect(await wrongType.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const tampered = intent.upload_url.replace(/X-Amz-Signature=./, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
    const bad = await put(tampered, content);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('SignatureDoesNotMatch');
  });

  it('answers 403 AccessDenied once the link expired (batchUrlTtlSeconds.upload)', async () => {
    emu.control.configure({ batchUrlTtlSeconds: { upload: 0 } });
    const intent = await fileIntent(emu);
    const res = await put(intent.upload_url, content);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Message>Request has expired</Message>');
  });

  it('takes only PUT there', async () => {
    const intent = await fileIntent(emu);
    const res = await fetch(intent.upload_url);
    expect(res.status).toBe(405);
    await res.text();
  });

  it('keeps the last complete upload (a second PUT replaces the first)', async () => {
    const intent = await fileIntent(emu);
    await (await put(intent.upload_url, jsonl([chatLine('first', 'one')]))).text();
    await (await put(intent.upload_url, jsonl([chatLine('second', 'two'), chatLine('third', 'three')]))).text();
    const res = await createBatch(emu, openAiCreate(intent.file_id));
    expect(res.status).toBe(201);
    const done = await waitForStatus(emu, (await readJson(res)).batch_id, ['completed']);
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
  });
});

describe('the whole flow, OpenAI chat completions', () => {
  const lines = Array.from({ length: 12 }, (_, i) => chatLine(`item-${i}`, i === 5 ? 'this one should __fail__' : `product ${i}`));

  it('creates (201, spec batch object), runs validating → in_progress → finalizing → completed, then serves results', async () => {
    const created = await submitBatch(emu, lines, (fileId) => openAiCreate(fileId, { request_id: 'nightly-1', metadata: { team: 'seo' } }));
    expect(created).toEqual({
      batch_id: expect.stringMatching(UUID),
      status: 'validating',
      provider: 'openai',
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      input_file_id: expect.stringMatching(UUID),
      output_file_id: null,
      error_file_id: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      request_id: 'nightly-1',
      metadata: { team: 'seo' },
      errors: null,
      created_at: expect.stringMatching(ISO_SECONDS),
      in_progress_at: null,
      finalizing_at: null,
      completed_at: null,
      expires_at: expect.stringMatching(ISO_SECONDS),
      cancelled_at: null,
      failed_at: null,
    });
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(24 * 3600 * 1000);

    const seen = new Set<string>();
    const counts: number[] = [];
    let batch = created;
    while (batch.status !== 'completed') {
      seen.add(batch.status);
      if (batch.status === 'in_progress') counts.push(batch.request_counts.completed + batch.request_counts.failed);
      const early = await getResults(emu, created.batch_id);
      expect(early.status).toBe(412);
      expect(await readJson(early)).toMatchObject({ id: 'precondition_failed', message: expect.stringContaining('not yet available') });
      await new Promise((r) => setTimeout(r, 5));
      batch = await getBatch(emu, created.batch_id);
    }
    expect([...seen]).toEqual(['validating', 'in_progress', 'finalizing']);
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // progress never goes back
    expect(batch).toMatchObject({
      request_counts: { total: 12, completed: 11, failed: 1 },
      output_file_id: expect.stringMatching(UUID),
      error_file_id: expect.stringMatching(UUID),
      in_progress_at: expect.stringMatching(ISO_SECONDS),
      finalizing_at: expect.stringMatching(ISO_SECONDS),
      completed_at: expect.stringMatching(ISO_SECONDS),
    });

    const res = await getResults(emu, created.batch_id);
    expect(res.status).toBe(200);
    const results = await readJson(res);
    expect(results).toEqual({
      batch_id: created.batch_id,
      result_available: true,
      output_file_url: expect.stringContaining(`${emu.cdnUrl}/signed/`),
      error_file_url: expect.stringContaining(`${emu.cdnUrl}/signed/`),
      expires_at: expect.stringMatching(ISO_SECONDS),
    });

    const output = await downloadLines(results.output_file_url);
    expect(output).toHaveLength(11);
    const ids = output.map((line) => line.custom_id);
    expect(new Set(ids)).toEqual(new Set(lines.map((l) => l.custom_id).filter((id) => id !== 'item-5')));
    expect(ids).not.toEqual([...ids].sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))); // not input order
    for (const line of output) {
      const n = line.custom_id.slice('item-'.length);
      expect(line).toEqual({
        id: expect.stringMatching(/^batch_req_[0-9a-f]{32}$/),
        custom_id: line.custom_id,
        response: { status_code: 200, request_id: expect.stringMatching(/^[0-9a-f]{32}$/), body: expect.any(Object) },
        error: null,
      });
      expect(line.response.body).toMatchObject({
        object: 'chat.completion',
        model: 'openai-gpt-4o',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `Echo: product ${n}` } }],
        usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
      });
    }

    const errors = await downloadLines(results.error_file_url);
    expect(errors).toEqual([
      {
        id: expect.stringMatching(/^batch_req_/),
        custom_id: 'item-5',
        response: {
          status_code: 500,
          request_id: expect.any(String),
          body: { error: { message: expect.stringContaining('emulated failure'), type: 'server_error', param: null, code: null } },
        },
        error: null,
      },
    ]);
  });

  it('serves the same bytes on every download, with an exact Content-Length, and never with the key', async () => {
    const { batch_id } = await submitBatch(emu, lines);
    await waitForStatus(emu, batch_id, ['completed']);
    const first = await readJson(await getResults(emu, batch_id));
    const second = await readJson(await getResults(emu, batch_id));
    const a = await fetch(first.output_file_url);
    const bodyA = Buffer.from(await a.arrayBuffer());
    expect(Number(a.headers.get('content-length'))).toBe(bodyA.length);
    const bodyB = Buffer.from(await (await fetch(second.output_file_url)).arrayBuffer());
    expect(bodyB.equals(bodyA)).toBe(true);

    const withKey = await fetch(first.output_file_url, { headers: { authorization: `Bearer ${DEFAULT_KEY}` } });
    expect(withKey.status).toBe(403);
    await withKey.text();
    const keyed = emu.control.cdnRequests().filter((r) => r.headers.authorization !== undefined);
    expect(keyed).toHaveLength(1);
  });

  it('streams a results file of many 64 KiB writes with an exact Content-Length (3,000 lines, ~2 MB)', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => chatLine(`line-${i}`, `${i} ${'words '.repeat(60)}`));
    const { batch_id } = await submitBatch(emu, many);
    await waitForStatus(emu, batch_id, ['completed']);
    const res = await fetch((await readJson(await getResults(emu, batch_id))).output_file_url);
    const length = Number(res.headers.get('content-length'));
    expect(length).toBeGreaterThan(2_000_000);
    let received = 0;
    let reads = 0;
    const text: string[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      reads += 1;
      text.push(Buffer.from(chunk).toString('latin1'));
    }
    expect(received).toBe(length);
    expect(reads).toBeGreaterThan(10);
    const ids = text.join('').trimEnd().split('\n').map((line) => JSON.parse(line).custom_id);
    expect(new Set(ids).size).toBe(3000);
  });

  it('answers 404 for an unknown batch', async () => {
    const unknown = await fetch(`${emu.url}/v1/batches/0e9d1d35-3d1e-4d66-9a2f-8c7e0f6b3e21`, { headers: AUTH });
    expect(unknown.status).toBe(404);
    await unknown.text();
  });
});

describe('the whole flow, other endpoints', () => {
  it('answers /v1/responses lines with response objects', async () => {
    const { batch_id } = await submitBatch(emu, [responsesLine('r-1', 'summarize this'), responsesLine('r-2', 'classify that')], (fileId) =>
      openAiCreate(fileId, { endpoint: '/v1/responses' }),
    );
    await waitForStatus(emu, batch_id, ['completed']);
    const results = await readJson(await getResults(emu, batch_id));
    expect(results.error_file_url).toBeNull();
    const output = await downloadLines(results.output_file_url);
    const byId = Object.fromEntries(output.map((line) => [line.custom_id, line.response.body]));
    expect(byId['r-1']).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'openai-gpt-5.2',
      output: [expect.objectContaining({ type: 'message', content: [expect.objectContaining({ type: 'output_text', text: 'Echo: summarize this' })] })],
      usage: expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) }),
    });
    expect(byId['r-2'].output[0].content[0].text).toBe('Echo: classify that');
  });

  it('answers Anthropic {custom_id, params} lines with Message Batches results (errored ones in the error file)', async () => {
    const lines = [anthropicLine('a-1', 'first'), anthropicLine('a-2', 'second __fail__'), anthropicLine('a-3', 'third')];
    const created = await submitBatch(emu, lines, (fileId) => anthropicCreate(fileId, { metadata: { dataset: 'prompts_v1' } }));
    expect(created).not.toHaveProperty('endpoint');
    const done = await waitForStatus(emu, created.batch_id, ['completed']);
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    const results = await readJson(await getResults(emu, created.batch_id));
    const output = await downloadLines(results.output_file_url);
    expect(output.map((line) => line.custom_id).sort()).toEqual(['a-1', 'a-3']);
    for (const line of output) {
      expect(line).toEqual({ custom_id: line.custom_id, result: { type: 'succeeded', message: expect.any(Object) } });
      expect(line.result.message).toMatchObject({
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        role: 'assistant',
        model: 'anthropic-claude-4.6-sonnet',
        content: [{ type: 'text', text: line.custom_id === 'a-1' ? 'Echo: first' : 'Echo: third' }],
        stop_reason: 'end_turn',
        usage: expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) }),
      });
    }
    expect(await downloadLines(results.error_file_url)).toEqual([
      { custom_id: 'a-2', result: { type: 'errored', error: { type: 'error', error: { type: 'api_error', message: expect.stringContaining('emulated failure') } } } },
    ]);
  });
});

describe('idempotent request_id', () => {
  it('returns the existing batch for a repeated request_id (even with a new file), creating nothing', async () => {
    const first = await submitBatch(emu, [chatLine('a', 'x')], (fileId) => openAiCreate(fileId, { request_id: 'same-key' }));
    const otherFile = await uploaded(emu, jsonl([chatLine('b', 'y')]));
    const again = await createBatch(emu, openAiCreate(otherFile, { request_id: 'same-key' }));
    expect(again.status).toBe(201);
    expect((await readJson(again)).batch_id).toBe(first.batch_id);
    const records = emu.control.batches();
    expect(records).toEqual([expect.objectContaining({ id: first.batch_id, requestId: 'same-key', creates: 2, lines: 1, key: expect.stringMatching(/^sha256:/) })]);
    const creates = emu.control.requests().filter((r) => r.method === 'POST' && r.path === '/v1/batches');
    expect(creates).toHaveLength(2);
    const listed = await (await fetch(`${emu.url}/__emulator/batches`)).json();
    expect(listed).toHaveLength(1);
  });

  it('keeps the batch a create made although the connection dropped before the answer (reset-mid-body), so a retry finds it', async () => {
    const fileId = await uploaded(emu, jsonl([chatLine('a', 'x')]));
    emu.control.enqueueFaults([{ kind: 'reset-mid-body', path: '/v1/batches' }]);
    const dropped = await createBatch(emu, openAiCreate(fileId, { request_id: 'retry-me' }));
    await readUntilReset(dropped);
    expect(emu.control.batches()).toHaveLength(1);
    const retry = await createBatch(emu, openAiCreate(fileId, { request_id: 'retry-me' }));
    expect(retry.status).toBe(201);
    expect((await readJson(retry)).batch_id).toBe(emu.control.batches()[0].id);
    expect(emu.control.batches()).toEqual([expect.objectContaining({ creates: 2 })]);
  });

  it('scopes request_ids to the access key', async () => {
    const emu2 = await startEmulator({ keys: [DEFAULT_KEY, 'second-key'] });
    try {
      emu2.control.configure({ batchTimings: FAST });
      const mine = await submitBatch(emu2, [chatLine('a', 'x')], (fileId) => openAiCreate(fileId, { request_id: 'shared' }));
      const other = { authorization: 'Bearer second-key', 'content-type': 'application/json' };
      const intent = await readJson(await postJson(`${emu2.url}/v1/batches/files`, { file_name: 'b.jsonl' }, other));
      await (await put(intent.upload_url, jsonl([chatLine('b', 'y')]))).text();
      const theirs = await createBatch(emu2, openAiCreate(intent.file_id, { request_id: 'shared' }), other);
      expect(theirs.status).toBe(201);
      expect((await readJson(theirs)).batch_id).not.toBe(mine.batch_id);
      const peek = await fetch(`${emu2.url}/v1/batches/${mine.batch_id}`, { headers: other });
      expect(peek.status).toBe(404);
      await peek.text();
      const theirFile = await createBatch(emu2, openAiCreate(intent.file_id));
      expect(theirFile.status).toBe(404); // the other key's file does not exist for this key
      await theirFile.text();
    } finally {
      await emu2.close();
    }
  });

  it('requires request_id by default (spec) and takes its absence with batchRequestId: optional (godo omitempty)', async () => {
    const fileId = await uploaded(emu, jsonl([chatLine('a', 'x')]));
    const { request_id: _omitted, ...withoutId } = openAiCreate(fileId);
    const refused = await createBatch(emu, withoutId);
    expect(refused.status).toBe(400);
    expect((await readJson(refused)).message).toContain("'request_id'");
    emu.control.configure({ batchRequestId: 'optional' });
    const a = await readJson(await createBatch(emu, withoutId));
    const b = await readJson(await createBatch(emu, withoutId));
    expect(a.request_id).toBeNull();
    expect(b.batch_id).not.toBe(a.batch_id); // without a key every create is a new batch
    expect(emu.control.batches()).toHaveLength(2);
  });
});
