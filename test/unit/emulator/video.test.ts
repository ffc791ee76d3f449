import { startEmulator, DEFAULT_KEY, isMp4, keyFingerprint, type Emulator } from '../../emulator';
import { AUTH, UUID, postJson, readJson, readUntilReset } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: [DEFAULT_KEY, 'second-key'] });
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const submit = (body: Record<string, unknown> = {}, headers = AUTH) =>
  postJson(`${emu.url}/v1/video/generations`, { model: 'wan2.2-t2v-a14b', prompt: 'a cat surfing', ...body }, headers);
const get = (id: string, suffix = '', key = DEFAULT_KEY) =>
  fetch(`${emu.url}/v1/video/generations/${id}${suffix}`, { headers: { authorization: `Bearer ${key}` } });
async function submitted(body: Record<string, unknown> = {}): Promise<any> {
  const res = await submit(body);
  expect(res.status).toBe(200);
  return readJson(res);
}
const statusOf = async (id: string) => (await readJson(await get(id))).status;

describe('POST /v1/video/generations', () => {
  it('answers 200 with a queued video object', async () => {
    const before = Math.floor(Date.now() / 1000);
    const job = await submitted({ size: '832x480', fps: 24 });
    expect(job).toEqual({
      id: expect.stringMatching(/^video_[0-9a-f-]{36}$/),
      object: 'video',
      model: 'wan2.2-t2v-a14b',
      status: 'queued',
      created_at: expect.any(Number),
      size: '832x480',
      seconds: 9,
      fps: 24,
      output: null,
      error: null,
      x_request_id: null,
    });
    expect(UUID.test(job.id.slice('video_'.length))).toBe(true);
    expect(job.created_at).toBeGreaterThanOrEqual(before);
  });

  it('defaults to 1280x720 (5 s) at 16 fps', async () => {
    const job = await submitted();
    expect([job.size, job.seconds, job.fps]).toEqual(['1280x720', 5, 16]);
    expect((await submitted({ size: '720x1280' })).seconds).toBe(5);
    expect((await submitted({ size: '480x832' })).seconds).toBe(9);
  });

  it.each([
    [{ prompt: undefined }, 'prompt'],
    [{ prompt: '  ' }, 'prompt'],
    [{ model: undefined }, 'model'],
    [{ size: '1920x1080' }, 'size'],
    [{ fps: 0 }, 'fps'],
    [{ fps: 61 }, 'fps'],
    [{ fps: 12.5 }, 'fps'],
  ])('400 for %j naming %s', async (patch, field) => {
    const res = await submit(patch);
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toContain(`'${field}'`);
    expect(emu.control.jobs()).toEqual([]);
  });

  it('checks the model: other modality 400, unknown 404, forbidden 403', async () => {
    const chat = await submit({ model: 'llama3.3-70b-instruct' });
    expect(chat.status).toBe(400);
    expect((await readJson(chat)).message).toContain('not a video model');
    const unknown = await submit({ model: 'wan9' });
    expect(unknown.status).toBe(404);
    await unknown.text();
    emu.control.configure({ forbiddenModels: ['wan2.2-t2v-a14b'] });
    const forbidden = await submit();
    expect(forbidden.status).toBe(403);
    await forbidden.text();
  });
});

