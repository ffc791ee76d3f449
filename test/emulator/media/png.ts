/** A real PNG of one flat colour: IHDR, one zlib IDAT, IEND, each with its CRC. Decodes anywhere. */
import { deflateSync } from 'node:zlib';
import { crc32 } from './checksums';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** `alpha` → colour type 6 (RGBA), else 2 (RGB); 8 bits per sample. */
export function encodePng(width: number, height: number, color: Rgba, alpha: boolean): Buffer {
  const channels = alpha ? 4 : 3;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = alpha ? 6 : 2;
  const row = Buffer.alloc(1 + width * channels); // filter byte 0 (None) + pixels
  const px = alpha ? [color.r, color.g, color.b, color.a] : [color.r, color.g, color.b];
  for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) row[1 + x * channels + c] = px[c];
  const raw = Buffer.alloc(row.length * height);
  for (let y = 0; y < height; y++) row.copy(raw, y * row.length);
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
