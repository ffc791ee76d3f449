import { startEmulator, DEFAULT_KEY, type Emulator } from '../../emulator';
import { AUTH, UUID, chat, postJson, userSays, readJson } from './helpers';
import { goDuration } from '../../emulator/ratelimit';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: [DEFAULT_KEY, 'second-key'] });
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

function expectRateLimitHeaders(res: Response): void {
  expect(res.headers.get('x-request-id')).toMatch(UUID);
  expect(Number(res.headers.get('ratelimit-limit'))).toBeGreaterThan(0);
  expect(res.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
  expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  expect(res.headers.get('x-ratelimit-limit-requests')).toBe(res.headers.get('ratelimit-limit'));
  expect(res.headers.get('x-ratelimit-remaining-requests')).toBe(res.headers.get('ratelimit-remaining'));
}

describe('authentication', () => {
  it('answers 401 DO-style without an Authorization header', async () => {
    const res = await fetch(`${emu.url}/v1/models`);
    expect(res.status).toBe(401);
    const body = await readJson(res);
    expect(body).toEqual({ id: 'unauthorized', message: 'Unable to authenticate you.', request_id: res.headers.get('x-request-id') });
    expect(body.request_id).toMatch(UUID);
    expectRateLimitHeaders(res);
  });

  it('answers 401 to a wrong key, and checks auth before validation', async () => {
    const res = await postJson(`${emu.url}/v1/chat/completions`, { model: '' }, { authorization: 'Bearer nope', 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    expect((await readJson(res)).id).toBe('unauthorized');
  });

  it('accepts every configured key', async () => {
    const res = await fetch(`${emu.url}/v1/models`, { headers: { authorization: 'Bearer second-key' } });
    expect(res.status).toBe(200);
  });

  it('rejects a non-Bearer scheme', async () => {
    const res = await fetch(`${emu.url}/v1/models`, { headers: { authorization: `Basic ${DEFAULT_KEY}` } });
    expect(res.status).toBe(401);
  });
});

describe('GET /v1/models', () => {
  it('lists the catalog as {object:"list", data:[{id, object, created, owned_by}]}', async () => {
    const res = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expectRateLimitHeaders(res);
    const body = await readJson(res);
    expect(body.object).toBe('list');
    const ids = body.data.map((m: { id: string }) => m.id);
    for (const id of [
      'llama3.3-70b-instruct',
      'alibaba-qwen3-32b',
      'deepseek-r1-distill-llama-70b',
      'openai-gpt-oss-20b',
      'openai-gpt-oss-120b',
      'openai-gpt-4o',
      'anthropic-claude-3.5-haiku',
      'anthropic-claude-4.6-sonnet',
      'nemotron-nano-12b-v2-vl',
      'qwen3-embedding-0.6b',
      'openai-gpt-image-1',
      'stable-diffusion-3.5-large',
      'qwen3-tts-voicedesign',
      'wan2.2-t2v-a14b',
      'fal-ai/flux/schnell',
      'fal-ai/fast-sdxl',
      'fal-ai/stable-audio-25/text-to-audio',
      'fal-ai/elevenlabs/tts/multilingual-v2',
    ]) {
      expect(ids).toContain(id);
    }
    expect(ids.some((id: string) => id.startsWith('router:'))).toBe(false);
    expect(body.data.find((m: { id: string }) => m.id === 'alibaba-qwen3-32b')).toEqual({
      id: 'alibaba-qwen3-32b',
      object: 'model',
      created: 1752255238,
      owned_by: 'digitalocean',
    });
    expect(body.data.find((m: { id: string }) => m.id === 'anthropic-claude-3.5-haiku').owned_by).toBe('anthropic');
  });

  it('hides models the key may not use', async () => {
    emu.control.configure({ forbiddenModels: ['openai-gpt-4o'] });
    const body = await readJson(await fetch(`${emu.url}/v1/models`, { headers: AUTH }));
    expect(body.data.map((m: { id: string }) => m.id)).not.toContain('openai-gpt-4o');
  });
});

describe('unknown routes', () => {
  it('answers 404 DO-style for an unknown /v1 path', async () => {
    const res = await fetch(`${emu.url}/v1/nothing-here`, { headers: AUTH });
    expect(res.status).toBe(404);
    const body = await readJson(res);
    expect(body.id).toBe('not_found');
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
    expectRateLimitHeaders(res);
  });

  it('answers 404 for a known path with the wrong method', async () => {
    const res = await fetch(`${emu.url}/v1/chat/completions`, { headers: AUTH });
    expect(res.status).toBe(404);
  });
});

describe('rate limits', () => {
  it('counts down ratelimit-remaining per request', async () => {
    const first = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    const second = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    expect(Number(first.headers.get('ratelimit-remaining')) - Number(second.headers.get('ratelimit-remaining'))).toBe(1);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('answers 429 + retry-after once the quota is used up, and the headers follow the quota', async () => {
    emu.control.configure({ quota: { limit: 2, windowMs: 60_000, retryAfterSec: 7 } });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
      statuses.push(last.status);
      if (i < 2) expect(last.headers.get('ratelimit-remaining')).toBe(String(1 - i));
    }
    expect(statuses).toEqual([200, 200, 429]);
    const res = last as Response;
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('ratelimit-limit')).toBe('2');
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    const body = await readJson(res);
    expect(body).toMatchObject({ id: 'too_many_requests', message: 'API rate limit exceeded.' });
  });

  it('observed mode: the x-ratelimit-* family on every reply, and a 429 without retry-after whose reset headers say when', async () => {
    emu.control.configure({ rateLimitHeaders: 'observed', quota: { limit: 1, windowMs: 90_000, retryAfterSec: 7 } });
    const ok = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit-tokens-per-minute')).toBe('750000');
    expect(ok.headers.get('x-ratelimit-remaining-tokens-per-day')).toBe('8000000');
    expect(ok.headers.get('x-ratelimit-reset-tokens-per-minute')).toMatch(/^(\d+(\.\d+)?s|\d+ms)$/);
    expect(ok.headers.get('x-ratelimit-reset-tokens-per-day')).toMatch(/^(\d+h)?(\d+m)?\d+(\.\d+)?s$|^\d+ms$/);
    const refused = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    // The first request leaves the 90 s window in just under 90 s: Go's "1m29.9…s".
    expect(refused.headers.get('x-ratelimit-reset-requests')).toMatch(/^1m(29|30)(\.\d+)?s$/);
    expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 + 85);
  });

  it('prints reset durations the way Go (and OpenAI) does', () => {
    expect([0, 20, 999, 1000, 37_500, 360_000, 47_523_250].map(goDuration)).toEqual(['0ms', '20ms', '999ms', '1s', '37.5s', '6m0s', '13h12m3.25s']);
  });

  it('documented mode (the default) sends neither the token family nor the reset durations', async () => {
    const res = await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    expect(res.headers.get('x-ratelimit-reset-requests')).toBeNull();
    expect(res.headers.get('x-ratelimit-limit-tokens-per-minute')).toBeNull();
  });

  it('lets requests through again after the window slides', async () => {
    emu.control.configure({ quota: { limit: 1, windowMs: 150, retryAfterSec: 1 } });
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(200);
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(429);
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(200);
  });

  it('puts x-request-id and rate-limit headers on chat responses and validation errors', async () => {
    const ok = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('hi') });
    expect(ok.res.status).toBe(200);
    expectRateLimitHeaders(ok.res);
    const bad = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: [] });
    expect(bad.res.status).toBe(400);
    expectRateLimitHeaders(bad.res);
    expect(bad.json.request_id).toBe(bad.res.headers.get('x-request-id'));
  });
});
