import { startEmulator, DEFAULT_KEY, audioMagic, imageMagic, keyFingerprint, type Emulator } from '../../emulator';
import { AUTH, UUID, postJson, readJson, readUntilReset } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: [DEFAULT_KEY, 'second-key'] });
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RFC3339_NANOS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
const FLUX = 'fal-ai/flux/schnell';
const TTS = 'fal-ai/elevenlabs/tts/multilingual-v2';
const AUDIO = 'fal-ai/stable-audio-25/text-to-audio';
const submit = (body: Record<string, unknown>) => postJson(`${emu.url}/v1/async-invoke`, body);
async function submitted(body: Record<string, unknown> = { model_id: FLUX, input: { prompt: 'a red fox' } }): Promise<any> {
  const res = await submit(body);
  expect(res.status).toBe(200);
  return readJson(res);
}
const poll = async (id: string, suffix = '', key = DEFAULT_KEY) =>
  fetch(`${emu.url}/v1/async-invoke/${id}${suffix}`, { headers: { authorization: `Bearer ${key}` } });
const record = async (id: string, suffix = '') => readJson(await poll(id, suffix));
const instant = () => emu.control.configure({ asyncTimings: { queuedMs: 0, runningMs: 0 } });

describe('POST /v1/async-invoke', () => {
  it('answers 200 (default) with the QUEUED record', async () => {
    const res = await submit({ model_id: 'fal-ai/fast-sdxl', input: { prompt: 'x', extra: true }, tags: [{ key: 'k', value: 'v' }] });
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body).toEqual({
      request_id: expect.stringMatching(UUID),
      model_id: 'fal-ai/fast-sdxl',
      status: 'QUEUED',
      created_at: expect.stringMatching(RFC3339_NANOS),
      started_at: null,
      completed_at: null,
      output: null,
      error: null,
    });
    expect(Math.abs(Date.parse(body.created_at) - Date.now())).toBeLessThan(5000);
  });

  it('answers 202 with asyncInvokeStatus: 202', async () => {
    emu.control.configure({ asyncInvokeStatus: 202 });
    const res = await submit({ model_id: FLUX, input: { prompt: 'x' } });
    expect(res.status).toBe(202);
    expect((await readJson(res)).status).toBe('QUEUED');
  });

  it.each([
    [{ input: { prompt: 'x' } }, 400, 'model_id'],
    [{ model_id: 'llama3.3-70b-instruct', input: { prompt: 'x' } }, 400, 'not a fal model'],
    [{ model_id: 'fal-ai/unknown-model', input: { prompt: 'x' } }, 404, 'not found'],
    [{ model_id: FLUX }, 400, "'input'"],
    [{ model_id: FLUX, input: 'a fox' }, 400, "'input' must be an object"],
    [{ model_id: FLUX, input: [] }, 400, "'input' must be an object"],
    [{ model_id: FLUX, input: {} }, 400, "'input.prompt'"],
    [{ model_id: FLUX, input: { prompt: 'x', num_images: 0 } }, 400, "'input.num_images'"],
    [{ model_id: FLUX, input: { prompt: 'x', num_images: 5 } }, 400, "'input.num_images'"],
    [{ model_id: FLUX, input: { prompt: 'x', image_size: 'huge' } }, 400, "'input.image_size'"],
    [{ model_id: TTS, input: { prompt: 'x' } }, 400, "'input.text'"],
    [{ model_id: AUDIO, input: { prompt: 'x', seconds_total: 0 } }, 400, "'input.seconds_total'"],
    [{ model_id: FLUX, input: { prompt: 'x' }, tags: { k: 'v' } }, 400, "'tags'"],
    [{ model_id: FLUX, input: { prompt: 'x' }, tags: [{ key: 'k' }] }, 400, "'tags[0]'"],
  ])('%j → %i naming %s', async (body, status, text) => {
    const res = await submit(body);
    expect(res.status).toBe(status);
    expect((await readJson(res)).message).toContain(text);
    expect(emu.control.jobs()).toEqual([]);
  });
});