describe('video job states', () => {
  it('is queued for queuedMs', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 60_000 } });
    const job = await submitted();
    expect(await statusOf(job.id)).toBe('queued');
    expect((await get(job.id, '/content')).status).toBe(404);
  });

  it('is processing for processingMs, with no output or completed_at yet', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 60_000 } });
    const job = await submitted();
    const polled = await readJson(await get(job.id));
    expect(polled).toMatchObject({ status: 'processing', output: null, error: null });
    expect(polled.completed_at).toBeUndefined();
    const content = await get(job.id, '/content');
    expect(content.status).toBe(404);
    expect((await readJson(content)).message).toContain('processing');
    // the CDN file does not exist yet either
    const cdn = await fetch(`${emu.cdnUrl}/files/${job.id}.mp4`);
    expect(cdn.status).toBe(404);
    await cdn.text();
  });

  it('walks queued → processing → completed by elapsed time', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 150, processingMs: 300 } });
    const job = await submitted();
    expect(await statusOf(job.id)).toBe('queued');
    await sleep(250);
    expect(await statusOf(job.id)).toBe('processing');
    await sleep(350);
    expect(await statusOf(job.id)).toBe('completed');
  });

  it('completed (default videoOutput url): completed_at, expires_at = +7200 s, output = CDN URL of a valid MP4', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 } });
    const job = await submitted();
    const done = await readJson(await get(job.id));
    expect(done.status).toBe('completed');
    expect(done.completed_at).toBeGreaterThanOrEqual(job.created_at);
    expect(done.expires_at).toBe(done.completed_at + 7200);
    expect(done.output).toBe(`${emu.cdnUrl}/files/${job.id}.mp4`);
    const file = await fetch(done.output);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.length).toBe(64 * 1024);
    expect(isMp4(bytes)).toBe(true);
    expect(emu.control.cdnRequests().every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it("videoOutput 'object' gives {url, expires_at}; 'null' gives S2's output: null", async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoOutput: 'object' });
    const job = await submitted();
    const asObject = await readJson(await get(job.id));
    expect(asObject.output).toEqual({ url: `${emu.cdnUrl}/files/${job.id}.mp4`, expires_at: asObject.expires_at });
    emu.control.configure({ videoOutput: 'null' });
    const seedExact = await readJson(await get(job.id));
    expect(seedExact).toMatchObject({ status: 'completed', output: null, error: null, x_request_id: null, object: 'video' });
  });

  it("videoOutput 'nested' gives {video: {url, content_type}}, 'list' gives [url]", async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoOutput: 'nested' });
    const job = await submitted();
    const url = `${emu.cdnUrl}/files/${job.id}.mp4`;
    expect((await readJson(await get(job.id))).output).toEqual({ video: { url, content_type: 'video/mp4' } });
    emu.control.configure({ videoOutput: 'list' });
    expect((await readJson(await get(job.id))).output).toEqual([url]);
  });

  it("videoOutput 'redirect': a CDN URL that answers 302 to a presigned-looking link of the MP4", async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoOutput: 'redirect' });
    const job = await submitted();
    const { output } = await readJson(await get(job.id));
    expect(output).toBe(`${emu.cdnUrl}/hops/1/${job.id}.mp4`);
    const hop = await fetch(output, { redirect: 'manual' });
    expect(hop.status).toBe(302);
    const signed = new URL(hop.headers.get('location')!);
    expect(signed.origin).toBe(emu.cdnUrl);
    expect(signed.pathname).toBe(`/signed/${job.id}.mp4`);
    expect([...signed.searchParams.keys()]).toEqual(['X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']);
    const file = await fetch(signed);
    expect(file.status).toBe(200);
    expect(isMp4(Buffer.from(await file.arrayBuffer()))).toBe(true);
    // A tampered link is refused like S3 does; the plain /files/ URL still works (the CDN is public).
    signed.searchParams.set('X-Amz-Expires', '999999');
    const tampered = await fetch(signed);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>AccessDenied</Code>');
    expect(emu.control.cdnRequests().map((r) => [r.path, r.status])).toEqual([
      [`/hops/1/${job.id}.mp4`, 302],
      [`/signed/${job.id}.mp4`, 200],
      [`/signed/${job.id}.mp4`, 403],
    ]);
  });

  it('videoRedirectHops chains that many redirects before the link; a purged file is 404 behind it', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoOutput: 'redirect', videoRedirectHops: 3, videoExpiryMs: 300 });
    const job = await submitted();
    const { output } = await readJson(await get(job.id));
    const file = await fetch(output); // fetch follows up to 20 redirects
    expect(isMp4(Buffer.from(await file.arrayBuffer()))).toBe(true);
    expect(emu.control.cdnRequests().map((r) => r.path)).toEqual([3, 2, 1].map((n) => `/hops/${n}/${job.id}.mp4`).concat(`/signed/${job.id}.mp4`));
    await sleep(400);
    expect((await fetch(output)).status).toBe(404);
  });

  it("videoContent 'redirect': /content answers 302 (with the key) to the media host, where the file is", async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoOutput: 'null', videoContent: 'redirect' });
    const job = await submitted();
    const content = () => fetch(`${emu.url}/v1/video/generations/${job.id}/content`, { headers: AUTH, redirect: 'manual' });
    const res = await content();
    await res.text();
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(emu.cdnUrl);
    expect(location.pathname).toBe(`/signed/${job.id}.mp4`);
    const withKey = await fetch(location, { headers: AUTH });
    expect(withKey.status).toBe(403); // the key must never go to the media host
    await withKey.text();
    expect(isMp4(Buffer.from(await (await fetch(location)).arrayBuffer()))).toBe(true);
    emu.control.configure({ videoRedirectHops: 2 });
    const twice = await content();
    await twice.text();
    expect(twice.headers.get('location')).toBe(`${emu.cdnUrl}/hops/1/${job.id}.mp4`);
  });

  it('mediaHost sets the origin of the output URL', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, mediaHost: 'http://10.0.0.1' });
    const job = await submitted();
    expect((await readJson(await get(job.id))).output).toBe(`http://10.0.0.1/files/${job.id}.mp4`);
  });

  it('GET /content streams video/mp4 of videoBytes with Content-Length', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoBytes: 3 * 1024 * 1024 + 5 });
    const job = await submitted();
    const res = await get(job.id, '/content');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-length')).toBe(String(3 * 1024 * 1024 + 5));
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(3 * 1024 * 1024 + 5);
    expect(isMp4(bytes)).toBe(true);
  });

  it('fails when the prompt contains videoFailPrompt (configurable; "" never fails)', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 } });
    const job = await submitted({ prompt: 'please FAIL_VIDEO now' });
    const failed = await readJson(await get(job.id));
    expect(failed).toMatchObject({ status: 'failed', output: null, error: expect.stringContaining('failed') });
    expect((await get(job.id, '/content')).status).toBe(404);
    emu.control.configure({ videoFailPrompt: 'BOOM' });
    expect(await statusOf((await submitted({ prompt: 'FAIL_VIDEO' })).id)).toBe('completed');
    expect(await statusOf((await submitted({ prompt: 'a BOOM' })).id)).toBe('failed');
    emu.control.configure({ videoFailPrompt: '' });
    expect(await statusOf((await submitted({ prompt: 'BOOM' })).id)).toBe('completed');
  });

  it('expires videoExpiryMs after completion: job, /content and the CDN file answer 404', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 0, processingMs: 0 }, videoExpiryMs: 300 });
    const job = await submitted();
    const done = await readJson(await get(job.id));
    expect(done.status).toBe('completed');
    await sleep(350);
    const polled = await get(job.id);
    expect(polled.status).toBe(404);
    expect(await readJson(polled)).toEqual({ id: 'not_found', message: expect.stringContaining('expired'), request_id: expect.stringMatching(UUID) });
    const content = await get(job.id, '/content');
    expect(content.status).toBe(404);
    expect((await readJson(content)).message).toContain('expired');
    const cdn = await fetch(done.output);
    expect(cdn.status).toBe(404);
    await cdn.text();
  });

  it('unknown ids and other keys get 404', async () => {
    const missing = await get('video_nope');
    expect(missing.status).toBe(404);
    expect((await readJson(missing)).id).toBe('not_found');
    const job = await submitted();
    const other = await get(job.id, '', 'second-key');
    expect(other.status).toBe(404);
    await other.text();
    expect((await get(job.id, '/content', 'second-key')).status).toBe(404);
    expect((await get(job.id)).status).toBe(200);
  });

  it('needs auth on every route', async () => {
    const job = await submitted();
    const res = await fetch(`${emu.url}/v1/video/generations/${job.id}`);
    expect(res.status).toBe(401);
    await res.text();
  });
});

