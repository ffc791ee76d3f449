import type { Emulator } from '../../emulator';
import { postJson, readJson } from './helpers';
import {
  anthropicCreate,
  anthropicLine,
  chatLine,
  createBatch,
  downloadLines,
  getResults,
  jsonl,
  openAiCreate,
  responsesLine,
  submitBatch,
  uploaded,
  waitForStatus,
  withBatchEmulator,
} from './batchHelpers';

let emu: Emulator;
withBatchEmulator((started) => (emu = started));

describe('POST /v1/batches body', () => {
  let fileId: string;
  beforeEach(async () => {
    fileId = await uploaded(emu, jsonl([chatLine('a', 'x')]));
  });

  it.each([
    [{ provider: undefined }, 'provider'],
    [{ provider: 'mistral' }, 'provider'],
    [{ endpoint: undefined }, 'endpoint'],
    [{ endpoint: '/v1/embeddings' }, 'endpoint'],
    [{ completion_window: undefined }, 'completion_window'],
    [{ completion_window: '48h' }, 'completion_window'],
    [{ file_id: undefined }, 'file_id'],
    [{ request_id: '' }, 'request_id'],
    [{ metadata: ['a'] }, 'metadata'],
    [{ metadata: { team: 7 } }, 'metadata.team'],
  ])('400 for %j naming %s, creating nothing', async (patch, field) => {
    const res = await createBatch(emu, openAiCreate(fileId, patch));
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({ id: 'bad_request', message: expect.stringContaining(`'${field}'`) });
    expect(emu.control.batches()).toEqual([]);
  });

  it('400 for an endpoint on an anthropic batch (spec: must be omitted); null counts as omitted', async () => {
    const anthropicFile = await uploaded(emu, jsonl([anthropicLine('a', 'x')]));
    const res = await createBatch(emu, anthropicCreate(anthropicFile, { endpoint: '/v1/messages' }));
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toContain("'endpoint' must be omitted");
    expect((await createBatch(emu, anthropicCreate(anthropicFile, { endpoint: null }))).status).toBe(201);
  });

  it('uses the OpenAI error style when errorStyle says so', async () => {
    emu.control.configure({ errorStyle: 'openai' });
    const res = await createBatch(emu, openAiCreate(fileId, { provider: 'mistral' }));
    expect(await readJson(res)).toEqual({ error: expect.objectContaining({ param: 'provider', type: 'invalid_request_error' }) });
  });

  it('404 for an unknown file_id', async () => {
    const res = await createBatch(emu, openAiCreate('a1b2c3d4-e5f6-4789-90ab-cdef12345678'));
    expect(res.status).toBe(404);
    expect((await readJson(res)).message).toContain('a1b2c3d4-e5f6-4789-90ab-cdef12345678');
  });
});

