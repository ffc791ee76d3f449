import { startEmulator, DEFAULT_KEY, type Emulator } from '../../emulator';
import { PNG_1X1_BASE64, postJson, readJson } from './helpers';

const OTHER_KEY = 'responses-other-key';
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: [DEFAULT_KEY, OTHER_KEY] });
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const LOOKUP = {
  type: 'function',
  name: 'lookup',
  description: 'Look something up',
  parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
};

async function respond(body: Record<string, unknown>, key = DEFAULT_KEY): Promise<{ status: number; json: any }> {
  const res = await postJson(`${emu.url}/v1/responses`, body, { authorization: `Bearer ${key}`, 'content-type': 'application/json' });
  return { status: res.status, json: await readJson(res) };
}

const outputText = (json: any): string =>
  json.output
    .filter((item: any) => item.type === 'message')
    .flatMap((item: any) => item.content.filter((c: any) => c.type === 'output_text').map((c: any) => c.text))
    .join('');

describe('POST /v1/responses replies', () => {
  it('answers a string input with a §4.2 response object', async () => {
    const { status, json } = await respond({ model: 'llama3.3-70b-instruct', input: 'What is the capital of France?' });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      object: 'response',
      model: 'llama3.3-70b-instruct',
      status: 'completed',
      incomplete_details: null,
      error: null,
      instructions: null,
      max_output_tokens: null,
      temperature: 1,
      top_p: 1,
      tool_choice: 'auto',
      tools: [],
      previous_response_id: null,
      store: false,
      metadata: {},
    });
    expect(json.id).toMatch(/^resp_/);
    expect(json.created).toBe(json.created_at);
    expect(Math.abs(json.created - Date.now() / 1000)).toBeLessThan(60);
    expect(json.output).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Echo: What is the capital of France?', annotations: [] }],
      },
    ]);
    expect(json.usage).toEqual({
      input_tokens: 8,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 0, tool_output_tokens: 0 },
      total_tokens: 17,
    });
  });

  it('echoes the request settings it was given', async () => {
    const { json } = await respond({
      model: 'llama3.3-70b-instruct',
      input: 'hi',
      instructions: 'Be brief.',
      max_output_tokens: 500,
      temperature: 0.7,
      top_p: 0.9,
      metadata: { run: '42' },
      user: 'user-1',
      store: true,
    });
    expect(json).toMatchObject({
      instructions: 'Be brief.',
      max_output_tokens: 500,
      temperature: 0.7,
      top_p: 0.9,
      metadata: { run: '42' },
      user: 'user-1',
      store: true,
    });
  });

  it('reads a list of message items with input_text and input_image parts', async () => {
    const { json } = await respond({
      model: 'nemotron-nano-12b-v2-vl',
      input: [
        { role: 'system', content: 'You describe images.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: `data:image/png;base64,${PNG_1X1_BASE64}` }] },
      ],
    });
    expect(outputText(json)).toBe('Echo: What is this? I see 1 image(s) (png 1x1).');
  });

  it('puts the reasoning item first for reasoning models, with reasoning tokens in usage', async () => {
    const { json } = await respond({ model: 'openai-gpt-oss-20b', input: 'Why is the sky blue?' });
    expect(json.output.map((item: any) => item.type)).toEqual(['reasoning', 'message']);
    expect(json.output[0]).toEqual({
      type: 'reasoning',
      id: expect.stringMatching(/^rs_/),
      summary: [],
      content: [{ type: 'reasoning_text', text: expect.stringContaining('The user wrote: "Why is the sky blue?"') }],
    });
    expect(json.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(json.usage.output_tokens).toBeGreaterThan(json.usage.output_tokens_details.reasoning_tokens);
    expect(json.reasoning).toBeNull();
  });

  it('reasons when `reasoning` is set, and echoes it; effort "none" turns it off', async () => {
    const { json } = await respond({ model: 'llama3.3-70b-instruct', input: 'hi', reasoning: { effort: 'high' } });
    expect(json.output[0].type).toBe('reasoning');
    expect(json.output[0].content[0].text).toContain('effort high');
    expect(json.reasoning).toEqual({ effort: 'high', summary: null });
    const off = await respond({ model: 'openai-gpt-oss-20b', input: 'hi', reasoning: { effort: 'none' } });
    expect(off.json.output.map((item: any) => item.type)).toEqual(['message']);
  });

  it('marks a reply cut by max_output_tokens as incomplete', async () => {
    const { json } = await respond({ model: 'llama3.3-70b-instruct', input: 'a fairly long question about many things', max_output_tokens: 2 });
    expect(json.status).toBe('incomplete');
    expect(json.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(outputText(json)).toBe('Echo: a ');
    expect(json.usage.output_tokens).toBe(2);
  });

  it('calls a flat function tool when asked, as a function_call item', async () => {
    const { json } = await respond({ model: 'openai-gpt-4o', input: 'please call lookup', tools: [LOOKUP] });
    expect(json.output).toEqual([
      {
        type: 'function_call',
        id: expect.stringMatching(/^fc_/),
        call_id: expect.stringMatching(/^call_/),
        name: 'lookup',
        arguments: '{"q":"example"}',
        status: 'completed',
      },
    ]);
    expect(json.tools).toEqual([LOOKUP]);
  });

  it('calls the function tool_choice names, and none with tool_choice none', async () => {
    const forced = await respond({ model: 'openai-gpt-4o', input: 'hello', tools: [LOOKUP], tool_choice: { type: 'function', name: 'lookup' } });
    expect(forced.json.output[0].type).toBe('function_call');
    expect(forced.json.tool_choice).toEqual({ type: 'function', name: 'lookup' });
    const none = await respond({ model: 'openai-gpt-4o', input: 'call lookup', tools: [LOOKUP], tool_choice: 'none' });
    expect(none.json.output.map((item: any) => item.type)).toEqual(['message']);
  });

  it('answers function_call_output items sent back without a stored turn', async () => {
    const { json } = await respond({
      model: 'openai-gpt-4o',
      tools: [LOOKUP],
      input: [
        { role: 'user', content: 'call lookup' },
        { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '42 results' },
      ],
    });
    expect(outputText(json)).toBe('Echo: call lookup Tool lookup returned: 42 results');
  });

  it('reports cached tokens for cache_control parts on a caching model (create, then read)', async () => {
    const body = {
      model: 'anthropic-claude-4.6-sonnet',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'A long shared context. '.repeat(20), cache_control: { type: 'ephemeral' } }, { type: 'input_text', text: 'Question?' }] }],
    };
    const first = await respond(body);
    expect(first.json.usage.input_tokens_details.cached_tokens).toBe(0);
    const second = await respond(body);
    expect(second.json.usage.input_tokens_details.cached_tokens).toBe(115);
    expect(second.json.usage.input_tokens).toBe(first.json.usage.input_tokens);
  });
});

