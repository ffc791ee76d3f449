import { startEmulator, type Emulator } from '../../emulator';
import { PNG_1X1_BASE64, chat, imagePart, jpegBase64, postJson, userSays, readJson } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const MODEL = 'llama3.3-70b-instruct';
const base = { model: MODEL, messages: userSays('hello') };

/** Sends the body and expects a DO-style 400 whose message names `param`. */
async function expect400(body: Record<string, unknown>, param: string | RegExp): Promise<string> {
  const { res, json } = await chat(emu.url, body);
  expect(res.status).toBe(400);
  expect(json.id).toBe('bad_request');
  expect(json.request_id).toBe(res.headers.get('x-request-id'));
  if (typeof param === 'string') expect(json.message).toContain(param);
  else expect(json.message).toMatch(param);
  return json.message;
}

describe('chat validation: required fields and JSON', () => {
  it('rejects a missing model', () => expect400({ messages: userSays('hi') }, "'model'"));
  it('rejects an empty model', () => expect400({ model: '', messages: userSays('hi') }, "'model'"));
  it('rejects missing messages', () => expect400({ model: MODEL }, "'messages'"));
  it('rejects empty messages', () => expect400({ model: MODEL, messages: [] }, "'messages' must contain at least one"));
  it('rejects non-array messages', () => expect400({ model: MODEL, messages: 'hi' }, "'messages' must be an array"));

  it('rejects invalid JSON', async () => {
    const res = await postJson(`${emu.url}/v1/chat/completions`, '{"model": "x", ');
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toMatch(/Invalid JSON/);
  });

  it('rejects a body that is not an object', async () => {
    const res = await postJson(`${emu.url}/v1/chat/completions`, '[1,2]');
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toMatch(/JSON object/);
  });
});

describe('chat validation: messages', () => {
  it('rejects an unknown role', () => expect400({ model: MODEL, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'));
  it('rejects a message without role', () => expect400({ model: MODEL, messages: [{ content: 'x' }] }, 'messages[0].role'));
  it('rejects content of the wrong type', () => expect400({ model: MODEL, messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'));
  it('rejects missing user content', () => expect400({ model: MODEL, messages: [{ role: 'user' }] }, 'messages[0].content'));
  it('rejects a part with an unknown type', () =>
    expect400({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'audio', data: 'x' }] }] }, 'messages[0].content[0].type'));
  it('rejects a text part without text', () =>
    expect400({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text'));
  it('rejects a tool message without tool_call_id', () =>
    expect400({ model: MODEL, messages: [...userSays('hi'), { role: 'tool', content: '42' }] }, 'messages[1].tool_call_id'));
  it('rejects a tool message without content (OA, GPY: tool_call_id and content)', () =>
    expect400({ model: MODEL, messages: [...userSays('hi'), { role: 'tool', tool_call_id: 'call_1' }] }, 'messages[1].content'));
  it('rejects an empty tool_call_id', () =>
    expect400({ model: MODEL, messages: [...userSays('hi'), { role: 'tool', tool_call_id: '', content: '42' }] }, 'messages[1].tool_call_id'));
  it.each([
    ['arguments as an object', { id: 'call_1', type: 'function', function: { name: 'f', arguments: { a: 1 } } }, 'messages[1].tool_calls[0].function'],
    ['no arguments', { id: 'call_1', type: 'function', function: { name: 'f' } }, 'messages[1].tool_calls[0].function'],
    ['an empty name', { id: 'call_1', type: 'function', function: { name: '', arguments: '{}' } }, 'messages[1].tool_calls[0].function'],
    ['an empty id', { id: '', type: 'function', function: { name: 'f', arguments: '{}' } }, 'messages[1].tool_calls[0]'],
    ['no type', { id: 'call_1', function: { name: 'f', arguments: '{}' } }, 'messages[1].tool_calls[0]'],
    ["the simplified shape {id, name, arguments}", { id: 'call_1', name: 'f', arguments: '{}' }, 'messages[1].tool_calls[0]'],
  ])('rejects an assistant tool call with %s', (_label, call, param) =>
    expect400({ model: MODEL, messages: [...userSays('hi'), { role: 'assistant', content: null, tool_calls: [call] }] }, param));
  it('rejects tool_calls on a user message', () =>
    expect400({ model: MODEL, messages: [{ role: 'user', content: 'hi', tool_calls: [] }] }, 'messages[0].tool_calls'));
  it('rejects a bad cache_control ttl', () =>
    expect400(
      { model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '2h' } }] }] },
      'messages[0].content[0].cache_control.ttl',
    ));

  it('accepts every documented content shape: string, one part object, array of strings and parts', async () => {
    const { res, json } = await chat(emu.url, {
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: { type: 'text', text: 'Cache this.', cache_control: { type: 'ephemeral' } } },
        { role: 'user', content: ['plain string part', { type: 'text', text: 'and a part' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'result' }] },
        { role: 'user', content: '' },
      ],
    });
    expect(res.status).toBe(200);
    expect(json.choices[0].message.content).toBe('Echo: ');
  });
});

