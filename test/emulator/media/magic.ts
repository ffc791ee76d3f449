/**
 * Sniffing media by magic bytes (exported for tests of the emulator and of the nodes).
 * Images also report their pixel size from the header.
 */

export type ImageKind = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageInfo {
  kind: ImageKind;
  width: number;
  height: number;
}

/** Kind and size of a PNG / JPEG / WebP (VP8L, VP8, VP8X) / GIF, or null. */
export function imageMagic(bytes: Buffer): ImageInfo | null {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') {
    return { kind: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  if (bytes.length >= 30 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return webpSize(bytes);
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 3) === 'GIF') {
    return { kind: 'gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  return null;
}

function jpegSize(bytes: Buffer): ImageInfo | null {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { kind: 'jpeg', height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return null;
}

function webpSize(bytes: Buffer): ImageInfo | null {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8L' && bytes[20] === 0x2f) {
    const bits = bytes.readUInt32LE(21);
    return { kind: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') return { kind: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8X') return { kind: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  return null;
}

export type AudioKind = 'mp3' | 'wav' | 'opus' | 'aac' | 'flac';

/** Container / stream kind of an audio file by its first bytes, or null (raw PCM has no magic). */
export function audioMagic(bytes: Buffer): AudioKind | null {
  if (bytes.length < 4) return null;
  if (bytes.toString('latin1', 0, 3) === 'ID3') return 'mp3';
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WAVE') return 'wav';
  if (bytes.toString('latin1', 0, 4) === 'OggS') return 'opus';
  if (bytes.toString('latin1', 0, 4) === 'fLaC') return 'flac';
  if (bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) return 'aac'; // ADTS: sync 12 bits, layer 00
  if (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) return 'mp3'; // MPEG audio frame sync (11 bits)
  return null;
}

/** True for an MP4/ISO-BMFF file (an `ftyp` box first). */
export function isMp4(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp';
}
