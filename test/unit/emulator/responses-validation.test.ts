import { startEmulator, type Emulator } from '../../emulator';
import { postJson, readJson } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const RESPONSES = '/v1/responses';
const base = { model: 'llama3.3-70b-instruct', input: 'hello' };
const FLAT_TOOL = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } };

async function send(body: unknown): Promise<{ status: number; json: any }> {
  const res = await postJson(`${emu.url}${RESPONSES}`, body);
  return { status: res.status, json: await readJson(res) };
}

describe('POST /v1/responses validation (400, DO style, field named)', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['missing model', { model: undefined }, "'model'"],
    ['missing input', { input: undefined }, "'input'"],
    ['empty input array', { input: [] }, "'input' must contain at least one item"],
    ['input of another type', { input: 42 }, "'input' must be a string or an array"],
    ['item that is not an object', { input: ['hi'] }, "'input[0]' must be an input item object"],
    ['unknown item type', { input: [{ type: 'file', file_id: 'f' }] }, "'input[0].type'"],
    ['message item with a bad role', { input: [{ role: 'robot', content: 'x' }] }, "'input[0].role'"],
    ['message item without content', { input: [{ role: 'user' }] }, "'input[0].content'"],
    ['empty content array', { input: [{ role: 'user', content: [] }] }, "'input[0].content'"],
    ['unknown content part', { input: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }, "'input[0].content[0].type'"],
    ['input_text without text', { input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, "'input[0].content[0].text'"],
    ['input_image without a url string', { input: [{ role: 'user', content: [{ type: 'input_image', image_url: { url: 'x' } }] }] }, "'input[0].content[0].image_url'"],
    ['input_image over http', { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'http://example.com/a.png' }] }] }, "'input[0].content[0].image_url' must use https"],
    ['input_image in an assistant item', { input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }] }, "'input[0].content[0]'"],
    ['output_text in a user item', { input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] }, "'input[0].content[0]'"],
    ['function_call_output without call_id', { input: [{ type: 'function_call_output', output: 'x' }] }, "'input[0].call_id'"],
    ['function_call_output without output', { input: [{ type: 'function_call_output', call_id: 'c1' }] }, "'input[0].output'"],
    ['function_call without name', { input: [{ type: 'function_call', call_id: 'c1', arguments: '{}' }] }, "'input[0].name'"],
    ['tool-role item without tool_call_id', { input: [{ role: 'tool', content: 'x' }] }, "'input[0].tool_call_id'"],
    ['only reasoning items', { input: [{ type: 'reasoning', id: 'rs_1', summary: [] }] }, "'input' must contain at least one message"],
    ['max_output_tokens below 1', { max_output_tokens: 0 }, "'max_output_tokens' must be at least 1"],
    ['temperature above 2', { temperature: 2.5 }, "'temperature' must be between 0 and 2"],
    ['top_p above 1', { top_p: 1.5 }, "'top_p' must be between 0 and 1"],
    ['more than 4 stop sequences', { stop: ['a', 'b', 'c', 'd', 'e'] }, "'stop' accepts at most 4"],
    ['stream_options without stream', { stream_options: { include_usage: true } }, "'stream_options' is only allowed when 'stream' is true"],
    ['metadata with 17 pairs', { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, "'metadata' accepts at most 16"],
    ['bad reasoning effort', { reasoning: { effort: 'extreme' } }, "'reasoning.effort' must be one of none, minimal, low, medium, high, xhigh, max"],
    ['store that is not a boolean', { store: 'yes' }, "'store' must be a boolean"],
    ['instructions that are not a string', { instructions: 5 }, "'instructions' must be a string"],
    ['a nested chat-format function tool', { tools: [{ type: 'function', function: { name: 'lookup', parameters: {} } }] }, "'tools[0].name'"],
    ['a function tool with a bad name', { tools: [{ type: 'function', name: 'bad name!' }] }, "'tools[0].name'"],
    ['an unknown tool type', { tools: [{ type: 'code_interpreter' }] }, "'tools[0].type'"],
    ['tool_choice naming an unknown function', { tools: [FLAT_TOOL], tool_choice: { type: 'function', name: 'other' } }, "'tool_choice' names function \"other\""],
    ['tool_choice required without tools', { tool_choice: 'required' }, "'tool_choice' \"required\" requires 'tools'"],
    ['tool_choice of a bad shape', { tools: [FLAT_TOOL], tool_choice: 'sometimes' }, "'tool_choice' must be"],
  ])('%s', async (_name, patch, message) => {
    const { status, json } = await send({ ...base, ...patch });
    expect(status).toBe(400);
    expect(json).toEqual({ id: 'bad_request', message: expect.any(String), request_id: expect.any(String) });
    expect(json.message).toContain(message);
  });

  it('explains the flat tool format when a nested chat-format tool is sent', async () => {
    const { json } = await send({ ...base, tools: [{ type: 'function', function: { name: 'lookup' } }] });
    expect(json.message).toMatch(/flat function tools \{type: "function", name, description, parameters\}/);
  });

  it('names the parameter in OpenAI style when errorStyle is openai', async () => {
    emu.control.configure({ errorStyle: 'openai' });
    const { status, json } = await send({ ...base, tools: [{ type: 'function', function: { name: 'lookup' } }] });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param: 'tools[0].name', code: 'missing_required_parameter' });
  });

  it('accepts both tool_choice spellings for a function', async () => {
    for (const tool_choice of [{ type: 'function', name: 'lookup' }, { type: 'function', function: { name: 'lookup' } }]) {
      expect((await send({ ...base, tools: [FLAT_TOOL], tool_choice })).status).toBe(200);
    }
  });

  it('accepts every documented reasoning effort', async () => {
    for (const effort of ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']) {
      expect((await send({ ...base, reasoning: { effort } })).status).toBe(200);
    }
  });

  it('refuses embedding models (400) and unknown models (404), and honours forbiddenModels (403)', async () => {
    const embedding = await send({ ...base, model: 'qwen3-embedding-0.6b' });
    expect(embedding.status).toBe(400);
    expect(embedding.json.message).toMatch(/does not support the Responses API/);
    expect((await send({ ...base, model: 'no-such-model' })).status).toBe(404);
    expect((await send({ ...base, model: 'claude-opus-4-6' })).status).toBe(404);
    emu.control.configure({ forbiddenModels: ['llama3.3-70b-instruct'] });
    expect((await send(base)).status).toBe(403);
  });

  it('refuses images for a model without vision', async () => {
    const { status, json } = await send({
      ...base,
      input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/cat.png' }] }],
    });
    expect(status).toBe(400);
    expect(json.message).toMatch(/does not accept image input/);
  });
});