describe('video submissions: control.jobs()', () => {
  it('records each accepted submission with a key fingerprint, never the raw key; reset clears', async () => {
    const job = await submitted({ prompt: 'one' });
    await submit({ prompt: '' }).then((r) => r.text()); // 400: not a submission
    const jobs = emu.control.jobs();
    expect(jobs).toEqual([{ kind: 'video', id: job.id, key: keyFingerprint(DEFAULT_KEY), model: 'wan2.2-t2v-a14b', summary: 'one', createdAt: expect.any(Number) }]);
    expect(JSON.stringify(jobs)).not.toContain(DEFAULT_KEY);
    expect(await (await fetch(`${emu.url}/__emulator/jobs`)).json()).toEqual(jobs);
    emu.control.reset();
    expect(emu.control.jobs()).toEqual([]);
    expect((await get(job.id)).status).toBe(404);
  });

  it('reset-mid-body: the client sees a reset, yet the job WAS created (the server handled the request)', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-mid-body', path: '/v1/video/generations' }]);
    const res = await submit({ prompt: 'cut' });
    expect(res.status).toBe(200);
    await readUntilReset(res);
    expect(emu.control.jobs().map((j) => [j.kind, j.summary])).toEqual([['video', 'cut']]);
  });

  it('reset-before-headers: faults strike before the handler, so NO job is created', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-before-headers', path: '/v1/video/generations' }]);
    await expect(submit({ prompt: 'never' })).rejects.toThrow();
    expect(emu.control.jobs()).toEqual([]);
    await submitted({ prompt: 'retry' });
    expect(emu.control.jobs().map((j) => j.summary)).toEqual(['retry']);
  });
});