describe('input-file problems', () => {
  const good = (id: string) => chatLine(id, 'fine');
  /** Creates a batch from raw lines (async validation) and returns the failed batch. */
  async function failedBatch(lines: unknown[], create: (fileId: string) => Record<string, unknown> = openAiCreate): Promise<any> {
    const created = await submitBatch(emu, lines, create);
    expect(created.status).toBe('validating');
    const done = await waitForStatus(emu, created.batch_id, ['failed', 'completed']);
    expect(done.status).toBe('failed');
    expect(done.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
    expect(done.failed_at).toEqual(expect.any(String));
    expect(done.in_progress_at).toBeNull();
    return done;
  }

  it.each([
    ['not JSON', ['{"custom_id": "a",'], 'Line 1: not valid JSON'],
    ['not an object', ['[1, 2]'], 'Line 1: each line must be a JSON object'],
    ['no custom_id', [good('a'), { method: 'POST', url: '/v1/chat/completions', body: {} }], "Line 2: missing required field 'custom_id'."],
    ['a numeric custom_id', [{ ...good('a'), custom_id: 7 }], "'custom_id' must be a non-empty string"],
    ['a duplicate custom_id', [good('a'), good('b'), good('a')], "Line 3: duplicate custom_id 'a' (first used on line 1)"],
    ['method GET', [{ ...good('a'), method: 'GET' }], '\'method\' must be "POST"'],
    ['a url that is not the endpoint', [responsesLine('a', 'x')], "'url' \"/v1/responses\" does not match the batch endpoint /v1/chat/completions"],
    ['no body', [{ custom_id: 'a', method: 'POST', url: '/v1/chat/completions' }], "missing required field 'body'"],
    ['an Anthropic line', [anthropicLine('a', 'x')], 'this line is in the Anthropic format {custom_id, params}'],
    ['an image', [chatLine('a', 'x', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] })], "found a 'image_url' part"],
  ])('openai: %s', async (_case, lines, message) => {
    const done = await failedBatch(lines);
    expect(done.errors).toEqual([{ code: 'invalid_input_file', message: expect.stringContaining(message), line: expect.any(Number) }]);
    const results = await getResults(emu, done.batch_id);
    expect(results.status).toBe(412);
    await results.text();
  });

  it.each([
    ['an OpenAI line', [chatLine('a', 'x')], 'this line is in the OpenAI format {custom_id, method, url, body}'],
    ['a custom_id Anthropic refuses', [anthropicLine('item 1', 'x')], "'custom_id' must match ^[a-zA-Z0-9_-]{1,64}$"],
    ['no params', [{ custom_id: 'a' }], "missing required field 'params'"],
    ['a document block', [anthropicLine('a', 'x', { messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] })], "found a 'document' part"],
    ['an image in system', [anthropicLine('a', 'x', { system: [{ type: 'image', source: {} }] })], "found a 'image' part"],
  ])('anthropic: %s', async (_case, lines, message) => {
    const done = await failedBatch(lines, anthropicCreate);
    expect(done.errors).toEqual([{ code: 'invalid_input_file', message: expect.stringContaining(message), line: 1 }]);
  });

  it('reports every problem with its line (up to 100)', async () => {
    const lines = [good('a'), 'nope', good('b'), good('a'), ...Array.from({ length: 150 }, () => 'bad')];
    const done = await failedBatch(lines);
    expect(done.errors).toHaveLength(100);
    expect(done.errors.slice(0, 2).map((e: any) => e.line)).toEqual([2, 4]);
  });

  it('fails an empty file, and skips blank lines and CRLF endings otherwise', async () => {
    const empty = await failedBatch(['', '  ']);
    expect(empty.errors).toEqual([{ code: 'invalid_input_file', message: 'The input file contains no requests.', line: null }]);
    const fileId = await uploaded(emu, `${JSON.stringify(good('a'))}\r\n\r\n${JSON.stringify(good('b'))}\r\n`);
    const created = await readJson(await createBatch(emu, openAiCreate(fileId)));
    expect((await waitForStatus(emu, created.batch_id, ['completed', 'failed'])).request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
  });

  it('enforces the line limits per provider (50,000 openai / 100,000 anthropic, configurable)', async () => {
    emu.control.configure({ batchLimits: { openaiMaxLines: 2, anthropicMaxLines: 3 } });
    const done = await failedBatch([good('a'), good('b'), good('c')]);
    expect(done.errors).toEqual([{ code: 'invalid_input_file', message: 'The input file has 3 requests; the limit for provider openai is 2.', line: null }]);
    const anthropic = await submitBatch(emu, [anthropicLine('a', 'x'), anthropicLine('b', 'x'), anthropicLine('c', 'x')], anthropicCreate);
    expect((await waitForStatus(emu, anthropic.batch_id, ['completed', 'failed'])).status).toBe('completed');
  });

  it('enforces the size limit; the upload itself succeeds (object storage takes it)', async () => {
    const content = jsonl([good('a'), good('b')]);
    emu.control.configure({ batchLimits: { maxFileBytes: content.length - 1 } });
    const done = await failedBatch([good('a'), good('b')]);
    expect(done.errors).toEqual([{ code: 'invalid_input_file', message: `The input file is ${content.length} bytes; the limit is ${content.length - 1} bytes.`, line: null }]);
  });

  it("with batchValidation: 'at-create', answers 400 naming the first problem and creates nothing", async () => {
    emu.control.configure({ batchValidation: 'at-create' });
    const fileId = await uploaded(emu, jsonl([good('a'), 'nope', good('a')]));
    const res = await createBatch(emu, openAiCreate(fileId));
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({ id: 'bad_request', message: expect.stringMatching(/^Line 2: not valid JSON \(.+\)\. \(and 1 more problem\(s\)\)$/) });
    expect(emu.control.batches()).toEqual([]);
  });
});

