import { startEmulator, expectedEmbedding, type Emulator } from '../../emulator';
import { postJson, readJson } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const MODEL = 'qwen3-embedding-0.6b';

async function embed(body: unknown): Promise<{ status: number; json: any }> {
  const res = await postJson(`${emu.url}/v1/embeddings`, body);
  return { status: res.status, json: await readJson(res) };
}

const decode = (base64: string): number[] => {
  const bytes = Buffer.from(base64, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
};
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('expectedEmbedding()', () => {
  it('is deterministic, unit-length, float32-exact, and differs between texts', () => {
    const a = expectedEmbedding('hello', 1024);
    expect(a).toHaveLength(1024);
    expect(expectedEmbedding('hello', 1024)).toEqual(a);
    expect(norm(a)).toBeCloseTo(1, 5);
    expect(a.every((x) => Math.fround(x) === x)).toBe(true);
    expect(expectedEmbedding('hello!', 1024)).not.toEqual(a);
    expect(norm(expectedEmbedding('x', 3))).toBeCloseTo(1, 5);
  });
});

describe('POST /v1/embeddings', () => {
  it('rejects a text longer than embeddingMaxInputTokens, naming its index', async () => {
    emu.control.configure({ embeddingMaxInputTokens: 5 });
    const { status, json } = await embed({ model: MODEL, input: ['short', 'this text is far longer than twenty characters', 'ok'] });
    expect(status).toBe(400);
    expect(json.message).toMatch(/input\[1\]/);
    expect((await embed({ model: MODEL, input: ['short', 'ok'] })).status).toBe(200);
  });

  it('answers {object:"list", model, data, usage} with 1024-dim vectors by default', async () => {
    const { status, json } = await embed({ model: MODEL, input: 'The food was delicious' });
    expect(status).toBe(200);
    expect(json).toEqual({
      object: 'list',
      model: MODEL,
      data: [{ object: 'embedding', index: 0, embedding: expectedEmbedding('The food was delicious', 1024) }],
      usage: { prompt_tokens: 6, total_tokens: 6 },
    });
  });

  it('keeps input order: each vector is the one for its own text', async () => {
    emu.control.configure({ embeddingDimensions: 16 });
    const texts = Array.from({ length: 50 }, (_, i) => `item number ${i}`);
    const { json } = await embed({ model: MODEL, input: texts });
    expect(json.data.map((d: any) => d.index)).toEqual(texts.map((_, i) => i));
    json.data.forEach((d: any, i: number) => expect(d.embedding).toEqual(expectedEmbedding(texts[i], 16)));
    expect(json.usage.prompt_tokens).toBe(texts.reduce((s, t) => s + Math.ceil(t.length / 4), 0));
  });

  it('gives equal texts equal vectors, and the same vector across requests', async () => {
    emu.control.configure({ embeddingDimensions: 8 });
    const first = await embed({ model: MODEL, input: ['same', 'other', 'same'] });
    expect(first.json.data[0].embedding).toEqual(first.json.data[2].embedding);
    const again = await embed({ model: MODEL, input: 'same' });
    expect(again.json.data[0].embedding).toEqual(first.json.data[0].embedding);
  });

  it('encodes base64 as little-endian float32 bytes that decode to the float vector', async () => {
    emu.control.configure({ embeddingDimensions: 32 });
    const floats = await embed({ model: MODEL, input: ['alpha', 'beta'], encoding_format: 'float' });
    const base64 = await embed({ model: MODEL, input: ['alpha', 'beta'], encoding_format: 'base64' });
    expect(typeof base64.json.data[0].embedding).toBe('string');
    expect(Buffer.from(base64.json.data[0].embedding, 'base64')).toHaveLength(32 * 4);
    base64.json.data.forEach((d: any, i: number) => expect(decode(d.embedding)).toEqual(floats.json.data[i].embedding));
    expect(decode(base64.json.data[1].embedding)).toEqual(expectedEmbedding('beta', 32));
  });

  it('takes 2048 inputs and refuses 2049, naming the limit', async () => {
    emu.control.configure({ embeddingDimensions: 2 });
    const texts = Array.from({ length: 2049 }, (_, i) => `t${i}`);
    const ok = await embed({ model: MODEL, input: texts.slice(0, 2048) });
    expect(ok.status).toBe(200);
    expect(ok.json.data).toHaveLength(2048);
    const tooMany = await embed({ model: MODEL, input: texts });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({ id: 'bad_request', message: "'input' accepts at most 2048 strings; got 2049." });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['dimensions (additionalProperties: false)', { dimensions: 256 }, "'dimensions'"],
    ['any other unknown key', { truncate: true }, "'truncate'"],
    ['missing model', { model: undefined }, "'model'"],
    ['missing input', { input: undefined }, "'input'"],
    ['an empty input array', { input: [] }, "'input' must contain at least 1 string"],
    ['an empty string input', { input: '' }, "'input' must not be an empty string"],
    ['an empty string item', { input: ['a', '', 'c'] }, "'input[1]' must not be an empty string"],
    ['a non-string item', { input: ['a', 5] }, "'input[1]' must be a string"],
    ['token arrays', { input: [[1, 2, 3]] }, "'input[0]' must be a string"],
    ['an unknown encoding_format', { encoding_format: 'int8' }, "'encoding_format' must be one of float, base64"],
    ['a non-string user', { user: 5 }, "'user' must be a string"],
  ])('refuses %s with 400 naming it', async (_name, patch, message) => {
    const { status, json } = await embed({ model: MODEL, input: 'x', ...patch });
    expect(status).toBe(400);
    expect(json.message).toContain(message);
  });

  it('refuses chat models (400) and unknown models (404), honours forbiddenModels (403)', async () => {
    const chat = await embed({ model: 'llama3.3-70b-instruct', input: 'x' });
    expect(chat.status).toBe(400);
    expect(chat.json.message).toMatch(/not an embedding model/);
    expect((await embed({ model: 'nope-embedding', input: 'x' })).status).toBe(404);
    emu.control.configure({ forbiddenModels: [MODEL] });
    expect((await embed({ model: MODEL, input: 'x' })).status).toBe(403);
  });

  it('accepts user, and logs each request so batching is countable', async () => {
    emu.control.configure({ embeddingDimensions: 4 });
    await embed({ model: MODEL, input: ['a', 'b'], user: 'u1' });
    await embed({ model: MODEL, input: ['c'] });
    const log = emu.control.requests();
    expect(log.map((r) => [r.path, r.status])).toEqual([
      ['/v1/embeddings', 200],
      ['/v1/embeddings', 200],
    ]);
    expect((log[0].body as { input: string[] }).input).toEqual(['a', 'b']);
  });

  it('rejects a bad embeddingDimensions config', () => {
    expect(() => emu.control.configure({ embeddingDimensions: 0 })).toThrow(/embeddingDimensions/);
    expect(() => emu.control.configure({ embeddingDimensions: 1.5 })).toThrow(/embeddingDimensions/);
  });
});
