/** Checksums the media containers need, built from their specs (Node 20 has no zlib.crc32). */

function table(poly: number, reflected: boolean): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = reflected ? n : n << 24;
    for (let k = 0; k < 8; k++) {
      if (reflected) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
      else c = c & 0x80000000 ? (c << 1) ^ poly : c << 1;
    }
    t[n] = c >>> 0;
  }
  return t;
}

const CRC32 = table(0xedb88320, true);
const OGG_CRC = table(0x04c11db7, false);

/** CRC-32 of PNG chunks (ISO 3309, reflected). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC32[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Ogg page CRC (RFC 3533: poly 0x04c11db7, not reflected, init 0, no final xor). */
export function oggCrc(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) c = ((c << 8) ^ OGG_CRC[((c >>> 24) ^ b) & 0xff]) >>> 0;
  return c >>> 0;
}

/** FLAC frame header CRC-8 (poly 0x07). */
export function crc8(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

/** FLAC frame CRC-16 (poly 0x8005). */
export function crc16(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) {
    c ^= b << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}
