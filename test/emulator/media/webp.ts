/**
 * A lossless WebP (VP8L) of one flat colour. Every prefix code is a "simple" one-symbol code, which
 * has zero-length codes: the pixels then take no bits at all (the way libwebp encodes 1-colour images).
 */
import { LsbBitWriter } from './bits';
import type { Rgba } from './png';

export function encodeWebp(width: number, height: number, color: Rgba, alpha: boolean): Buffer {
  const bits = new LsbBitWriter();
  bits.write(0x2f, 8); // VP8L signature
  bits.write(width - 1, 14);
  bits.write(height - 1, 14);
  bits.write(alpha ? 1 : 0, 1); // alpha_is_used (a hint)
  bits.write(0, 3); // version
  bits.write(0, 1); // no transform
  bits.write(0, 1); // no colour cache
  bits.write(0, 1); // no meta prefix codes
  const simpleCode = (symbol: number, eightBits: boolean) => {
    bits.write(1, 1); // simple code
    bits.write(0, 1); // one symbol
    bits.write(eightBits ? 1 : 0, 1);
    bits.write(symbol, eightBits ? 8 : 1);
  };
  simpleCode(color.g, true); // green (+ length + cache) alphabet
  simpleCode(color.r, true);
  simpleCode(color.b, true);
  simpleCode(alpha ? color.a : 255, true);
  simpleCode(0, false); // distance
  const data = Buffer.from(bits.finish());
  const padded = data.length % 2 === 1 ? Buffer.concat([data, Buffer.alloc(1)]) : data;
  const header = Buffer.alloc(20);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(12 + padded.length, 4);
  header.write('WEBP', 8, 'latin1');
  header.write('VP8L', 12, 'latin1');
  header.writeUInt32LE(data.length, 16);
  return Buffer.concat([header, padded]);
}
