import { startEmulator, type Emulator } from '../../emulator';
import { postJson, sseData, userSays } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

async function stream(body: Record<string, unknown>): Promise<{ res: Response; raw: string; chunks: any[]; payloads: string[] }> {
  const res = await postJson(`${emu.url}/v1/chat/completions`, { stream: true, ...body });
  const raw = await res.text();
  const payloads = sseData(raw);
  const chunks = payloads.filter((p) => p !== '[DONE]').map((p) => JSON.parse(p));
  return { res, raw, chunks, payloads };
}

describe('chat streaming', () => {
  it('frames role chunk, content deltas, finish chunk, usage chunk and [DONE]', async () => {
    const { res, chunks, payloads } = await stream({
      model: 'llama3.3-70b-instruct',
      messages: userSays('Tell me something interesting about octopuses'),
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('ratelimit-remaining')).toBeTruthy();
    expect(payloads[payloads.length - 1]).toBe('[DONE]');
    expect(payloads.filter((p) => p === '[DONE]')).toHaveLength(1);

    expect(chunks[0].choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
    expect(new Set(chunks.map((c) => c.model))).toEqual(new Set(['llama3.3-70b-instruct']));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);

    const contentDeltas = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentDeltas.length).toBeGreaterThanOrEqual(3);
    expect(contentDeltas.map((c) => c.choices[0].delta.content).join('')).toBe('Echo: Tell me something interesting about octopuses');

    const finish = chunks[chunks.length - 2];
    expect(finish.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' });
    expect(finish.usage).toBeNull();

    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 13, total_tokens: 25, cache_read_input_tokens: 0 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('leaves usage out of the chunks without include_usage', async () => {
    const { chunks } = await stream({ model: 'llama3.3-70b-instruct', messages: userSays('hi') });
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
  });

  it('streams reasoning_content deltas before content for reasoning models', async () => {
    const { chunks } = await stream({ model: 'openai-gpt-oss-120b', messages: userSays('why?') });
    const kinds = chunks.map((c) => Object.keys(c.choices[0].delta).join(','));
    const firstReasoning = kinds.indexOf('reasoning_content');
    const firstContent = kinds.indexOf('content');
    expect(firstReasoning).toBeGreaterThan(0);
    expect(firstContent).toBeGreaterThan(firstReasoning);
    const reasoning = chunks.map((c) => c.choices[0].delta.reasoning_content ?? '').join('');
    expect(reasoning).toContain('The user wrote: "why?"');
  });

  it('streams tool calls: id/type/name first, then the arguments in pieces', async () => {
    const { chunks } = await stream({
      model: 'openai-gpt-4o',
      messages: userSays('call lookup now'),
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }],
    });
    const toolDeltas = chunks.filter((c) => c.choices[0]?.delta.tool_calls).map((c) => c.choices[0].delta.tool_calls[0]);
    expect(toolDeltas[0]).toEqual({ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '' } });
    const argumentPieces = toolDeltas.slice(1).map((d) => d.function.arguments);
    expect(argumentPieces.length).toBeGreaterThanOrEqual(2);
    expect(toolDeltas.slice(1).every((d) => d.id === undefined && d.index === 0)).toBe(true);
    expect(JSON.parse(argumentPieces.join(''))).toEqual({ q: 'example' });
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
  });

  it('carries the router-chosen model in every chunk and the route header', async () => {
    const { res, chunks } = await stream({ model: 'router:software-engineering', messages: userSays('there is a bug in my app') });
    expect(res.headers.get('x-model-router-selected-route')).toBe('debugging');
    expect(chunks.every((c) => c.model === 'openai-gpt-5.2')).toBe(true);
  });

  it('writes frames one by one with streamChunkDelayMs between them', async () => {
    emu.control.configure({ streamChunkDelayMs: 40 });
    const res = await postJson(`${emu.url}/v1/chat/completions`, { model: 'llama3.3-70b-instruct', stream: true, messages: userSays('hello world') });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const arrivals: number[] = [];
    const started = Date.now();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      arrivals.push(Date.now() - started);
    }
    // role + 3 content + finish + [DONE] = 6 frames, 5 gaps of 40 ms
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    expect(arrivals[arrivals.length - 1]).toBeGreaterThanOrEqual(180);
  });
});
