import { startEmulator, DEFAULT_AGENT_KEY, DEFAULT_KEY, type Emulator } from '../../emulator';
import { postJson, readJson, sseData, userSays } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const AGENT = '/api/v1/chat/completions?agent=true';
const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
/** The chat request schema requires `model`; its value is ignored (OA's example sends "ignored"). */
const body = { model: 'ignored', messages: userSays('What can you do?') };

async function ask(path: string, payload: unknown, key = DEFAULT_AGENT_KEY): Promise<{ res: Response; json: any }> {
  const res = await postJson(`${emu.url}${path}`, payload, bearer(key));
  return { res, json: res.headers.get('content-type')?.startsWith('application/json') ? await readJson(res) : await res.text() };
}

describe('agent endpoint POST /api/v1/chat/completions?agent=true', () => {
  it('answers a chat completion from the agent model, text starting "Agent: "', async () => {
    const { res, json } = await ask(AGENT, body);
    expect(res.status).toBe(200);
    expect(json).toMatchObject({ object: 'chat.completion', model: 'llama3.3-70b-instruct' });
    expect(json.choices[0].message.content).toBe('Agent: Echo: What can you do?');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('ratelimit-limit')).toBeTruthy();
  });

  it('ignores the model field, whatever model it names', async () => {
    for (const model of ['ignored', 'openai-gpt-4o', 'no-such-model']) {
      const { res, json } = await ask(AGENT, { ...body, model });
      expect(res.status).toBe(200);
      expect(json.model).toBe('llama3.3-70b-instruct');
    }
  });

  it('requires model like the chat schema (400 naming it) instead of filling it in', async () => {
    for (const model of [undefined, null, '', 42]) {
      const { res, json } = await ask(AGENT, { ...body, model });
      expect(res.status).toBe(400);
      expect(json).toMatchObject({ id: 'bad_request', message: expect.stringContaining("'model'") });
    }
    expect(emu.control.requests().every((request) => request.status === 400)).toBe(true);
  });

  it('reports config.agentModel as the model', async () => {
    emu.control.configure({ agentModel: 'openai-gpt-oss-120b' });
    const { json } = await ask(AGENT, body);
    expect(json.model).toBe('openai-gpt-oss-120b');
    expect(json.choices[0].message.reasoning_content).toContain('The user wrote');
    expect(() => emu.control.configure({ agentModel: 'qwen3-embedding-0.6b' })).toThrow(/agentModel/);
    expect(() => emu.control.configure({ agentModel: 'nope' })).toThrow(/agentModel/);
  });

  it('streams chat chunks with [DONE]', async () => {
    const { res, json } = await ask(AGENT, { ...body, stream: true });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const payloads = sseData(json);
    expect(payloads[payloads.length - 1]).toBe('[DONE]');
    const text = payloads.slice(0, -1).map((p) => JSON.parse(p).choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Agent: Echo: What can you do?');
  });

  it('requires ?agent=true (400 naming it)', async () => {
    for (const path of ['/api/v1/chat/completions', '/api/v1/chat/completions?agent=false']) {
      const { res, json } = await ask(path, body);
      expect(res.status).toBe(400);
      expect(json).toMatchObject({ id: 'bad_request', message: expect.stringContaining("'agent=true'") });
    }
  });

  it('validates the body like chat', async () => {
    const { res, json } = await ask(AGENT, { ...body, messages: [] });
    expect(res.status).toBe(400);
    expect(json.message).toContain("'messages'");
  });

  it('refuses a model access key (401), and the agent key on /v1 (401)', async () => {
    expect((await ask(AGENT, body, DEFAULT_KEY)).res.status).toBe(401);
    const onV1 = await ask('/v1/chat/completions', { ...body, model: 'llama3.3-70b-instruct' }, DEFAULT_AGENT_KEY);
    expect(onV1.res.status).toBe(401);
    expect(onV1.json).toMatchObject({ id: 'unauthorized' });
    const noKey = await postJson(`${emu.url}${AGENT}`, body, { 'content-type': 'application/json' });
    expect(noKey.status).toBe(401);
  });

  it('accepts custom agent keys', async () => {
    const own = await startEmulator({ agentKeys: ['agent-a', 'agent-b'] });
    try {
      const ok = await postJson(`${own.url}${AGENT}`, body, bearer('agent-b'));
      expect(ok.status).toBe(200);
      const old = await postJson(`${own.url}${AGENT}`, body, bearer(DEFAULT_AGENT_KEY));
      expect(old.status).toBe(401);
    } finally {
      await own.close();
    }
  });

  it('logs agent requests with path, query and headers, and faults can target the path', async () => {
    emu.control.enqueueFaults([{ kind: 'status', status: 503, path: '/api/v1/chat/completions' }]);
    expect((await ask(AGENT, body)).res.status).toBe(503);
    await ask(AGENT, body);
    const log = emu.control.requests();
    expect(log).toHaveLength(2);
    expect(log[1]).toMatchObject({ method: 'POST', path: '/api/v1/chat/completions', query: { agent: 'true' }, status: 200, body });
    expect(log[1].headers.authorization).toBe(`Bearer ${DEFAULT_AGENT_KEY}`);
  });

  it('answers 404 on other /api/v1 paths, after auth', async () => {
    const res = await postJson(`${emu.url}/api/v1/responses?agent=true`, body, bearer(DEFAULT_AGENT_KEY));
    expect(res.status).toBe(404);
  });
});
