/**
 * A minimal baseline JPEG (SOF0, 3 components YCbCr 4:4:4, 8×8 blocks) of one flat colour.
 * Quantisation is all ones; each block's DC is the level-shifted colour × 8 and every AC is zero,
 * so the entropy data is just DC differences + EOB. The AC table holds the single symbol EOB
 * (0x00, code "0"), which decoders accept (a one-code table is complete enough for libjpeg).
 */
import { MsbBitWriter } from './bits';
import type { Rgba } from './png';

/** ITU T.81 Annex K.3 luminance DC table. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0x00];

/** Canonical Huffman codes from the BITS/HUFFVAL lists (T.81 Annex C). */
function huffmanCodes(bits: number[], values: number[]): Map<number, { code: number; length: number }> {
  const codes = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]; i++) codes.set(values[k++], { code: code++, length });
    code <<= 1;
  }
  return codes;
}

const DC_CODES = huffmanCodes(DC_BITS, DC_VALUES);
const EOB = huffmanCodes(AC_BITS, AC_VALUES).get(0)!;

function segment(marker: number, data: number[]): number[] {
  const length = data.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...data];
}

function toYCbCr({ r, g, b }: Rgba): number[] {
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return [
    clamp(0.299 * r + 0.587 * g + 0.114 * b),
    clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b),
    clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b),
  ];
}

function writeDcDiff(out: MsbBitWriter, diff: number): void {
  const magnitude = Math.abs(diff);
  const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
  const { code, length } = DC_CODES.get(category)!;
  out.write(code, length);
  if (category > 0) out.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
}

export function encodeJpeg(width: number, height: number, color: Rgba): Buffer {
  const app0 = segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF 1.01
  const dqt = segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]);
  const sof0 = segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  const table = (cls: number, bits: number[], values: number[]) => [(cls << 4) | 0, ...bits, ...values];
  const dht = segment(0xc4, [...table(0, DC_BITS, DC_VALUES), ...table(1, AC_BITS, AC_VALUES)]);
  const sos = segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);

  const dc = toYCbCr(color).map((v) => (v - 128) * 8); // flat block: F(0,0) = 8 × level-shifted value
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = new MsbBitWriter();
  for (let i = 0; i < blocks; i++) {
    for (let c = 0; c < 3; c++) {
      writeDcDiff(bits, i === 0 ? dc[c] : 0); // DC is coded as the difference to the previous block
      bits.write(EOB.code, EOB.length);
    }
  }
  const entropy: number[] = [];
  for (const byte of bits.finish(1)) {
    entropy.push(byte);
    if (byte === 0xff) entropy.push(0x00); // byte stuffing
  }
  return Buffer.from([0xff, 0xd8, ...app0, ...dqt, ...sof0, ...dht, ...sos, ...entropy, 0xff, 0xd9]);
}
