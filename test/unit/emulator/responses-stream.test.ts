import { startEmulator, type Emulator } from '../../emulator';
import { postJson, readUntilReset, sseData, sseEvents, waitFor } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const LOOKUP = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } };
const body = { model: 'llama3.3-70b-instruct', input: 'Tell me a fairly long story about a lighthouse keeper', stream: true };

async function streamRaw(extra: Record<string, unknown> = {}): Promise<{ res: Response; raw: string }> {
  const res = await postJson(`${emu.url}/v1/responses`, { ...body, ...extra });
  return { res, raw: await res.text() };
}

/** Parses an 'events' stream, checking every frame's `event:` line equals its data's `type`. */
function typedEvents(raw: string): any[] {
  return sseEvents(raw).map(({ event, data }) => {
    const payload = JSON.parse(data);
    expect(event).toBe(payload.type);
    return payload;
  });
}

describe("responses stream, 'events' format (default)", () => {
  it('sends the typed events in order, numbered, with the full response last and no [DONE]', async () => {
    const { res, raw } = await streamRaw();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(raw).not.toContain('[DONE]');
    const events = typedEvents(raw);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    expect(deltas).toBeGreaterThanOrEqual(2);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array(deltas).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[0].response).toMatchObject({ object: 'response', status: 'in_progress', output: [], usage: null });
    const itemId = events[2].item.id;
    expect(events[2]).toMatchObject({ output_index: 0, item: { type: 'message', id: expect.stringMatching(/^msg_/), status: 'in_progress', content: [] } });
    expect(events[3]).toMatchObject({ item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } });
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    expect(text).toBe('Echo: Tell me a fairly long story about a lighthouse keeper');
    expect(events.find((e) => e.type === 'response.output_text.done')).toMatchObject({ item_id: itemId, text });
    const completed = events[events.length - 1].response;
    expect(completed).toMatchObject({ id: events[0].response.id, status: 'completed', usage: { input_tokens: 14, output_tokens: 15, total_tokens: 29 } });
    expect(completed.output[0].content[0].text).toBe(text);
  });

  it('streams a reasoning item first for reasoning models', async () => {
    const events = typedEvents((await streamRaw({ model: 'openai-gpt-oss-120b' })).raw);
    const types = events.map((e) => e.type);
    expect(events[2]).toMatchObject({ type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning', content: [] } });
    expect(types.filter((t) => t === 'response.reasoning_text.delta').length).toBeGreaterThanOrEqual(2);
    const reasoningDone = types.indexOf('response.reasoning_text.done');
    expect(reasoningDone).toBeLessThan(types.indexOf('response.output_text.delta'));
    expect(events[reasoningDone].text).toContain('The user wrote:');
    expect(events.find((e) => e.type === 'response.output_item.added' && e.output_index === 1).item.type).toBe('message');
  });

  it('streams function calls: item added, argument deltas, arguments done, item done', async () => {
    const events = typedEvents((await streamRaw({ input: 'call lookup', tools: [LOOKUP] })).raw);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect(events[2].item).toMatchObject({ type: 'function_call', name: 'lookup', arguments: '', status: 'in_progress' });
    const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta');
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    expect(deltas.map((e) => e.delta).join('')).toBe('{"q":"example"}');
    expect(events.find((e) => e.type === 'response.function_call_arguments.done').arguments).toBe('{"q":"example"}');
    expect(types.slice(-2)).toEqual(['response.output_item.done', 'response.completed']);
    expect(events[events.length - 2].item).toMatchObject({ call_id: expect.stringMatching(/^call_/), status: 'completed' });
  });

  it('ends with response.incomplete when max_output_tokens cuts the reply', async () => {
    const events = typedEvents((await streamRaw({ max_output_tokens: 3 })).raw);
    expect(events[events.length - 1]).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete' } });
  });

  it('appends data: [DONE] when responsesStreamDone is on', async () => {
    emu.control.configure({ responsesStreamDone: true });
    const frames = sseEvents((await streamRaw()).raw);
    expect(frames.at(-2)?.event).toBe('response.completed');
    expect(frames.at(-1)).toEqual({ event: null, data: '[DONE]' });
  });
});

