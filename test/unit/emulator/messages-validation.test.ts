import { startEmulator, DEFAULT_KEY, DEFAULT_AGENT_KEY, type Emulator } from '../../emulator';
import { PNG_1X1_BASE64, jpegBase64, postJson, readJson } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const MESSAGES = '/v1/messages';
const ANTHROPIC_HEADERS = { 'x-api-key': DEFAULT_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const base = { model: 'anthropic-claude-4.6-sonnet', max_tokens: 2048, messages: [{ role: 'user', content: 'hi' }] };
const TOOL = { name: 'read_file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } };
const image = (source: Record<string, unknown>) => ({ role: 'user', content: [{ type: 'image', source }] });

async function send(body: unknown, headers: Record<string, string> = ANTHROPIC_HEADERS): Promise<{ status: number; json: any }> {
  const res = await postJson(`${emu.url}${MESSAGES}`, body, headers);
  return { status: res.status, json: await readJson(res) };
}

describe('POST /v1/messages authentication', () => {
  it('accepts x-api-key with anthropic-version', async () => {
    expect((await send(base)).status).toBe(200);
  });

  it('accepts x-api-key without anthropic-version', async () => {
    expect((await send(base, { 'x-api-key': DEFAULT_KEY, 'content-type': 'application/json' })).status).toBe(200);
  });

  it('accepts Bearer', async () => {
    expect((await send(base, { authorization: `Bearer ${DEFAULT_KEY}`, 'content-type': 'application/json' })).status).toBe(200);
  });

  it.each([
    ['no key', { 'content-type': 'application/json' }],
    ['a wrong x-api-key', { 'x-api-key': 'nope', 'content-type': 'application/json' }],
    ['an agent key', { 'x-api-key': DEFAULT_AGENT_KEY, 'content-type': 'application/json' }],
  ])('answers 401 DO-style to %s', async (_name, headers) => {
    const { status, json } = await send(base, headers);
    expect(status).toBe(401);
    expect(json).toMatchObject({ id: 'unauthorized', message: 'Unable to authenticate you.' });
  });

  it('does not take x-api-key on other routes', async () => {
    const res = await fetch(`${emu.url}/v1/models`, { headers: { 'x-api-key': DEFAULT_KEY } });
    expect(res.status).toBe(401);
  });

  it('logs the request headers as sent', async () => {
    await send(base);
    expect(emu.control.requests()[0].headers).toMatchObject({ 'x-api-key': DEFAULT_KEY, 'anthropic-version': '2023-06-01' });
  });
});

describe('POST /v1/messages validation (400, Anthropic envelope, field named)', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['missing model', { model: undefined }, "'model'"],
    ['missing messages', { messages: undefined }, "'messages'"],
    ['empty messages', { messages: [] }, "'messages' must contain at least one message"],
    ['missing max_tokens', { max_tokens: undefined }, "'max_tokens'"],
    ['max_tokens below 1', { max_tokens: 0 }, "'max_tokens' must be at least 1"],
    ['max_tokens not an integer', { max_tokens: 1.5 }, "'max_tokens' must be an integer"],
    ['a system role message', { messages: [{ role: 'system', content: 'x' }] }, "'messages[0].role' must be user or assistant; a system prompt goes in the top-level 'system'"],
    ['an unknown role', { messages: [{ role: 'tool', content: 'x' }] }, "'messages[0].role'"],
    ['missing content', { messages: [{ role: 'user' }] }, "'messages[0].content'"],
    ['an unknown block type', { messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, "'messages[0].content[0].type'"],
    ['a text block without text', { messages: [{ role: 'user', content: [{ type: 'text' }] }] }, "'messages[0].content[0].text'"],
    ['an image without source', { messages: [{ role: 'user', content: [{ type: 'image' }] }] }, "'messages[0].content[0].source'"],
    ['an image of an unsupported media type', { messages: [image({ type: 'base64', media_type: 'image/bmp', data: PNG_1X1_BASE64 })] }, "'messages[0].content[0].source.media_type'"],
    ['an image with invalid base64', { messages: [image({ type: 'base64', media_type: 'image/png', data: 'not base64!' })] }, "'messages[0].content[0].source.data' contains invalid base64"],
    ['an image whose bytes are another type', { messages: [image({ type: 'base64', media_type: 'image/png', data: jpegBase64() })] }, "'messages[0].content[0].source.data' declares image/png but the bytes are jpeg"],
    ['an image source of an unknown type', { messages: [image({ type: 'file', file_id: 'f' })] }, "'messages[0].content[0].source.type'"],
    ['an image in an assistant message', { messages: [{ role: 'assistant', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1_BASE64 } }] }] }, "'messages[0].content[0]'"],
    ['tool_use without input', { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read_file' }] }] }, "'messages[0].content[0].input'"],
    ['tool_use in a user message', { messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'toolu_1', name: 'x', input: {} }] }] }, "'messages[0].content[0]'"],
    ['tool_result without tool_use_id', { messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'ok' }] }] }, "'messages[0].content[0].tool_use_id'"],
    ['tool_result with a bad inner block', { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'audio' }] }] }] }, "'messages[0].content[0].content[0].type'"],
    ['a bad cache_control', { messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] }, "'messages[0].content[0].cache_control.type'"],
    ['a bad cache ttl', { system: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '2h' } }] }, "'system[0].cache_control.ttl'"],
    ['system of a bad shape', { system: 42 }, "'system'"],
    ['a system block that is not text', { system: [{ type: 'image' }] }, "'system[0]'"],
    ['temperature above 1', { temperature: 1.5 }, "'temperature' must be between 0 and 1"],
    ['top_p above 1', { top_p: 2 }, "'top_p' must be between 0 and 1"],
    ['negative top_k', { top_k: -1 }, "'top_k' must be at least 0"],
    ['stop_sequences not strings', { stop_sequences: [1] }, "'stop_sequences' must be an array of strings"],
    ['a tool without input_schema', { tools: [{ name: 'read_file' }] }, "'tools[0].input_schema'"],
    ['a tool without a name', { tools: [{ input_schema: { type: 'object' } }] }, "'tools[0].name'"],
    ['a tool in the chat format', { tools: [{ type: 'function', function: { name: 'x' } }] }, "'tools[0].type'"],
    ['tool_choice of an unknown type', { tools: [TOOL], tool_choice: { type: 'sometimes' } }, "'tool_choice.type'"],
    ['tool_choice tool without name', { tools: [TOOL], tool_choice: { type: 'tool' } }, "'tool_choice.name'"],
    ['tool_choice naming an unknown tool', { tools: [TOOL], tool_choice: { type: 'tool', name: 'other' } }, "'tool_choice.name' \"other\""],
    ['tool_choice any without tools', { tool_choice: { type: 'any' } }, "'tool_choice' \"any\" requires 'tools'"],
    ['thinking of an unknown type', { thinking: { type: 'maybe' } }, "'thinking.type'"],
    ['thinking enabled without budget', { thinking: { type: 'enabled' } }, "'thinking.budget_tokens' is required"],
    ['a thinking budget below 1024', { thinking: { type: 'enabled', budget_tokens: 1000 } }, "'thinking.budget_tokens' must be at least 1024"],
    ['a thinking budget not below max_tokens', { max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2048 } }, "'thinking.budget_tokens' must be less than max_tokens (2048)"],
    ['an unknown reasoning_effort', { reasoning_effort: 'ultra' }, "'reasoning_effort' must be one of none, minimal, low, medium, high, xhigh, max"],
    ['an unknown speed', { speed: 'warp' }, "'speed' must be one of standard, fast"],
    ['metadata.user_id not a string', { metadata: { user_id: 5 } }, "'metadata.user_id'"],
    ['a non-Anthropic model', { model: 'llama3.3-70b-instruct' }, 'Anthropic models only'],
    ['an embedding model', { model: 'qwen3-embedding-0.6b' }, 'Anthropic models only'],
  ])('%s', async (_name, patch, message) => {
    const { status, json } = await send({ ...base, ...patch });
    expect(status).toBe(400);
    expect(json).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) } });
    expect(json.error.message).toContain(message);
  });

  it('answers invalid JSON in the Anthropic envelope too', async () => {
    const res = await postJson(`${emu.url}${MESSAGES}`, '{not json', ANTHROPIC_HEADERS);
    expect(res.status).toBe(400);
    expect((await readJson(res)).type).toBe('error');
  });

  it('keeps the Anthropic envelope whatever errorStyle says', async () => {
    emu.control.configure({ errorStyle: 'openai' });
    const { json } = await send({ ...base, max_tokens: 0 });
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.type).toBe('error');
  });

  it('answers other statuses DO-style: 404 unknown Anthropic model, 403 forbidden, 429 quota', async () => {
    const unknown = await send({ ...base, model: 'anthropic-claude-9' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ id: 'not_found', message: expect.stringContaining('anthropic-claude-9') });
    emu.control.configure({ forbiddenModels: ['anthropic-claude-4.6-sonnet'] });
    expect((await send(base)).json).toMatchObject({ id: 'forbidden' });
    emu.control.configure({ forbiddenModels: [], quota: { limit: 0, windowMs: 60_000, retryAfterSec: 3 } });
    const limited = await send(base);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ id: 'too_many_requests' });
  });

  it('accepts the documented blocks, system forms, tool choices and DO extensions', async () => {
    const ok = await send({
      ...base,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      tools: [{ ...TOOL, type: 'custom', description: 'Reads a file' }],
      tool_choice: 'auto',
      thinking: { type: 'disabled' },
      reasoning_effort: 'xhigh',
      speed: 'fast',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'read it' }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's' }, { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'file body' }] }] },
      ],
    });
    expect(ok.status).toBe(200);
    for (const tool_choice of [{ type: 'any' }, { type: 'tool', name: 'read_file' }, { type: 'none' }, 'none']) {
      expect((await send({ ...base, tools: [TOOL], tool_choice })).status).toBe(200);
    }
  });
});