describe('async-invoke states', () => {
  it('stays QUEUED for queuedMs', async () => {
    emu.control.configure({ asyncTimings: { queuedMs: 60_000 } });
    const job = await submitted();
    expect(await record(job.request_id)).toMatchObject({ status: 'QUEUED', started_at: null, output: null });
  });

  it('is IN_PROGRESS with started_at for runningMs', async () => {
    emu.control.configure({ asyncTimings: { queuedMs: 0, runningMs: 60_000 } });
    const job = await submitted();
    const running = await record(job.request_id);
    expect(running).toMatchObject({ status: 'IN_PROGRESS', completed_at: null, output: null, error: null });
    expect(running.started_at).toMatch(RFC3339_NANOS);
  });

  it('walks QUEUED → IN_PROGRESS → COMPLETED by elapsed time, on /status and on /{id}', async () => {
    emu.control.configure({ asyncTimings: { queuedMs: 150, runningMs: 300 } });
    const job = await submitted();
    expect((await record(job.request_id, '/status')).status).toBe('QUEUED');
    await sleep(250);
    expect((await record(job.request_id, '/status')).status).toBe('IN_PROGRESS');
    await sleep(350);
    const status = await record(job.request_id, '/status');
    const full = await record(job.request_id);
    expect(status).toEqual({ request_id: job.request_id, status: 'COMPLETED' });
    expect(full).toMatchObject({ request_id: job.request_id, status: 'COMPLETED', output: { images: [expect.any(Object)] }, error: null });
    expect(Date.parse(full.created_at)).toBeLessThanOrEqual(Date.parse(full.started_at));
    expect(Date.parse(full.started_at)).toBeLessThanOrEqual(Date.parse(full.completed_at));
  });

  it('/status gives only the progress by default (§9.2 promises just `status`), the full record with asyncStatusRoute: full', async () => {
    instant();
    const job = await submitted();
    expect(await record(job.request_id, '/status')).toEqual({ request_id: job.request_id, status: 'COMPLETED' });
    const failed = await submitted({ model_id: FLUX, input: { prompt: 'FAIL_JOB' } });
    expect(await record(failed.request_id, '/status')).toEqual({ request_id: failed.request_id, status: 'FAILED' });
    emu.control.configure({ asyncStatusRoute: 'full' });
    expect(await record(job.request_id, '/status')).toEqual(await record(job.request_id));
  });

  it("asyncStatusRoute: 'missing' answers /status with the unknown-route 404, while /{id} still knows the request", async () => {
    instant();
    const job = await submitted();
    emu.control.configure({ asyncStatusRoute: 'missing' });
    const res = await poll(job.request_id, '/status');
    expect(res.status).toBe(404);
    expect(await readJson(res)).toMatchObject({ id: 'not_found', message: 'The resource you were accessing could not be found.' });
    expect((await record(job.request_id)).status).toBe('COMPLETED');
    expect((await poll(job.request_id, '/status', 'no-such-key')).status).toBe(401);
  });

  it("says COMPLETE with asyncCompletedWord: 'COMPLETE'", async () => {
    instant();
    emu.control.configure({ asyncCompletedWord: 'COMPLETE' });
    const job = await submitted();
    expect((await record(job.request_id)).status).toBe('COMPLETE');
  });

  it('FAILED with an error string when the prompt / text contains asyncFailPrompt', async () => {
    instant();
    const image = await submitted({ model_id: FLUX, input: { prompt: 'do FAIL_JOB' } });
    const failed = await record(image.request_id);
    expect(failed).toMatchObject({ status: 'FAILED', output: null, error: expect.stringContaining('failed') });
    expect(failed.completed_at).toMatch(RFC3339_NANOS);
    const tts = await submitted({ model_id: TTS, input: { text: 'FAIL_JOB' } });
    expect((await record(tts.request_id)).status).toBe('FAILED');
    emu.control.configure({ asyncFailPrompt: 'NOPE' });
    const ok = await submitted({ model_id: FLUX, input: { prompt: 'FAIL_JOB' } });
    expect((await record(ok.request_id)).status).toBe('COMPLETED');
  });

  it('unknown ids and other keys get 404 DO style', async () => {
    const job = await submitted();
    for (const res of [await poll('00000000-0000-0000-0000-000000000000'), await poll(job.request_id, '/status', 'second-key'), await poll(job.request_id, '', 'second-key')]) {
      expect(res.status).toBe(404);
      expect((await readJson(res)).id).toBe('not_found');
    }
  });
});

