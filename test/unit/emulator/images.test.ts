import { startEmulator, imageMagic, type Emulator } from '../../emulator';
import { postJson, readJson } from './helpers';
import { decodeJpeg, decodePng } from './media-decode';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const MODEL = 'openai-gpt-image-1';

/** S1: "always specify n and size" — every request carries both unless a test removes one (undefined). */
async function generate(body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const res = await postJson(`${emu.url}/v1/images/generations`, { model: MODEL, prompt: 'a red fox', n: 1, size: '1024x1024', ...body });
  return { status: res.status, json: await readJson(res) };
}

const image = (json: any, k = 0) => Buffer.from(json.data[k].b64_json, 'base64');

describe('POST /v1/images/generations', () => {
  it('answers the §6.2 shape with a PNG of the requested size whose CRCs and IDAT check out', async () => {
    const { status, json } = await generate({ n: 2, size: '256x256' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ background: 'opaque', output_format: 'png', quality: 'medium', size: '256x256' });
    expect(json.created).toEqual(expect.any(Number));
    expect(json.data).toHaveLength(2);
    expect(json.data[0].revised_prompt).toBe('a red fox');
    expect(json.usage).toEqual({
      input_tokens: 3,
      input_tokens_details: { text_tokens: 3, image_tokens: 0 },
      output_tokens: expect.any(Number),
      total_tokens: 3 + json.usage.output_tokens,
    });
    const png = decodePng(image(json));
    expect(png).toMatchObject({ width: 256, height: 256, colorType: 2 });
    expect(imageMagic(image(json, 1))).toEqual({ kind: 'png', width: 256, height: 256 });
    expect(image(json, 0).equals(image(json, 1))).toBe(false);
  });

  it('honours size (exact pixels) and background transparent (RGBA)', async () => {
    const { json } = await generate({ size: '1536x1024', background: 'transparent' });
    expect(json.size).toBe('1536x1024');
    expect(json.background).toBe('transparent');
    expect(decodePng(image(json))).toMatchObject({ width: 1536, height: 1024, colorType: 6 });
  });

  it('size auto → 1024x1024', async () => {
    const { json } = await generate({ size: 'auto' });
    expect(json.size).toBe('1024x1024');
    expect(imageMagic(image(json))).toEqual({ kind: 'png', width: 1024, height: 1024 });
  });

  it('output_format jpeg is a baseline JPEG whose scan decodes', async () => {
    const { json } = await generate({ size: '512x512', output_format: 'jpeg', quality: 'low' });
    expect(json).toMatchObject({ output_format: 'jpeg', quality: 'low' });
    expect(imageMagic(image(json))).toEqual({ kind: 'jpeg', width: 512, height: 512 });
    expect(decodeJpeg(image(json))).toEqual({ width: 512, height: 512, components: 3, blocks: 64 * 64 });
  });

  it('output_format webp is a lossless VP8L RIFF of the requested size', async () => {
    const { json } = await generate({ size: '1024x1536', output_format: 'webp' });
    const bytes = image(json);
    expect(imageMagic(bytes)).toEqual({ kind: 'webp', width: 1024, height: 1536 });
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.readUInt32LE(16)).toBeLessThanOrEqual(bytes.length - 20);
  });

  it('accepts unknown keys and every documented value', async () => {
    const { status } = await generate({
      n: 10, size: '256x256', quality: 'high', background: 'auto', output_format: 'png', output_compression: 100,
      moderation: 'low', user: 'u', response_format: 'b64_json', seed: 42,
    });
    expect(status).toBe(200);
  });

  it.each([
    [{ prompt: '' }, 'prompt'],
    [{ prompt: undefined }, 'prompt'],
    [{ prompt: 'x'.repeat(32001) }, 'prompt'],
    [{ n: 0 }, 'n'],
    [{ n: 11 }, 'n'],
    [{ n: 1.5 }, 'n'],
    [{ size: '800x600' }, 'size'],
    [{ quality: 'ultra' }, 'quality'],
    [{ background: 'white' }, 'background'],
    [{ output_format: 'gif' }, 'output_format'],
    [{ output_compression: 101 }, 'output_compression'],
    [{ moderation: 'high' }, 'moderation'],
    [{ user: 'u'.repeat(257) }, 'user'],
    [{ response_format: 'url' }, 'response_format'],
    [{ model: 'llama3.3-70b-instruct' }, 'model'],
  ])('400 for %j naming %s', async (patch, field) => {
    const { status, json } = await generate(patch);
    expect(status).toBe(400);
    expect(json.message).toContain(field);
  });

  it.each(['n', 'size'])('400 in the DO error body for a request without %s (S1: always specify n and size; OA: n required)', async (field) => {
    const { status, json } = await generate({ [field]: undefined });
    expect(status).toBe(400);
    expect(json).toEqual({ id: 'bad_request', message: expect.stringContaining(`'${field}'`), request_id: expect.any(String) });
  });

  it("imageNAndSize 'optional' (S2's examples omit n): without n and size → one 1024x1024 image", async () => {
    emu.control.configure({ imageNAndSize: 'optional' });
    const { status, json } = await generate({ n: undefined, size: undefined });
    expect(status).toBe(200);
    expect(json.data).toHaveLength(1);
    expect(json.size).toBe('1024x1024');
  });

  it('404 for an unknown model, 403 for a forbidden one', async () => {
    expect((await generate({ model: 'no-such-image-model' })).status).toBe(404);
    emu.control.configure({ forbiddenModels: [MODEL] });
    expect((await generate({})).status).toBe(403);
  });
});
