/** Targeted faults: `bodyIncludes` lets a test strike one logical request among many concurrent ones. */
import { startEmulator, type Emulator } from '../../emulator';
import { AUTH, chat, postJson, userSays, waitFor } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const CHAT = '/v1/chat/completions';
const ask = (text: string) => chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays(text) });
const statusOf = (text: string) =>
  emu.control
    .requests()
    .filter((r) => JSON.stringify(r.body).includes(text))
    .map((r) => r.status);

describe('faults with bodyIncludes', () => {
  it('strike only requests whose body contains the text, leaving others (sent earlier) untouched', async () => {
    emu.control.enqueueFaults([{ kind: 'status', status: 503, bodyIncludes: '[item-7]' }]);
    expect((await ask('hello [item-3]')).res.status).toBe(200);
    expect((await ask('hello [item-8]')).res.status).toBe(200);
    const hit = await ask('hello [item-7]');
    expect(hit.res.status).toBe(503);
    expect(hit.json.request_id).toBe(hit.res.headers.get('x-request-id'));
    // One-shot: the repeat of the same request goes through.
    expect((await ask('hello [item-7]')).res.status).toBe(200);
    expect(statusOf('[item-7]')).toEqual([503, 200]);
  });

  it('are consumed in order per target, so one request can be struck several times in a row', async () => {
    emu.control.enqueueFaults([
      { kind: 'status', status: 429, bodyIncludes: '[a]', headers: { 'retry-after-ms': '10' } },
      { kind: 'status', status: 500, bodyIncludes: '[b]' },
      { kind: 'status', status: 502, bodyIncludes: '[a]' },
    ]);
    const statuses = [];
    for (const text of ['[b]', '[a]', '[a]', '[a]', '[b]']) statuses.push((await ask(text)).res.status);
    expect(statuses).toEqual([500, 429, 502, 200, 200]);
  });

  it('combine with path: both must match', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-before-headers', path: '/v1/embeddings', bodyIncludes: 'target' }]);
    expect((await ask('target on chat')).res.status).toBe(200);
    await expect(postJson(`${emu.url}/v1/embeddings`, { model: 'qwen3-embedding-0.6b', input: 'target' })).rejects.toThrow();
    await waitFor(() => emu.control.requests().at(-1)?.status !== undefined);
    expect(emu.control.requests().map((r) => [r.path, r.status])).toEqual([
      [CHAT, 200],
      ['/v1/embeddings', 0],
    ]);
  });

  it('match the raw JSON text as sent, and never a request without a body (GET)', async () => {
    emu.control.enqueueFaults([{ kind: 'status', status: 500, bodyIncludes: '"model"' }]);
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(200);
    expect((await ask('anything')).res.status).toBe(500);
  });

  it('a body fault targeted at a stream strikes that stream only', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-mid-body', bodyIncludes: '[s2]' }]);
    const streamOf = (text: string) => postJson(`${emu.url}${CHAT}`, { model: 'llama3.3-70b-instruct', messages: userSays(text), stream: true });
    expect(await (await streamOf('[s1]')).text()).toContain('[DONE]');
    const broken = await streamOf('[s2]');
    expect(broken.status).toBe(200);
    await expect(broken.text()).rejects.toThrow();
    await waitFor(() => statusOf('[s2]')[0] !== undefined);
    expect(statusOf('[s2]')).toEqual([0]);
  });

  it('are validated: an empty or non-string bodyIncludes is refused, also over the control API', async () => {
    expect(() => emu.control.enqueueFaults([{ kind: 'hang', bodyIncludes: '' }])).toThrow(/bodyIncludes must be a non-empty string/);
    expect(() => emu.control.enqueueFaults([{ kind: 'hang', bodyIncludes: 7 } as never])).toThrow(/bodyIncludes/);
    const res = await postJson(`${emu.url}/__emulator/faults`, { faults: [{ kind: 'status', status: 500, bodyIncludes: 'x' }] }, {});
    expect(await res.json()).toEqual({ queued: 1 });
    expect((await ask('x marks the spot')).res.status).toBe(500);
  });
});