describe('async-invoke output media on the CDN', () => {
  it('image models: num_images real JPEGs of the image_size, plus a seed', async () => {
    instant();
    const job = await submitted({ model_id: FLUX, input: { prompt: 'fox', num_images: 2, image_size: 'square' } });
    const { output } = await record(job.request_id);
    expect(output.images).toHaveLength(2);
    expect(typeof output.seed).toBe('number');
    for (const image of output.images) {
      expect(image).toEqual({ url: expect.stringContaining(`${emu.cdnUrl}/files/`), content_type: 'image/jpeg', width: 512, height: 512 });
      const res = await fetch(image.url);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(imageMagic(Buffer.from(await res.arrayBuffer()))).toEqual({ kind: 'jpeg', width: 512, height: 512 });
    }
    // default size: S1's 1024x768; the same output on every poll
    const dflt = await submitted({ model_id: 'fal-ai/fast-sdxl', input: { prompt: 'x' } });
    const first = (await record(dflt.request_id)).output;
    expect(first.images).toEqual([expect.objectContaining({ width: 1024, height: 768 })]);
    expect((await record(dflt.request_id)).output).toEqual(first);
  });

  it('TTS: audio {url, content_type audio/mpeg, file_name, file_size} of a real MP3', async () => {
    instant();
    const job = await submitted({ model_id: TTS, input: { text: 'Hello there, this is a voice-over.' } });
    const { audio } = (await record(job.request_id)).output;
    expect(audio).toEqual({ url: expect.stringContaining(`${emu.cdnUrl}/files/`), content_type: 'audio/mpeg', file_name: expect.stringMatching(/\.mp3$/), file_size: expect.any(Number) });
    const bytes = Buffer.from(await (await fetch(audio.url)).arrayBuffer());
    expect(bytes.length).toBe(audio.file_size);
    expect(audioMagic(bytes)).toBe('mp3');
  });

  it('stable-audio: audio_file of a real WAV of seconds_total', async () => {
    instant();
    const job = await submitted({ model_id: AUDIO, input: { prompt: 'rain', seconds_total: 2 } });
    const { audio_file } = (await record(job.request_id)).output;
    expect(audio_file).toMatchObject({ content_type: 'audio/wav', file_name: expect.stringMatching(/\.wav$/) });
    const bytes = Buffer.from(await (await fetch(audio_file.url)).arrayBuffer());
    expect(audioMagic(bytes)).toBe('wav');
    expect(bytes.length).toBe(audio_file.file_size);
    expect(bytes.length).toBe(44 + 2 * 24000 * 2);
    expect(emu.control.cdnRequests().every((r) => r.headers.authorization === undefined && r.status === 200)).toBe(true);
  });
});

