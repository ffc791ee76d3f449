import { startEmulator, DEFAULT_KEY, type Emulator } from '../../emulator';
import { PNG_1X1_BASE64, gifBase64, postJson, readJson, readUntilReset, sseEvents } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const HEADERS = { 'x-api-key': DEFAULT_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const TOOL = { name: 'read_file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } };
const base = { model: 'anthropic-claude-4.6-sonnet', max_tokens: 4096, messages: [{ role: 'user', content: 'Summarise the plan' }] };

async function message(body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const res = await postJson(`${emu.url}/v1/messages`, body, HEADERS);
  return { status: res.status, json: await readJson(res) };
}

async function streamEvents(body: Record<string, unknown>): Promise<{ raw: string; events: { event: string | null; payload: any }[] }> {
  const res = await postJson(`${emu.url}/v1/messages`, { ...body, stream: true }, HEADERS);
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const raw = await res.text();
  return { raw, events: sseEvents(raw).map(({ event, data }) => ({ event, payload: JSON.parse(data) })) };
}

describe('POST /v1/messages replies', () => {
  it('answers with a §5.2 message', async () => {
    const { status, json } = await message(base);
    expect(status).toBe(200);
    expect(json).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'anthropic-claude-4.6-sonnet',
      content: [{ type: 'text', text: 'Echo: Summarise the plan' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, speed: 'standard' },
    });
  });

  it('serves the Anthropic-native id claude-opus-4-6, which /v1/models does not list and chat does not know', async () => {
    const { status, json } = await message({ ...base, model: 'claude-opus-4-6' });
    expect(status).toBe(200);
    expect(json.model).toBe('claude-opus-4-6');
    const models = await readJson(await fetch(`${emu.url}/v1/models`, { headers: { authorization: `Bearer ${DEFAULT_KEY}` } }));
    expect(models.data.map((m: { id: string }) => m.id)).not.toContain('claude-opus-4-6');
    const chat = await postJson(`${emu.url}/v1/chat/completions`, { model: 'claude-opus-4-6', messages: [{ role: 'user', content: 'x' }] });
    expect(chat.status).toBe(404);
  });

  it('reads the system prompt, and echoes speed in usage', async () => {
    const { json } = await message({ ...base, system: 'You are terse.', speed: 'fast' });
    expect(json.usage).toMatchObject({ input_tokens: 8, speed: 'fast' });
  });

  it('puts a thinking block first when thinking is enabled', async () => {
    const { json } = await message({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(json.content.map((b: any) => b.type)).toEqual(['thinking', 'text']);
    expect(json.content[0]).toEqual({ type: 'thinking', thinking: expect.stringContaining('The user wrote: "Summarise the plan"'), signature: expect.any(String) });
    expect(json.content[0].signature.length).toBeGreaterThan(10);
  });

  it('thinks when reasoning_effort is set, except "none"', async () => {
    const high = await message({ ...base, reasoning_effort: 'high' });
    expect(high.json.content[0]).toMatchObject({ type: 'thinking', thinking: expect.stringContaining('effort high') });
    const none = await message({ ...base, reasoning_effort: 'none' });
    expect(none.json.content.map((b: any) => b.type)).toEqual(['text']);
  });

  it('calls a tool when asked: tool_use block with parsed input, stop_reason tool_use', async () => {
    const { json } = await message({ ...base, messages: [{ role: 'user', content: 'use read_file please' }], tools: [TOOL] });
    expect(json.stop_reason).toBe('tool_use');
    expect(json.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'read_file', input: { path: 'example' } }]);
  });

  it('calls a tool when tool_choice is any or names it, never with none', async () => {
    expect((await message({ ...base, tools: [TOOL], tool_choice: { type: 'any' } })).json.stop_reason).toBe('tool_use');
    expect((await message({ ...base, tools: [TOOL], tool_choice: { type: 'tool', name: 'read_file' } })).json.content[0].name).toBe('read_file');
    const none = await message({ ...base, messages: [{ role: 'user', content: 'use read_file' }], tools: [TOOL], tool_choice: { type: 'none' } });
    expect(none.json.stop_reason).toBe('end_turn');
  });

  it('answers a tool_result', async () => {
    const { json } = await message({
      ...base,
      tools: [TOOL],
      messages: [
        { role: 'user', content: 'use read_file' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.txt' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'hello world' }] },
      ],
    });
    expect(json.stop_reason).toBe('end_turn');
    expect(json.content[0].text).toBe('Echo: use read_file Tool read_file returned: hello world');
  });

  it('reports stop_sequence and max_tokens stops', async () => {
    const stopped = await message({ ...base, stop_sequences: ['the'] });
    expect(stopped.json).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'the', content: [{ type: 'text', text: 'Echo: Summarise ' }] });
    const cut = await message({ ...base, max_tokens: 2 });
    expect(cut.json).toMatchObject({ stop_reason: 'max_tokens', stop_sequence: null, content: [{ type: 'text', text: 'Echo: Su' }] });
  });

  it('mentions the images it received', async () => {
    const { json } = await message({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1_BASE64 } },
            { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: gifBase64(2, 3) } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.webp' } },
          ],
        },
      ],
    });
    expect(json.content[0].text).toBe('Echo: Compare these I see 3 image(s) (png 1x1, gif 2x3, https URL).');
  });

  it('caches cache_control blocks: the first call creates, a repeat reads', async () => {
    const body = {
      ...base,
      system: [{ type: 'text', text: 'A long, stable system prompt. '.repeat(20), cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Shared document text. '.repeat(10), cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'Question?' }] }],
    };
    const first = await message(body);
    expect(first.json.usage).toMatchObject({ cache_creation_input_tokens: 205, cache_read_input_tokens: 0, input_tokens: 3 });
    const second = await message(body);
    expect(second.json.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 205, input_tokens: 3 });
    // Another question after the same cached prefix still reads it.
    const other = await message({ ...body, messages: [{ role: 'user', content: [body.messages[0].content[0], { type: 'text', text: 'Another one?' }] }] });
    expect(other.json.usage.cache_read_input_tokens).toBe(205);
  });
});