describe("responses stream, 'chunks' format", () => {
  beforeEach(() => emu.control.configure({ responsesStreamFormat: 'chunks' }));

  it('sends response.chunk objects without event lines, the usage chunk, then [DONE]', async () => {
    const { raw } = await streamRaw({ model: 'openai-gpt-oss-20b', stream_options: { include_usage: true } });
    const payloads = sseData(raw);
    expect(payloads[payloads.length - 1]).toBe('[DONE]');
    const chunks = payloads.slice(0, -1).map((p) => JSON.parse(p));
    expect(chunks.every((c) => c.object === 'response.chunk')).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].id).toMatch(/^resp_/);
    expect(chunks[0].choices[0]).toMatchObject({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null });
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('');
    expect(reasoning).toContain('The user wrote:');
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('Echo: Tell me a fairly long story about a lighthouse keeper');
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ input_tokens: 14, output_tokens_details: { reasoning_tokens: expect.any(Number) } });
  });

  it('streams function calls as chat-style tool_calls deltas', async () => {
    const chunks = sseData((await streamRaw({ input: 'call lookup', tools: [LOOKUP] })).raw)
      .slice(0, -1)
      .map((p) => JSON.parse(p));
    const calls = chunks.filter((c) => c.choices[0]?.delta.tool_calls).map((c) => c.choices[0].delta.tool_calls[0]);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'lookup', arguments: '' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"q":"example"}');
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
  });
});

describe('faults on responses streams', () => {
  it("truncate-stream stops an 'events' stream before the text is done", async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream' }]);
    const events = typedEvents((await streamRaw()).raw);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types).not.toContain('response.output_text.done');
    expect(types).not.toContain('response.completed');
  });

  it("truncate-stream afterFinish keeps every item but loses response.completed", async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream', afterFinish: true }]);
    const types = typedEvents((await streamRaw()).raw).map((e) => e.type);
    expect(types[types.length - 1]).toBe('response.output_item.done');
    expect(types).not.toContain('response.completed');
  });

  it("truncate-stream afterFinish on 'chunks' keeps the finish chunk, loses usage and [DONE]", async () => {
    emu.control.configure({ responsesStreamFormat: 'chunks' });
    emu.control.enqueueFaults([{ kind: 'truncate-stream', afterFinish: true }]);
    const payloads = sseData((await streamRaw({ stream_options: { include_usage: true } })).raw);
    expect(payloads).not.toContain('[DONE]');
    expect(JSON.parse(payloads[payloads.length - 1]).choices[0].finish_reason).toBe('stop');
  });

  it("stream-error ends an 'events' stream with OpenAI's error event", async () => {
    emu.control.enqueueFaults([{ kind: 'stream-error', error: { message: 'overloaded', type: 'overloaded_error' } }]);
    const events = typedEvents((await streamRaw()).raw);
    const last = events[events.length - 1];
    expect(last).toEqual({ type: 'error', code: 'overloaded_error', message: 'overloaded', param: null, sequence_number: events.length - 1 });
    expect(events.map((e) => e.type)).not.toContain('response.completed');
  });

  it("stream-error on 'chunks' sends a data: {error} frame", async () => {
    emu.control.configure({ responsesStreamFormat: 'chunks' });
    emu.control.enqueueFaults([{ kind: 'stream-error' }]);
    const payloads = sseData((await streamRaw()).raw);
    expect(JSON.parse(payloads[payloads.length - 1])).toEqual({ error: { message: 'The model backend failed', type: 'server_error', code: null } });
  });

  it('reset-mid-body sends some events, then resets the connection', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-mid-body' }]);
    const res = await postJson(`${emu.url}/v1/responses`, body);
    expect(res.status).toBe(200);
    const received = await readUntilReset(res);
    expect(received).toContain('event: response.created');
    expect(received).not.toContain('response.completed');
    await waitFor(() => emu.control.requests().at(-1)?.status !== undefined);
    expect(emu.control.requests().at(-1)?.status).toBe(0);
  });
});