describe('async-invoke output shapes (asyncOutputShape) and media host (mediaHost)', () => {
  const imageOutput = async (count = 2) => (await record((await submitted({ model_id: FLUX, input: { prompt: 'fox', num_images: count } })).request_id)).output;
  const urlPattern = () => expect.stringMatching(new RegExp(`^${emu.cdnUrl}/files/[0-9a-f-]+-\\d\\.jpg$`));

  it("'nested': result.files[].href with the content type", async () => {
    instant();
    emu.control.configure({ asyncOutputShape: 'nested' });
    const output = await imageOutput();
    expect(output).toEqual({ result: { files: [{ href: urlPattern(), content_type: 'image/jpeg' }, { href: urlPattern(), content_type: 'image/jpeg' }] } });
    const res = await fetch(output.result.files[1].href);
    expect(imageMagic(Buffer.from(await res.arrayBuffer()))?.kind).toBe('jpeg');
  });

  it("'strings': a list of URL strings under images (audio families: under audio)", async () => {
    instant();
    emu.control.configure({ asyncOutputShape: 'strings' });
    expect(await imageOutput()).toEqual({ images: [urlPattern(), urlPattern()] });
    const tts = await submitted({ model_id: TTS, input: { text: 'hi' } });
    expect((await record(tts.request_id)).output).toEqual({ audio: [expect.stringMatching(/\.mp3$/)] });
  });

  it("'video': {video: {url, content_type}} with the first file", async () => {
    instant();
    emu.control.configure({ asyncOutputShape: 'video' });
    const audio = await submitted({ model_id: AUDIO, input: { prompt: 'rain' } });
    const { output } = await record(audio.request_id);
    expect(output).toEqual({ video: { url: expect.stringMatching(/\.wav$/), content_type: 'audio/wav' } });
    expect(audioMagic(Buffer.from(await (await fetch(output.video.url)).arrayBuffer()))).toBe('wav');
  });

  it("'no-media': the URL only inside text, no key that names a file", async () => {
    instant();
    emu.control.configure({ asyncOutputShape: 'no-media' });
    const output = await imageOutput(1);
    expect(output).toEqual({ seed: expect.any(Number), note: expect.stringContaining(`${emu.cdnUrl}/files/`) });
  });

  it('the shape is fixed once the output is made, like the media', async () => {
    instant();
    const job = await submitted();
    const first = (await record(job.request_id)).output;
    emu.control.configure({ asyncOutputShape: 'nested' });
    expect((await record(job.request_id)).output).toEqual(first);
  });

  it('mediaHost replaces the origin of media URLs (the CDN still serves the path when it is reachable)', async () => {
    instant();
    const port = new URL(emu.cdnUrl).port;
    emu.control.configure({ mediaHost: `http://localhost:${port}` });
    const [image] = (await imageOutput(1)).images;
    expect(image.url).toMatch(new RegExp(`^http://localhost:${port}/files/`));
    expect((await fetch(image.url)).status).toBe(200);
    emu.control.configure({ mediaHost: 'http://169.254.169.254' });
    expect((await imageOutput(1)).images[0].url).toMatch(/^http:\/\/169\.254\.169\.254\/files\//);
  });

  it('refuses bad values for the new switches', () => {
    expect(() => emu.control.configure({ asyncStatusRoute: 'sometimes' as never })).toThrow(/asyncStatusRoute must be one of/);
    expect(() => emu.control.configure({ asyncOutputShape: 'weird' as never })).toThrow(/asyncOutputShape must be one of/);
    for (const host of ['ftp://x', 'http://x/path', 'not a url', 7]) {
      expect(() => emu.control.configure({ mediaHost: host as never })).toThrow(/mediaHost must be an http\(s\) origin/);
    }
  });
});

describe('async-invoke submissions: control.jobs()', () => {
  it('counts accepted submissions with the key fingerprint and an input summary', async () => {
    const image = await submitted();
    const tts = await submitted({ model_id: TTS, input: { text: 'speak' } });
    expect(emu.control.jobs()).toEqual([
      { kind: 'async', id: image.request_id, key: keyFingerprint(DEFAULT_KEY), model: FLUX, summary: 'a red fox', createdAt: expect.any(Number) },
      { kind: 'async', id: tts.request_id, key: keyFingerprint(DEFAULT_KEY), model: TTS, summary: 'speak', createdAt: expect.any(Number) },
    ]);
  });

  it('reset-mid-body creates the job; reset-before-headers does not', async () => {
    emu.control.enqueueFaults([{ kind: 'reset-mid-body', path: '/v1/async-invoke' }, { kind: 'reset-before-headers', path: '/v1/async-invoke' }]);
    const cut = await submit({ model_id: FLUX, input: { prompt: 'mid' } });
    await readUntilReset(cut);
    await expect(submit({ model_id: FLUX, input: { prompt: 'before' } })).rejects.toThrow();
    expect(emu.control.jobs().map((j) => j.summary)).toEqual(['mid']);
  });
});