describe('POST /v1/messages streaming (Anthropic framing)', () => {
  it('sends event: lines matching each payload type, in the Anthropic order, without [DONE]', async () => {
    const { raw, events } = await streamEvents({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(raw).not.toContain('[DONE]');
    for (const { event, payload } of events) expect(event).toBe(payload.type);
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);

    const start = events[0].payload.message;
    expect(start).toMatchObject({ id: expect.stringMatching(/^msg_/), type: 'message', role: 'assistant', model: 'anthropic-claude-4.6-sonnet', content: [], stop_reason: null });
    expect(start.usage).toMatchObject({ input_tokens: 5, output_tokens: 0 });

    const thinkingDeltas = events.filter((e) => e.payload.delta?.type === 'thinking_delta');
    expect(thinkingDeltas.length).toBeGreaterThanOrEqual(2);
    expect(thinkingDeltas.every((e) => e.payload.index === 0)).toBe(true);
    expect(events.some((e) => e.payload.delta?.type === 'signature_delta')).toBe(true);
    expect(events[2].payload.content_block).toEqual({ type: 'thinking', thinking: '', signature: '' });

    const textStart = events.find((e) => e.event === 'content_block_start' && e.payload.index === 1);
    expect(textStart?.payload.content_block).toEqual({ type: 'text', text: '' });
    const textDeltas = events.filter((e) => e.payload.delta?.type === 'text_delta');
    expect(textDeltas.length).toBeGreaterThanOrEqual(2);
    expect(textDeltas.map((e) => e.payload.delta.text).join('')).toBe('Echo: Summarise the plan');
    expect(events.filter((e) => e.event === 'content_block_stop').map((e) => e.payload.index)).toEqual([0, 1]);

    const delta = events[events.length - 2].payload;
    expect(delta).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: expect.any(Number), speed: 'standard' } });
    expect(delta.usage.output_tokens).toBeGreaterThan(6);
  });

  it('streams tool_use input as input_json_delta pieces', async () => {
    const { events } = await streamEvents({ ...base, tools: [TOOL], tool_choice: { type: 'any' } });
    const start = events.find((e) => e.event === 'content_block_start');
    expect(start?.payload.content_block).toEqual({ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'read_file', input: {} });
    const pieces = events.filter((e) => e.payload.delta?.type === 'input_json_delta').map((e) => e.payload.delta.partial_json);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(pieces.join(''))).toEqual({ path: 'example' });
    expect(events[events.length - 2].payload.delta.stop_reason).toBe('tool_use');
  });

  it('truncate-stream ends before the first block is finished', async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream' }]);
    const { events } = await streamEvents(base);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names).not.toContain('content_block_stop');
    expect(names).not.toContain('message_stop');
  });

  it('truncate-stream afterFinish keeps the blocks, loses message_delta and message_stop', async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream', afterFinish: true }]);
    const names = (await streamEvents(base)).events.map((e) => e.event);
    expect(names[names.length - 1]).toBe('content_block_stop');
    expect(names).not.toContain('message_delta');
  });

  it('stream-error sends an Anthropic error event', async () => {
    emu.control.enqueueFaults([{ kind: 'stream-error', error: { type: 'overloaded_error', message: 'Overloaded' } }]);
    const { events } = await streamEvents(base);
    expect(events[events.length - 1]).toEqual({ event: 'error', payload: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    emu.control.enqueueFaults([{ kind: 'stream-error' }]);
    const fallback = await streamEvents(base);
    expect(fallback.events[fallback.events.length - 1].payload.error).toEqual({ type: 'api_error', message: 'The model backend failed' });
  });

  it('reset-mid-body resets the connection mid-stream', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-mid-body' }]);
    const res = await postJson(`${emu.url}/v1/messages`, { ...base, stream: true }, HEADERS);
    const received = await readUntilReset(res);
    expect(received).toContain('event: message_start');
    expect(received).not.toContain('message_stop');
  });
});