describe('chat validation: parameters', () => {
  it('rejects stream_options without stream', () => expect400({ ...base, stream_options: { include_usage: true } }, "'stream_options'"));
  it('rejects temperature above 2', () => expect400({ ...base, temperature: 2.5 }, "'temperature' must be between 0 and 2"));
  it('rejects negative temperature', () => expect400({ ...base, temperature: -0.1 }, "'temperature'"));
  it('rejects a string temperature', () => expect400({ ...base, temperature: '0.5' }, "'temperature' must be a number"));
  it('rejects top_p above 1', () => expect400({ ...base, top_p: 1.5 }, "'top_p' must be between 0 and 1"));
  it('rejects frequency_penalty below -2', () => expect400({ ...base, frequency_penalty: -3 }, "'frequency_penalty'"));
  it('rejects presence_penalty above 2', () => expect400({ ...base, presence_penalty: 2.1 }, "'presence_penalty'"));
  it('rejects n = 0', () => expect400({ ...base, n: 0 }, "'n' must be between 1 and 128"));
  it('rejects n = 129', () => expect400({ ...base, n: 129 }, "'n'"));
  it('rejects max_completion_tokens below 256', () => expect400({ ...base, max_completion_tokens: 255 }, "'max_completion_tokens' must be at least 256"));
  it('rejects negative max_tokens', () => expect400({ ...base, max_tokens: -1 }, "'max_tokens' must be at least 0"));
  it('accepts both max_tokens and max_completion_tokens by default; max_completion_tokens caps the answer', async () => {
    const { res, json } = await chat(emu.url, { ...base, max_tokens: 1, max_completion_tokens: 256 });
    expect(res.status).toBe(200);
    expect(json.choices[0].finish_reason).toBe('stop');
  });
  it("bothMaxTokens 'reject': both limits → 400 naming max_tokens; either alone passes", async () => {
    emu.control.configure({ bothMaxTokens: 'reject' });
    await expect400({ ...base, max_tokens: 300, max_completion_tokens: 300 }, "'max_tokens' and 'max_completion_tokens' cannot both be set");
    expect((await chat(emu.url, { ...base, max_tokens: 300 })).res.status).toBe(200);
    expect((await chat(emu.url, { ...base, max_completion_tokens: 300 })).res.status).toBe(200);
  });
  it('rejects more than 4 stop sequences', () => expect400({ ...base, stop: ['a', 'b', 'c', 'd', 'e'] }, "'stop' accepts at most 4"));
  it('rejects top_logprobs without logprobs', () => expect400({ ...base, top_logprobs: 3 }, "'top_logprobs' requires 'logprobs'"));
  it('rejects an unknown reasoning_effort', () => expect400({ ...base, reasoning_effort: 'extreme' }, "'reasoning_effort'"));
  it('rejects an unknown reasoning.effort', () => expect400({ ...base, reasoning: { effort: 'huge' } }, "'reasoning.effort'"));
  it('rejects an unknown response_format.type', () => expect400({ ...base, response_format: { type: 'yaml' } }, "'response_format.type'"));
  it('rejects json_schema without schema', () =>
    expect400({ ...base, response_format: { type: 'json_schema', json_schema: { name: 'x' } } }, "'response_format.json_schema.schema'"));
  it('rejects json_schema without name', () =>
    expect400({ ...base, response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } } }, "'response_format.json_schema.name'"));
  it('rejects tools that are not an array', () => expect400({ ...base, tools: { type: 'function' } }, "'tools' must be an array"));
  it('rejects a function tool with a bad name', () =>
    expect400({ ...base, tools: [{ type: 'function', function: { name: 'get weather!' } }] }, "'tools[0].function.name'"));
  it('rejects a tool_choice naming an unknown function', () =>
    expect400(
      { ...base, tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'b' } } },
      "'tool_choice'",
    ));

  it('accepts the union of both reasoning_effort enums', async () => {
    for (const effort of ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']) {
      const { res } = await chat(emu.url, { ...base, reasoning_effort: effort });
      expect(res.status).toBe(200);
    }
  });

  it('accepts the boundaries of every range', async () => {
    const { res } = await chat(emu.url, {
      ...base,
      temperature: 2,
      top_p: 0,
      frequency_penalty: -2,
      presence_penalty: 2,
      n: 1,
      max_completion_tokens: 256,
      stop: ['a', 'b', 'c', 'd'],
      logprobs: true,
      top_logprobs: 20,
    });
    expect(res.status).toBe(200);
  });
});