describe('store + previous_response_id', () => {
  it('continues a stored turn: the reply quotes the previous output', async () => {
    const first = await respond({ model: 'llama3.3-70b-instruct', input: 'My name is Ada and I like very long sentences about engines.', store: true });
    expect(first.json.store).toBe(true);
    const second = await respond({ model: 'llama3.3-70b-instruct', input: 'What is my name?', previous_response_id: first.json.id });
    expect(second.status).toBe(200);
    expect(second.json.previous_response_id).toBe(first.json.id);
    const previousText = outputText(first.json);
    expect(outputText(second.json)).toBe(`Echo: What is my name? (previous turn: "${previousText.slice(0, 60)}")`);
    // The earlier turn is part of the prompt.
    expect(second.json.usage.input_tokens).toBeGreaterThan(first.json.usage.input_tokens);
  });

  it('chains three turns when each one is stored', async () => {
    const one = await respond({ model: 'llama3.3-70b-instruct', input: 'one', store: true });
    const two = await respond({ model: 'llama3.3-70b-instruct', input: 'two', store: true, previous_response_id: one.json.id });
    const three = await respond({ model: 'llama3.3-70b-instruct', input: 'three', previous_response_id: two.json.id });
    expect(outputText(three.json)).toBe(`Echo: three (previous turn: "${outputText(two.json).slice(0, 60)}")`);
    expect(outputText(two.json)).toBe('Echo: two (previous turn: "Echo: one")');
  });

  it('answers a stored function call with function_call_output alone', async () => {
    const call = await respond({ model: 'openai-gpt-4o', input: 'call lookup', tools: [LOOKUP], store: true });
    const callId = call.json.output[0].call_id;
    const { json } = await respond({
      model: 'openai-gpt-4o',
      tools: [LOOKUP],
      previous_response_id: call.json.id,
      input: [{ type: 'function_call_output', call_id: callId, output: 'sunny' }],
    });
    expect(outputText(json)).toBe('Echo: call lookup Tool lookup returned: sunny (previous turn: "")');
  });

  it('does not carry the previous instructions over', async () => {
    const first = await respond({ model: 'llama3.3-70b-instruct', input: 'hi', instructions: 'X'.repeat(400), store: true });
    const second = await respond({ model: 'llama3.3-70b-instruct', input: 'hi', previous_response_id: first.json.id });
    expect(second.json.usage.input_tokens).toBeLessThan(first.json.usage.input_tokens);
  });

  it.each([
    ['an unknown id', async () => 'resp_doesnotexist'],
    ['an id that was not stored (store defaults to false)', async () => (await respond({ model: 'llama3.3-70b-instruct', input: 'x' })).json.id],
    ['an id stored under another key', async () => (await respond({ model: 'llama3.3-70b-instruct', input: 'x', store: true }, OTHER_KEY)).json.id],
  ])('answers 404 DO-style naming %s', async (_name, makeId) => {
    const id = await makeId();
    const { status, json } = await respond({ model: 'llama3.3-70b-instruct', input: 'again', previous_response_id: id });
    expect(status).toBe(404);
    expect(json).toEqual({ id: 'not_found', message: expect.stringContaining(`'${id}'`), request_id: expect.any(String) });
  });

  it('forgets stored responses on reset()', async () => {
    const first = await respond({ model: 'llama3.3-70b-instruct', input: 'x', store: true });
    emu.control.reset();
    expect((await respond({ model: 'llama3.3-70b-instruct', input: 'y', previous_response_id: first.json.id })).status).toBe(404);
  });
});
