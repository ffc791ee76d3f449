/**
 * Real (silent or tone) audio in each /v1/audio/speech format, each starting with its real magic:
 * mp3 = ID3v2 tag + MPEG-1 Layer III frames, wav = RIFF/WAVE PCM, opus = Ogg pages (OpusHead,
 * OpusTags, silence packets), aac = ADTS frames (0xFFF1) with empty AAC-LC blocks, flac = fLaC +
 * STREAMINFO + CONSTANT-subframe frames (CRC-8/16), pcm = raw s16le mono at 24 kHz (OpenAI's pcm).
 */
import { crc16, crc8, oggCrc } from './checksums';
import { MsbBitWriter } from './bits';

export type SpeechFormat = 'mp3' | 'wav' | 'opus' | 'aac' | 'flac' | 'pcm';
export const SPEECH_MIME: Record<SpeechFormat, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  opus: 'audio/opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};
export const PCM_SAMPLE_RATE = 24000;

export function encodeAudio(format: SpeechFormat, seconds: number): Buffer {
  switch (format) {
    case 'mp3':
      return mp3(seconds);
    case 'wav':
      return wav(pcmTone(seconds));
    case 'pcm':
      return pcmTone(seconds);
    case 'opus':
      return oggOpus(seconds);
    case 'aac':
      return adtsAac(seconds);
    case 'flac':
      return flac(seconds);
  }
}

/** 440 Hz at low volume, s16le mono 24 kHz. */
export function pcmTone(seconds: number): Buffer {
  const samples = Math.round(seconds * PCM_SAMPLE_RATE);
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / PCM_SAMPLE_RATE)), i * 2);
  return out;
}

export function wav(pcm: Buffer, sampleRate = PCM_SAMPLE_RATE): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono: 417-byte frames of 1152 samples; zero side info = silence. */
function mp3(seconds: number): Buffer {
  const frames = Math.max(1, Math.ceil((seconds * 44100) / 1152));
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  const id3 = Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]); // ID3v2.4, no frames
  return Buffer.concat([id3, ...new Array<Buffer>(frames).fill(frame)]);
}

function oggPage(headerType: number, granule: bigint, serial: number, sequence: number, packets: Buffer[]): Buffer {
  const lacing: number[] = [];
  for (const packet of packets) {
    let left = packet.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
  }
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[5] = headerType;
  header.writeBigUInt64LE(granule, 6);
  header.writeUInt32LE(serial, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  header.set(lacing, 27);
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** RFC 7845 Ogg Opus: OpusHead, OpusTags, then 20 ms CELT silence packets (F8 FF FE), 50 per page. */
function oggOpus(seconds: number): Buffer {
  const serial = 0x454d5531;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(24000, 12); // input sample rate (informational)
  const vendor = Buffer.from('do-emulator');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  const pages = [oggPage(0x02, 0n, serial, 0, [head]), oggPage(0x00, 0n, serial, 1, [tags])];
  const packets = Math.max(1, Math.ceil(seconds * 50));
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  let sequence = 2;
  for (let done = 0; done < packets; ) {
    const count = Math.min(50, packets - done);
    done += count;
    const granule = BigInt(312 + done * 960);
    pages.push(oggPage(done === packets ? 0x04 : 0x00, granule, serial, sequence++, new Array<Buffer>(count).fill(silence)));
  }
  return Buffer.concat(pages);
}

/** ADTS AAC-LC, 24 kHz mono; each raw block = one SCE with max_sfb 0 (silence) + END. */
function adtsAac(seconds: number): Buffer {
  const block = Buffer.from([0x00, 0x00, 0x00, 0x07]); // SCE tag 0, gain 0, ics_info zeros, no tools, then ID_END (111)
  const length = 7 + block.length;
  const bits = new MsbBitWriter();
  bits.write(0xfff, 12); // sync
  bits.write(0, 1); // MPEG-4
  bits.write(0, 2); // layer
  bits.write(1, 1); // protection absent (no CRC)
  bits.write(1, 2); // profile: AAC LC (object type 2 − 1)
  bits.write(6, 4); // 24000 Hz
  bits.write(0, 1); // private
  bits.write(1, 3); // channel configuration: mono
  bits.write(0, 4); // original, home, copyright id/start
  bits.write(length, 13);
  bits.write(0x7ff, 11); // buffer fullness: VBR
  bits.write(0, 2); // one raw data block
  const frame = Buffer.concat([Buffer.from(bits.finish()), block]);
  const frames = Math.max(1, Math.ceil((seconds * 24000) / 1024));
  return Buffer.concat(new Array<Buffer>(frames).fill(frame));
}

/** FLAC, 24 kHz 16-bit mono, fixed 4096-sample blocks, each a CONSTANT subframe of 0 (silence). */
function flac(seconds: number): Buffer {
  const blockSize = 4096;
  const frames = Math.max(1, Math.ceil((seconds * 24000) / blockSize));
  const info = new MsbBitWriter();
  info.write(1, 1); // last metadata block
  info.write(0, 7); // STREAMINFO
  info.write(34, 24);
  info.write(blockSize, 16);
  info.write(blockSize, 16);
  info.write(0, 24); // min frame size unknown
  info.write(0, 24); // max frame size unknown
  info.write(24000, 20);
  info.write(0, 3); // channels − 1
  info.write(15, 5); // bits per sample − 1
  const total = frames * blockSize;
  info.write(Math.floor(total / 2 ** 32), 4);
  info.write(total >>> 0, 32);
  const streamInfo = Buffer.concat([Buffer.from(info.finish()), Buffer.alloc(16)]); // MD5 0 = unknown
  const out: Buffer[] = [Buffer.from('fLaC', 'latin1'), streamInfo];
  for (let n = 0; n < frames; n++) {
    // Frame number in FLAC's UTF-8-like coding; frames stay < 2048 here (≤ 2 bytes).
    const number = n < 0x80 ? [n] : [0xc0 | (n >> 6), 0x80 | (n & 0x3f)];
    const header = Buffer.from([0xff, 0xf8, 0xc7, 0x08, ...number]); // 4096 samples, 24 kHz, mono, 16 bit
    const body = Buffer.concat([header, Buffer.from([crc8(header)]), Buffer.from([0x00, 0x00, 0x00])]); // CONSTANT 0
    const crc = Buffer.alloc(2);
    crc.writeUInt16BE(crc16(body));
    out.push(body, crc);
  }
  return Buffer.concat(out);
}
