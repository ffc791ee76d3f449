/** `chatQuirks`: other OpenAI-compatible servers' (and S1's) shapes of the same answer, and their refusals. */
import { DEFAULT_AGENT_KEY, startEmulator, type Emulator } from '../../emulator';
import { chat, postJson, sseData, userSays } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const lookup = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } };
const plainBody = { model: 'llama3.3-70b-instruct', messages: userSays('Hello') };
const toolBody = { model: 'llama3.3-70b-instruct', messages: userSays('call lookup now'), tools: [lookup] };

async function streamChunks(body: Record<string, unknown>): Promise<any[]> {
  const res = await postJson(`${emu.url}/v1/chat/completions`, { ...body, stream: true, stream_options: { include_usage: true } });
  expect(res.status).toBe(200);
  const payloads = sseData(await res.text());
  expect(payloads.at(-1)).toBe('[DONE]');
  return payloads.slice(0, -1).map((payload) => JSON.parse(payload));
}

describe('no quirks (the default)', () => {
  it('leaves tool_calls out of a plain answer and keeps id and role', async () => {
    const { json } = await chat(emu.url, plainBody);
    expect(json.id).toMatch(/^chatcmpl-/);
    expect(json.choices[0].message).not.toHaveProperty('tool_calls');
    expect(json.choices[0].message.role).toBe('assistant');
    expect(json).not.toHaveProperty('service_tier');
  });

  it('answers a tool call with content null (OA), streams content "" first, and ends with a usage chunk without choices', async () => {
    const { json } = await chat(emu.url, toolBody);
    expect(json.choices[0].message.content).toBeNull();
    const chunks = await streamChunks(toolBody);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
  });
});

describe("'null-tool-calls'", () => {
  beforeEach(() => emu.control.configure({ chatQuirks: ['null-tool-calls'] }));

  it('sends tool_calls: null on a plain answer, and real tool calls untouched', async () => {
    const plain = await chat(emu.url, plainBody);
    expect(plain.json.choices[0].message).toMatchObject({ content: 'Echo: Hello', tool_calls: null });
    const calling = await chat(emu.url, toolBody);
    expect(calling.json.choices[0].message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '{"q":"example"}' } }]);
  });

  it('streamed: every delta without tool calls carries tool_calls: null; the usage chunk is untouched', async () => {
    const chunks = await streamChunks(plainBody);
    const deltas = chunks.filter((chunk) => chunk.choices.length > 0).map((chunk) => chunk.choices[0].delta);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.every((delta) => delta.tool_calls === null)).toBe(true);
    expect(deltas.map((delta) => delta.content ?? '').join('')).toBe('Echo: Hello');
    expect(chunks.at(-1).choices).toEqual([]);
    const calling = await streamChunks(toolBody);
    const callDeltas = calling.flatMap((chunk) => chunk.choices).map((choice) => choice.delta).filter((delta) => Array.isArray(delta.tool_calls));
    expect(callDeltas.map((delta) => delta.tool_calls[0].function.arguments).join('')).toBe('{"q":"example"}');
  });
});

describe("'empty-id-role' (S1's example)", () => {
  beforeEach(() => emu.control.configure({ chatQuirks: ['empty-id-role'] }));

  it('answers with id "", role "", audio null and service_tier null; the answer and usage are unchanged', async () => {
    const { json } = await chat(emu.url, plainBody);
    expect(json.id).toBe('');
    expect(json.service_tier).toBeNull();
    expect(json.choices[0].message).toMatchObject({ role: '', content: 'Echo: Hello', audio: null });
    expect(json.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  });

  it('streamed: every chunk has id "" and the first delta role ""', async () => {
    const chunks = await streamChunks(plainBody);
    expect(chunks.every((chunk) => chunk.id === '')).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: '', content: '' });
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role !== undefined)).toHaveLength(1);
  });
});

describe("'no-stream-with-tools'", () => {
  beforeEach(() => emu.control.configure({ chatQuirks: ['no-stream-with-tools'] }));

  it('refuses stream: true together with function tools (400 naming stream); either alone passes', async () => {
    const refused = await postJson(`${emu.url}/v1/chat/completions`, { ...toolBody, stream: true });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ id: 'bad_request', message: 'Cannot use tools with stream' });
    expect((await chat(emu.url, toolBody)).res.status).toBe(200);
    expect((await postJson(`${emu.url}/v1/chat/completions`, { ...plainBody, stream: true })).status).toBe(200);
  });
});

describe('configuration', () => {
  const config = async () => (await (await fetch(`${emu.url}/__emulator/config`)).json()) as { chatQuirks: string[] };

  it('defaults to none, takes a list of known quirks (each once), and rejects anything else', async () => {
    expect((await config()).chatQuirks).toEqual([]);
    emu.control.configure({ chatQuirks: ['empty-id-role', 'null-tool-calls', 'empty-id-role'] });
    expect((await config()).chatQuirks).toEqual(['empty-id-role', 'null-tool-calls']);
    expect(() => emu.control.configure({ chatQuirks: ['tool-calls-null'] as never })).toThrow(/chatQuirks\[\] must be one of/);
    expect(() => emu.control.configure({ chatQuirks: 'null-tool-calls' as never })).toThrow(/chatQuirks must be an array/);
    emu.control.reset();
    expect((await config()).chatQuirks).toEqual([]);
  });

  it('applies to the agent endpoint too', async () => {
    emu.control.configure({ chatQuirks: ['null-tool-calls'] });
    const res = await postJson(`${emu.url}/api/v1/chat/completions?agent=true`, plainBody, {
      authorization: `Bearer ${DEFAULT_AGENT_KEY}`,
      'content-type': 'application/json',
    });
    expect(((await res.json()) as any).choices[0].message.tool_calls).toBeNull();
  });
});
