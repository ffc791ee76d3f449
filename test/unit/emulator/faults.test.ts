import { startEmulator, type Emulator } from '../../emulator';
import { AUTH, UUID, chat, postJson, readUntilReset, sseData, userSays, waitFor } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const CHAT = '/v1/chat/completions';
const body = { model: 'llama3.3-70b-instruct', messages: userSays('Tell me a fairly long story about a lighthouse keeper') };
const lastStatus = () => emu.control.requests().at(-1)?.status;

describe('status faults', () => {
  it('answers the scripted statuses in order, then recovers', async () => {
    emu.control.enqueueFaults([
      { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
    ]);
    const first = await chat(emu.url, body);
    expect(first.res.status).toBe(429);
    expect(first.res.headers.get('retry-after')).toBe('2');
    expect(first.res.headers.get('ratelimit-remaining')).toBe('0');
    expect(first.json).toMatchObject({ id: 'too_many_requests', message: 'API rate limit exceeded.' });
    const second = await chat(emu.url, body);
    expect(second.res.status).toBe(500);
    expect(second.json).toEqual({ id: 'server_error', message: 'Unexpected server-side error', request_id: second.res.headers.get('x-request-id') });
    const third = await chat(emu.url, body);
    expect(third.res.status).toBe(503);
    expect(third.json.id).toBe('service_unavailable');
    expect(third.res.headers.get('x-request-id')).toMatch(UUID);
    expect((await chat(emu.url, body)).res.status).toBe(200);
    expect(emu.control.requests().map((r) => r.status)).toEqual([429, 500, 503, 200]);
  });

  it('only strikes requests on its path', async () => {
    emu.control.enqueueFaults([{ kind: 'status', status: 502, path: CHAT }]);
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(200);
    const { res, json } = await chat(emu.url, body);
    expect(res.status).toBe(502);
    expect(json.id).toBe('bad_gateway');
  });

  it('sends a custom body: text as text/plain, objects as JSON', async () => {
    emu.control.enqueueFaults([
      { kind: 'status', status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } },
      { kind: 'status', status: 400, body: { error: { message: 'custom', type: 'invalid_request_error' } } },
    ]);
    const html = await postJson(`${emu.url}${CHAT}`, body);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toBe('<html>Bad Gateway</html>');
    const custom = await chat(emu.url, body);
    expect(custom.json).toEqual({ error: { message: 'custom', type: 'invalid_request_error' } });
  });

  it('rejects unknown fault kinds', () => {
    expect(() => emu.control.enqueueFaults([{ kind: 'explode' } as never])).toThrow(/unknown fault kind/);
  });
});

