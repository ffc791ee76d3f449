import { startEmulator, type Emulator } from '../../emulator';
import { AUTH, chat, postJson, readJson, sseData, userSays, waitFor } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const control = (path: string, body?: unknown) =>
  body === undefined ? fetch(`${emu.url}/__emulator/${path}`) : postJson(`${emu.url}/__emulator/${path}`, body, { 'content-type': 'application/json' });

describe('request log', () => {
  it('records method, path, query, lower-cased headers, parsed body and final status', async () => {
    await fetch(`${emu.url}/v1/models?page=2&per_page=5`, { headers: { ...AUTH, 'X-Custom-Header': 'Value' } });
    await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('logged') });
    await postJson(`${emu.url}/v1/chat/completions`, 'not json at all');
    const log = emu.control.requests();
    expect(log).toHaveLength(3);
    expect(log[0]).toMatchObject({ method: 'GET', path: '/v1/models', query: { page: '2', per_page: '5' }, body: null, status: 200 });
    expect(log[0].headers['x-custom-header']).toBe('Value');
    expect(log[0].headers.authorization).toBe(AUTH.authorization);
    expect(log[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(log[0].time - Date.now())).toBeLessThan(5000);
    expect(log[1]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200 });
    expect(log[1].body).toEqual({ model: 'llama3.3-70b-instruct', messages: userSays('logged') });
    expect(log[2]).toMatchObject({ body: 'not json at all', status: 400 });
  });

  it('times each request: arrival, the response headers after the latency, the last byte after the stream', async () => {
    emu.control.configure({ latencyMs: 120, streamChunkDelayMs: 40 });
    const sentAt = Date.now();
    const res = await postJson(`${emu.url}/v1/chat/completions`, { model: 'llama3.3-70b-instruct', messages: userSays('timed'), stream: true });
    const frames = sseData(await res.text());
    const readAt = Date.now();
    const [entry] = emu.control.requests();
    // Arrival is logged before the latency; the headers (and the first event) go out after it.
    expect(entry.time).toBeGreaterThanOrEqual(sentAt);
    expect(entry.respondedAt! - entry.time).toBeGreaterThanOrEqual(115);
    // Every further event waits streamChunkDelayMs: the last byte leaves that much after the headers.
    expect(frames.length).toBeGreaterThan(3);
    expect(entry.endedAt! - entry.respondedAt!).toBeGreaterThanOrEqual((frames.length - 1) * 40 * 0.9);
    expect(entry.endedAt).toBeLessThanOrEqual(readAt);
  });

  it('has no response times for a request that was never answered', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-before-headers' }]);
    await expect(fetch(`${emu.url}/v1/models`, { headers: AUTH })).rejects.toThrow();
    await waitFor(() => emu.control.requests()[0]?.status === 0);
    const [entry] = emu.control.requests();
    expect(entry.respondedAt).toBeUndefined();
    expect(entry.endedAt).toBeUndefined();
  });

  it('uses the response x-request-id as the log id', async () => {
    const res = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    expect(emu.control.requests()[0].id).toBe(res.headers.get('x-request-id'));
  });

  it('returns copies, and reset() clears it', async () => {
    await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    const copy = emu.control.requests();
    copy[0].path = 'changed';
    expect(emu.control.requests()[0].path).toBe('/v1/models');
    emu.control.reset();
    expect(emu.control.requests()).toEqual([]);
    expect(emu.control.stats()).toEqual({ total: 0, inFlight: 0, maxInFlight: 0, connections: 0 });
  });
});