describe('chat validation: images', () => {
  const VISION = 'nemotron-nano-12b-v2-vl';
  const withImage = (url: string, role = 'user', model = VISION) => ({
    model,
    messages: [{ role, content: [{ type: 'text', text: 'What is this?' }, imagePart(url)] }],
  });

  it('rejects an image part in a system message', () =>
    expect400(withImage(`data:image/png;base64,${PNG_1X1_BASE64}`, 'system'), /messages\[0\]\.content\[1\].*only allowed in user messages/));
  it('rejects an http (not https) URL', () => expect400(withImage('http://example.com/cat.png'), 'must use https'));
  it('rejects an unsupported mime type', () => expect400(withImage(`data:image/gif;base64,${PNG_1X1_BASE64}`), /image\/gif/));
  it('rejects invalid base64', () => expect400(withImage('data:image/png;base64,not*base64!'), 'invalid base64'));
  it('rejects bytes whose magic number does not match the declared type', () =>
    expect400(withImage(`data:image/png;base64,${jpegBase64()}`), 'declares image/png but the bytes are jpeg'));
  it('rejects bytes that are no image at all', () =>
    expect400(withImage(`data:image/webp;base64,${Buffer.from('hello world!').toString('base64')}`), 'not a valid webp image'));
  it('rejects images sent to a non-vision model', async () => {
    const message = await expect400(withImage(`data:image/png;base64,${PNG_1X1_BASE64}`, 'user', MODEL), 'does not accept image input');
    expect(message).toContain(MODEL);
  });
});

describe('chat validation: OpenAI error style', () => {
  it('answers {error:{message,type,param,code}} when errorStyle is openai', async () => {
    emu.control.configure({ errorStyle: 'openai' });
    const { res, json } = await chat(emu.url, { ...base, temperature: 3 });
    expect(res.status).toBe(400);
    expect(json).toEqual({
      error: {
        message: "'temperature' must be between 0 and 2; got 3.",
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'invalid_value',
      },
    });
  });

  it('keeps 401/404 DO-style in openai mode', async () => {
    emu.control.configure({ errorStyle: 'openai' });
    const { res, json } = await chat(emu.url, { ...base, model: 'no-such-model' });
    expect(res.status).toBe(404);
    expect(json.id).toBe('not_found');
  });
});

describe('chat model resolution', () => {
  it('answers 404 DO-style for an unknown model', async () => {
    const { res, json } = await chat(emu.url, { ...base, model: 'gpt-17-ultra' });
    expect(res.status).toBe(404);
    expect(json).toEqual({ id: 'not_found', message: 'model gpt-17-ultra not found', request_id: res.headers.get('x-request-id') });
  });

  it('answers 404 for an unknown router', async () => {
    const { res, json } = await chat(emu.url, { ...base, model: 'router:nobody-made-this' });
    expect(res.status).toBe(404);
    expect(json.message).toBe('router nobody-made-this not found');
  });

  it('answers 400 naming a non-chat model', async () => {
    const message = await expect400({ ...base, model: 'qwen3-embedding-0.6b' }, 'qwen3-embedding-0.6b');
    expect(message).toMatch(/does not support chat completions/);
  });

  it('answers 403 DO-style for a forbidden model', async () => {
    emu.control.configure({ forbiddenModels: ['openai-gpt-4o'] });
    const { res, json } = await chat(emu.url, { ...base, model: 'openai-gpt-4o' });
    expect(res.status).toBe(403);
    expect(json).toMatchObject({ id: 'forbidden', message: 'You do not have access for the attempted action.' });
  });
});