describe('connection faults', () => {
  it('reset-before-headers makes the request fail with a socket error', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-before-headers' }]);
    await expect(postJson(`${emu.url}${CHAT}`, body)).rejects.toThrow();
    await waitFor(() => lastStatus() !== undefined);
    expect(lastStatus()).toBe(0);
  });

  it('reset-mid-body sends headers and part of the JSON, then resets', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-mid-body' }]);
    const res = await postJson(`${emu.url}${CHAT}`, body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    await expect(res.text()).rejects.toThrow();
    await waitFor(() => lastStatus() !== undefined);
    expect(lastStatus()).toBe(0);
  });

  it('reset-mid-body on a stream sends some frames, then resets', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-mid-body' }]);
    const res = await postJson(`${emu.url}${CHAT}`, { ...body, stream: true });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          received += Buffer.from(value).toString();
        }
      })(),
    ).rejects.toThrow();
    expect(received).toContain('"role":"assistant"');
    expect(received).not.toContain('[DONE]');
    await waitFor(() => lastStatus() !== undefined);
    expect(lastStatus()).toBe(0);
  });

  it('truncate-stream ends the stream cleanly without finish_reason or [DONE]', async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream' }]);
    const res = await postJson(`${emu.url}${CHAT}`, { ...body, stream: true, stream_options: { include_usage: true } });
    const payloads = sseData(await res.text());
    expect(payloads.length).toBeGreaterThanOrEqual(2);
    expect(payloads).not.toContain('[DONE]');
    const chunks = payloads.map((p) => JSON.parse(p));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((c) => c.choices[0].finish_reason === null)).toBe(true);
    await waitFor(() => lastStatus() !== undefined);
    expect(lastStatus()).toBe(200);
  });

  it('truncate-stream never reaches a finish chunk, even with several choices', async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream' }]);
    const res = await postJson(`${emu.url}${CHAT}`, { ...body, stream: true, n: 2 });
    const chunks = sseData(await res.text()).map((p) => JSON.parse(p));
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.every((c) => c.choices[0].finish_reason === null)).toBe(true);
  });

  it('truncate-stream with afterFinish cuts after the finish chunk, before usage and [DONE]', async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream', afterFinish: true }]);
    const res = await postJson(`${emu.url}${CHAT}`, { ...body, stream: true, stream_options: { include_usage: true } });
    const payloads = sseData(await res.text());
    expect(payloads).not.toContain('[DONE]');
    const chunks = payloads.map((p) => JSON.parse(p));
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
  });

  it('stream-error sends some chunks, then an error event, then ends', async () => {
    emu.control.enqueueFaults([{ kind: 'stream-error', error: { message: 'overloaded', type: 'overloaded_error' } }]);
    const res = await postJson(`${emu.url}${CHAT}`, { ...body, stream: true });
    const payloads = sseData(await res.text());
    expect(payloads).not.toContain('[DONE]');
    expect(JSON.parse(payloads[0]).choices[0].delta.role).toBe('assistant');
    expect(JSON.parse(payloads[payloads.length - 1])).toEqual({ error: { message: 'overloaded', type: 'overloaded_error' } });
  });

  it('reset-after-headers sends 200 and its headers, then resets before any byte of body: JSON and SSE', async () => {
    for (const stream of [false, true]) {
      emu.control.enqueueFaults([{ kind: 'reset-after-headers' }]);
      const res = await postJson(`${emu.url}${CHAT}`, { ...body, stream });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(stream ? /text\/event-stream/ : /application\/json/);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let received = 0;
      await expect(
        (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            received += value.length;
          }
        })(),
      ).rejects.toThrow();
      expect(received).toBe(0);
      await waitFor(() => lastStatus() !== undefined);
      expect(lastStatus()).toBe(0);
    }
  });

  it('frames places a body fault exactly: after n frames, or all but -n', async () => {
    const streamBody = { ...body, stream: true, stream_options: { include_usage: true } };
    // Each reply has its own id and time; the rest of every frame is the same.
    const frames = (raw: string) => sseData(raw).map((data) => (data === '[DONE]' ? data : { ...JSON.parse(data), id: 'x', created: 0 }));
    const all = frames(await (await postJson(`${emu.url}${CHAT}`, streamBody)).text());
    expect(all.at(-1)).toBe('[DONE]');
    emu.control.enqueueFaults([{ kind: 'truncate-stream', frames: 1 }]);
    expect(frames(await (await postJson(`${emu.url}${CHAT}`, streamBody)).text())).toEqual([all[0]]);
    emu.control.enqueueFaults([{ kind: 'truncate-stream', frames: -1 }]);
    expect(frames(await (await postJson(`${emu.url}${CHAT}`, streamBody)).text())).toEqual(all.slice(0, -1));
    emu.control.enqueueFaults([{ kind: 'stream-error', frames: 0, error: { message: 'overloaded', type: 'overloaded_error' } }]);
    expect(sseData(await (await postJson(`${emu.url}${CHAT}`, streamBody)).text())).toEqual([
      JSON.stringify({ error: { message: 'overloaded', type: 'overloaded_error' } }),
    ]);
    emu.control.enqueueFaults([{ kind: 'reset-mid-body', frames: 2 }]);
    const cut = await readUntilReset(await postJson(`${emu.url}${CHAT}`, streamBody));
    expect(frames(cut)).toEqual(all.slice(0, 2));
  });

  it('rejects frames on other kinds, non-integer frames, and frames with afterFinish', () => {
    expect(() => emu.control.enqueueFaults([{ kind: 'slow-headers', ms: 1, frames: 1 } as never])).toThrow(/frames/);
    expect(() => emu.control.enqueueFaults([{ kind: 'reset-mid-body', frames: 1.5 }])).toThrow(/frames/);
    expect(() => emu.control.enqueueFaults([{ kind: 'truncate-stream', frames: 1, afterFinish: true }])).toThrow(/not both/);
  });

  it('truncate-stream on a JSON reply behaves like reset-mid-body', async () => {
    emu.control.enqueueFaults([{ kind: 'truncate-stream' }]);
    const res = await postJson(`${emu.url}${CHAT}`, body);
    await expect(res.text()).rejects.toThrow();
  });

  it('slow-headers delays the response headers', async () => {
    emu.control.enqueueFaults([{ kind: 'slow-headers', ms: 300 }]);
    const started = Date.now();
    const res = await postJson(`${emu.url}${CHAT}`, body);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(200);
  });

  it('config.slowHeadersMs and latencyMs delay every response', async () => {
    emu.control.configure({ slowHeadersMs: 100, latencyMs: 100 });
    const started = Date.now();
    await fetch(`${emu.url}/v1/models`, { headers: AUTH });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('hang never answers, and close() still returns quickly', async () => {
    const own = await startEmulator();
    own.control.enqueueFaults([{ kind: 'hang' }]);
    const pending = postJson(`${own.url}${CHAT}`, body);
    pending.catch(() => undefined);
    await waitFor(() => own.control.stats().inFlight === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(own.control.stats().inFlight).toBe(1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
    await waitFor(() => own.control.requests()[0].status !== undefined);
    expect(own.control.requests()[0].status).toBe(0);
  });

  it('a client abort during a hang frees the in-flight slot', async () => {
    emu.control.enqueueFaults([{ kind: 'hang' }]);
    const controller = new AbortController();
    const pending = fetch(`${emu.url}${CHAT}`, { method: 'POST', headers: AUTH, body: JSON.stringify(body), signal: controller.signal });
    await waitFor(() => emu.control.stats().inFlight === 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => emu.control.stats().inFlight === 0);
  });
});

describe('random faults', () => {
  it('status5xx ratio 1 fails every request with 500', async () => {
    emu.control.configure({ faultRatio: { status5xx: 1 } });
    expect((await chat(emu.url, body)).res.status).toBe(500);
    expect((await fetch(`${emu.url}/v1/models`, { headers: AUTH })).status).toBe(500);
  });

  it('truncateStream ratio 1 truncates streams but leaves JSON replies alone', async () => {
    emu.control.configure({ faultRatio: { truncateStream: 1 } });
    const streamed = await postJson(`${emu.url}${CHAT}`, { ...body, stream: true });
    expect(await streamed.text()).not.toContain('[DONE]');
    expect((await chat(emu.url, body)).res.status).toBe(200);
  });

  it('resetMidBody ratio 1 breaks JSON replies', async () => {
    emu.control.configure({ faultRatio: { resetMidBody: 1 } });
    const res = await postJson(`${emu.url}${CHAT}`, body);
    await expect(res.text()).rejects.toThrow();
  });

  it('scripted faults take priority over random ones', async () => {
    emu.control.configure({ faultRatio: { status5xx: 1 } });
    emu.control.enqueueFaults([{ kind: 'status', status: 418 }]);
    expect((await chat(emu.url, body)).res.status).toBe(418);
    expect((await chat(emu.url, body)).res.status).toBe(500);
  });
});

describe('stats', () => {
  it('counts concurrency: maxInFlight reaches 4 with 4 slow parallel requests', async () => {
    emu.control.configure({ latencyMs: 300 });
    const requests = Array.from({ length: 4 }, () => chat(emu.url, body));
    await waitFor(() => emu.control.stats().inFlight === 4);
    const statuses = (await Promise.all(requests)).map((r) => r.res.status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    await waitFor(() => emu.control.stats().inFlight === 0);
    expect(emu.control.stats()).toMatchObject({ total: 4, inFlight: 0, maxInFlight: 4 });
  });
});