describe('job config keys', () => {
  it('merges nested timings and rejects bad values', () => {
    emu.control.configure({ videoTimings: { queuedMs: 5 }, asyncTimings: { runningMs: 7 } });
    emu.control.configure({ videoTimings: { processingMs: 9 } });
    expect(emu.control).toBeDefined();
    const bad: unknown[] = [
      { videoTimings: { queuedMs: -1 } },
      { videoTimings: { nope: 1 } },
      { asyncTimings: 5 },
      { videoOutput: 'link' },
      { videoContent: 'cdn' },
      { videoRedirectHops: 0 },
      { videoRedirectHops: 11 },
      { videoRedirectHops: 1.5 },
      { videoBytes: 10 },
      { videoExpiryMs: -1 },
      { asyncInvokeStatus: 201 },
      { asyncCompletedWord: 'DONE' },
      { videoFailPrompt: 1 },
    ];
    for (const patch of bad) expect(() => emu.control.configure(patch as never)).toThrow();
  });

  it('shows the merged values on GET /__emulator/config', async () => {
    emu.control.configure({ videoTimings: { queuedMs: 5 }, asyncTimings: { runningMs: 7 } });
    const config = await (await fetch(`${emu.url}/__emulator/config`)).json();
    expect(config).toMatchObject({
      videoTimings: { queuedMs: 5, processingMs: 1200 },
      asyncTimings: { queuedMs: 200, runningMs: 7 },
      videoFailPrompt: 'FAIL_VIDEO',
      videoOutput: 'url',
      videoBytes: 65536,
      videoExpiryMs: 7_200_000,
      asyncInvokeStatus: 200,
      asyncCompletedWord: 'COMPLETED',
      asyncFailPrompt: 'FAIL_JOB',
    });
  });
});