describe('configure()', () => {
  it('deep-merges patches', async () => {
    emu.control.configure({ faultRatio: { status5xx: 0.5 } });
    emu.control.configure({ faultRatio: { truncateStream: 0.25 } });
    const config = await readJson(await control('config'));
    expect(config.faultRatio).toEqual({ status5xx: 0.5, resetMidBody: 0, truncateStream: 0.25 });
  });

  it('has defaults for the text-family switches, and checks their values', async () => {
    const config = await readJson(await control('config'));
    expect(config).toMatchObject({ responsesStreamFormat: 'events', responsesStreamDone: false, embeddingDimensions: 1024, agentModel: 'llama3.3-70b-instruct' });
    expect(() => emu.control.configure({ responsesStreamFormat: 'sse' as never })).toThrow(/responsesStreamFormat/);
    expect(() => emu.control.configure({ responsesStreamDone: 'yes' as never })).toThrow(/responsesStreamDone/);
    expect(() => emu.control.configure({ embeddingDimensions: 100_000 })).toThrow(/embeddingDimensions/);
    expect(() => emu.control.configure({ agentModel: 'claude-opus-4-6' })).toThrow(/agentModel/);
    emu.control.configure({ responsesStreamFormat: 'chunks', embeddingDimensions: 8 });
    emu.control.reset();
    expect((await readJson(await control('config'))).responsesStreamFormat).toBe('events');
  });

  it('throws on unknown keys and bad values', () => {
    expect(() => emu.control.configure({ latency: 5 } as never)).toThrow(/unknown config key "latency"/);
    expect(() => emu.control.configure({ errorStyle: 'xml' as never })).toThrow(/errorStyle/);
    expect(() => emu.control.configure({ faultRatio: { status5xx: 2 } })).toThrow(/between 0 and 1/);
    expect(() => emu.control.configure({ quota: { limit: 1 } })).toThrow(/quota.windowMs is required/);
    expect(() => emu.control.configure({ rateLimitHeaders: 'openai' as never })).toThrow(/rateLimitHeaders/);
  });

  it('can switch the quota off again with null', async () => {
    emu.control.configure({ quota: { limit: 0, windowMs: 60_000, retryAfterSec: 1 } });
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(429);
    emu.control.configure({ quota: null });
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(200);
  });
});

describe('HTTP control API', () => {
  it('POST /__emulator/config patches the config and returns it', async () => {
    const res = await control('config', { errorStyle: 'openai', forbiddenModels: ['openai-gpt-4o'] });
    expect(res.status).toBe(200);
    expect(await readJson(res)).toMatchObject({ errorStyle: 'openai', forbiddenModels: ['openai-gpt-4o'], latencyMs: 0 });
    const { json } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: [] });
    expect(json.error.type).toBe('invalid_request_error');
  });

  it('POST /__emulator/config answers 400 to a bad patch', async () => {
    const res = await control('config', { nonsense: true });
    expect(res.status).toBe(400);
    expect((await readJson(res)).error).toMatch(/nonsense/);
  });

  it('POST /__emulator/faults queues faults', async () => {
    const res = await control('faults', { faults: [{ kind: 'status', status: 503 }] });
    expect(await readJson(res)).toEqual({ queued: 1 });
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(503);
    expect((await control('faults', { faults: [{ kind: 'nope' }] })).status).toBe(400);
  });

  it('GET /__emulator/requests and /__emulator/stats report /v1 traffic only', async () => {
    await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    const requests = await readJson(await control('requests'));
    expect(requests.map((r: { path: string }) => r.path)).toEqual(['/v1/models']);
    expect(await readJson(await control('stats'))).toMatchObject({ total: 1, inFlight: 0, maxInFlight: 1 });
  });

  it('POST /__emulator/reset clears state', async () => {
    await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    emu.control.configure({ latencyMs: 50 });
    expect(await readJson(await control('reset', {}))).toEqual({ ok: true });
    expect(emu.control.requests()).toEqual([]);
    expect((await readJson(await control('config'))).latencyMs).toBe(0);
  });

  it('control routes are not logged, not counted, and not struck by faults or quota', async () => {
    emu.control.configure({ quota: { limit: 0, windowMs: 60_000, retryAfterSec: 1 }, faultRatio: { status5xx: 1 } });
    emu.control.enqueueFaults([{ kind: 'hang' }]);
    expect((await control('stats')).status).toBe(200);
    expect((await control('config', {})).status).toBe(200);
    expect(emu.control.stats().total).toBe(0);
    expect(emu.control.requests()).toEqual([]);
  });

  it('answers 404 to an unknown control route', async () => {
    expect((await control('nothing')).status).toBe(404);
  });
});