describe('per-line failures (the batch still completes)', () => {
  async function errorLines(lines: unknown[], create: (fileId: string) => Record<string, unknown> = openAiCreate): Promise<{ batch: any; errors: any[]; output: any[] }> {
    const created = await submitBatch(emu, lines, create);
    const batch = await waitForStatus(emu, created.batch_id, ['completed', 'failed']);
    expect(batch.status).toBe('completed');
    const results = await readJson(await getResults(emu, created.batch_id));
    return {
      batch,
      errors: results.error_file_url ? await downloadLines(results.error_file_url) : [],
      output: results.output_file_url ? await downloadLines(results.output_file_url) : [],
    };
  }

  it('a body the endpoint refuses fails its line with that 400', async () => {
    const { batch, errors, output } = await errorLines([chatLine('ok', 'x'), { custom_id: 'no-messages', method: 'POST', url: '/v1/chat/completions', body: { model: 'openai-gpt-4o' } }]);
    expect(batch.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    expect(output.map((l) => l.custom_id)).toEqual(['ok']);
    expect(errors).toEqual([
      {
        id: expect.any(String),
        custom_id: 'no-messages',
        response: { status_code: 400, request_id: expect.any(String), body: { error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } } },
        error: null,
      },
    ]);
  });

  it('takes the provider’s catalog models and its own id forms; refuses other models per line', async () => {
    emu.control.configure({ forbiddenModels: ['openai-gpt-5.2'] });
    const model = (id: string, customId: string) => chatLine(customId, 'x', { model: id });
    const { errors, output } = await errorLines([
      model('openai-gpt-4o', 'catalog'),
      model('gpt-4.1-mini', 'native'),
      model('o3-mini', 'o-series'),
      model('llama3.3-70b-instruct', 'open-weights'),
      model('openai-gpt-oss-120b', 'do-hosted'),
      model('anthropic-claude-4.6-sonnet', 'other-provider'),
      model('mystery-model', 'unknown'),
      model('openai-gpt-5.2', 'forbidden'),
    ]);
    const answered = Object.fromEntries(output.map((l) => [l.custom_id, l.response.body.model]));
    expect(answered).toEqual({ catalog: 'openai-gpt-4o', native: 'gpt-4.1-mini', 'o-series': 'o3-mini' });
    const statuses = Object.fromEntries(errors.map((l) => [l.custom_id, l.response.status_code]));
    expect(statuses).toEqual({ 'open-weights': 400, 'do-hosted': 400, 'other-provider': 400, unknown: 404, forbidden: 403 });
    expect(errors.find((l) => l.custom_id === 'do-hosted').response.body.error.message).toContain('not available for batch inference with provider openai');
  });

  it('anthropic: Anthropic error types in errored results', async () => {
    const { errors, output } = await errorLines(
      [
        anthropicLine('native', 'x', { model: 'claude-3-5-sonnet-latest' }),
        anthropicLine('no-max-tokens', 'x', { max_tokens: undefined }),
        anthropicLine('openai-model', 'x', { model: 'openai-gpt-4o' }),
        anthropicLine('unknown', 'x', { model: 'mystery' }),
      ],
      anthropicCreate,
    );
    expect(output.map((l) => [l.custom_id, l.result.message.model])).toEqual([['native', 'claude-3-5-sonnet-latest']]);
    const byId = Object.fromEntries(errors.map((l) => [l.custom_id, l.result]));
    expect(byId['no-max-tokens']).toEqual({ type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: "Missing required parameter: 'max_tokens'." } } });
    expect(byId['openai-model'].error.error.type).toBe('invalid_request_error');
    expect(byId.unknown.error.error.type).toBe('not_found_error');
  });

  it('batchFailPrompt picks the marker; "" never fails a line', async () => {
    emu.control.configure({ batchFailPrompt: 'BOOM' });
    const marked = await errorLines([chatLine('a', 'BOOM here'), chatLine('b', 'has __fail__ but that is not the marker now')]);
    expect(marked.errors.map((l) => l.custom_id)).toEqual(['a']);
    emu.control.configure({ batchFailPrompt: '' });
    const none = await errorLines([chatLine('a', 'BOOM here')]);
    expect(none.errors).toEqual([]);
  });

  it('answers previous_response_id from the key’s stored responses, and 404s an unknown one', async () => {
    const stored = await readJson(await postJson(`${emu.url}/v1/responses`, { model: 'openai-gpt-5.2', input: 'remember me', store: true }));
    const line = (id: string, previous: string) => ({ ...responsesLine(id, 'and now?'), body: { ...responsesLine(id, 'and now?').body, previous_response_id: previous } });
    const { errors, output } = await errorLines([line('known', stored.id), line('unknown', 'resp_nope')], (fileId) => openAiCreate(fileId, { endpoint: '/v1/responses' }));
    expect(output[0].response.body.output[0].content[0].text).toContain('previous turn: "Echo: remember me"');
    expect(errors.map((l) => [l.custom_id, l.response.status_code])).toEqual([['unknown', 404]]);
  });
});
