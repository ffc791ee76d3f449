import { request } from 'node:http';
import { startEmulator, audioMagic, type Emulator } from '../../emulator';
import { crc16, crc8, oggCrc } from '../../emulator/media/checksums';
import { AUTH, postJson, readJson } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const MODEL = 'qwen3-tts-voicedesign';

/** Raw HTTP so the transfer encoding and the number of body pieces are visible. */
function speak(body: Record<string, unknown>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; pieces: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}/v1/audio/speech`, { method: 'POST', headers: AUTH }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), pieces: chunks.length }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model: MODEL, input: 'Hello from the emulator, this is a test.', voice: 'alloy', ...body }));
  });
}

describe('POST /v1/audio/speech', () => {
  it('defaults to mp3 (audio/mpeg), chunked in several writes, no Content-Length', async () => {
    const res = await speak({});
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/mpeg');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.pieces).toBeGreaterThan(1);
    expect(audioMagic(res.body)).toBe('mp3');
    expect(res.body.toString('latin1', 0, 3)).toBe('ID3');
    expect(res.body[10]).toBe(0xff); // first MPEG frame right after the 10-byte ID3 header
    expect(res.body[11] & 0xe0).toBe(0xe0);
  });

  it('wav: RIFF/WAVE PCM header fields match the data', async () => {
    const { headers, body } = await speak({ response_format: 'wav', instructions: 'Speak naturally.' });
    expect(headers['content-type']).toBe('audio/wav');
    expect(audioMagic(body)).toBe('wav');
    expect(body.readUInt32LE(4)).toBe(body.length - 8);
    expect(body.toString('latin1', 12, 16)).toBe('fmt ');
    expect(body.readUInt16LE(20)).toBe(1); // PCM
    expect(body.readUInt16LE(22)).toBe(1); // mono
    expect(body.readUInt32LE(24)).toBe(24000);
    expect(body.readUInt32LE(28)).toBe(48000);
    expect(body.readUInt16LE(34)).toBe(16);
    expect(body.toString('latin1', 36, 40)).toBe('data');
    expect(body.readUInt32LE(40)).toBe(body.length - 44);
  });

  it('speed shortens the audio', async () => {
    const normal = await speak({ response_format: 'pcm' });
    const fast = await speak({ response_format: 'pcm', speed: 2 });
    expect(normal.headers['content-type']).toBe('audio/pcm');
    expect(normal.body.length % 2).toBe(0); // s16le
    expect(fast.body.length).toBeCloseTo(normal.body.length / 2, -1);
  });

  it('opus: Ogg pages with valid CRCs, OpusHead first', async () => {
    const { headers, body } = await speak({ response_format: 'opus' });
    expect(headers['content-type']).toBe('audio/opus');
    expect(audioMagic(body)).toBe('opus');
    let i = 0;
    let pages = 0;
    while (i < body.length) {
      expect(body.toString('latin1', i, i + 4)).toBe('OggS');
      const segments = body[i + 26];
      const size = 27 + segments + [...body.subarray(i + 27, i + 27 + segments)].reduce((a, b) => a + b, 0);
      const page = Buffer.from(body.subarray(i, i + size));
      const crc = page.readUInt32LE(22);
      page.writeUInt32LE(0, 22);
      expect(oggCrc(page)).toBe(crc);
      if (pages === 0) expect(page.toString('latin1', 28, 36)).toBe('OpusHead');
      i += size;
      pages += 1;
    }
    expect(i).toBe(body.length);
    expect(pages).toBeGreaterThan(2);
  });

  it('aac: ADTS frames (0xFFF1) whose lengths tile the body', async () => {
    const { headers, body } = await speak({ response_format: 'aac' });
    expect(headers['content-type']).toBe('audio/aac');
    expect(audioMagic(body)).toBe('aac');
    let i = 0;
    while (i < body.length) {
      expect(body.readUInt16BE(i)).toBe(0xfff1);
      const length = ((body[i + 3] & 3) << 11) | (body[i + 4] << 3) | (body[i + 5] >> 5);
      expect(length).toBeGreaterThan(7);
      i += length;
    }
    expect(i).toBe(body.length);
  });

  it('flac: fLaC + STREAMINFO, frames with correct CRC-8 and CRC-16', async () => {
    const { headers, body } = await speak({ response_format: 'flac' });
    expect(headers['content-type']).toBe('audio/flac');
    expect(audioMagic(body)).toBe('flac');
    expect(body[4]).toBe(0x80); // last block, STREAMINFO
    expect(body.readUIntBE(5, 3)).toBe(34);
    let i = 42;
    let frames = 0;
    while (i < body.length) {
      expect(body.readUInt16BE(i)).toBe(0xfff8);
      const numberBytes = body[i + 4] < 0x80 ? 1 : 2;
      const headerEnd = i + 4 + numberBytes;
      expect(body[headerEnd]).toBe(crc8(body.subarray(i, headerEnd)));
      const end = headerEnd + 1 + 3; // CONSTANT subframe: 1 + 2 bytes
      expect(body.readUInt16BE(end)).toBe(crc16(body.subarray(i, end)));
      i = end + 2;
      frames += 1;
    }
    expect(i).toBe(body.length);
    const totalSamples = body.readUInt32BE(22); // low 32 bits of the 36-bit count (STREAMINFO bytes 14–17)
    expect(totalSamples).toBe(frames * 4096);
  });

  it("speechResponse 'json' answers {data:[{b64_json}]}", async () => {
    emu.control.configure({ speechResponse: 'json' });
    const res = await postJson(`${emu.url}/v1/audio/speech`, { model: MODEL, input: 'hi', response_format: 'wav' });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await readJson(res);
    expect(audioMagic(Buffer.from(json.data[0].b64_json, 'base64'))).toBe('wav');
  });

  it.each([
    [{ input: '' }, 'input'],
    [{ input: undefined }, 'input'],
    [{ response_format: 'ogg' }, 'response_format'],
    [{ speed: 5 }, 'speed'],
    [{ speed: 0.1 }, 'speed'],
    [{ voice: 3 }, 'voice'],
    [{ model: 'openai-gpt-image-1' }, 'model'],
  ])('400 for %j naming %s', async (patch, field) => {
    const res = await postJson(`${emu.url}/v1/audio/speech`, { model: MODEL, input: 'hi', ...patch });
    expect(res.status).toBe(400);
    expect((await readJson(res)).message).toContain(field);
  });
});
