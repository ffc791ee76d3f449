/** Decoders the emulator tests use to prove media files are valid, not just magic-prefixed. */
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../emulator/media/checksums';

/** Walks every PNG chunk checking its CRC, inflates IDAT and checks the scanline byte count. */
export function decodePng(bytes: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let i = 8;
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  let colorType = 0;
  let sawEnd = false;
  while (i < bytes.length) {
    const length = bytes.readUInt32BE(i);
    const type = bytes.toString('latin1', i + 4, i + 8);
    const data = bytes.subarray(i + 8, i + 8 + length);
    expect(bytes.readUInt32BE(i + 8 + length)).toBe(crc32(bytes.subarray(i + 4, i + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9];
    }
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') sawEnd = true;
    i += 12 + length;
  }
  expect(sawEnd).toBe(true);
  const pixels = inflateSync(Buffer.concat(idat));
  const channels = colorType === 6 ? 4 : 3;
  expect(pixels.length).toBe(height * (1 + width * channels));
  return { width, height, colorType, pixels };
}

/**
 * Baseline JPEG check: walks the segments, builds the Huffman tables from DHT and decodes every
 * block of the scan (DC + AC run-lengths), which must end exactly at EOI.
 */
export function decodeJpeg(bytes: Buffer): { width: number; height: number; components: number; blocks: number } {
  expect(bytes[0]).toBe(0xff);
  expect(bytes[1]).toBe(0xd8);
  let i = 2;
  let width = 0;
  let height = 0;
  let components = 0;
  const tables = new Map<number, Map<string, number>>();
  const scanTables: Array<{ dc: number; ac: number }> = [];
  for (;;) {
    expect(bytes[i]).toBe(0xff);
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    const seg = bytes.subarray(i + 4, i + 2 + length);
    if (marker === 0xc0) {
      height = seg.readUInt16BE(1);
      width = seg.readUInt16BE(3);
      components = seg[5];
    } else if (marker === 0xc4) {
      let p = 0;
      while (p < seg.length) {
        const id = seg[p];
        const counts = [...seg.subarray(p + 1, p + 17)];
        const values = seg.subarray(p + 17, p + 17 + counts.reduce((a, b) => a + b, 0));
        const map = new Map<string, number>();
        let code = 0;
        let k = 0;
        counts.forEach((count, len) => {
          for (let c = 0; c < count; c++) map.set((code++).toString(2).padStart(len + 1, '0'), values[k++]);
          code <<= 1;
        });
        tables.set(id, map);
        p += 17 + values.length;
      }
    } else if (marker === 0xda) {
      for (let c = 0; c < seg[0]; c++) scanTables.push({ dc: seg[2 + c * 2] >> 4, ac: 0x10 | (seg[2 + c * 2] & 15) });
      i += 2 + length;
      break;
    }
    i += 2 + length;
  }
  // Unstuff the entropy-coded data up to EOI.
  const data: number[] = [];
  for (; ; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0x00) {
      data.push(0xff);
      i++;
    } else if (bytes[i] === 0xff) break;
    else data.push(bytes[i]);
  }
  expect(bytes.subarray(i)).toEqual(Buffer.from([0xff, 0xd9]));
  const bitString = data.map((b) => b.toString(2).padStart(8, '0')).join('');
  let pos = 0;
  const readSymbol = (table: Map<string, number>): number => {
    for (let len = 1; len <= 16; len++) {
      const symbol = table.get(bitString.slice(pos, pos + len));
      if (symbol !== undefined) {
        pos += len;
        return symbol;
      }
    }
    throw new Error(`no Huffman code at bit ${pos}`);
  };
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  for (let b = 0; b < blocks; b++) {
    for (const { dc, ac } of scanTables) {
      const category = readSymbol(tables.get(dc)!);
      pos += category; // the DC difference's bits
      for (let k = 1; k < 64; ) {
        const rs = readSymbol(tables.get(ac)!);
        if (rs === 0) break; // EOB
        pos += rs & 15;
        k += (rs >> 4) + 1;
      }
    }
  }
  expect(bitString.length - pos).toBeLessThan(8); // only the 1-bit padding is left
  expect(/^1*$/.test(bitString.slice(pos))).toBe(true);
  return { width, height, components, blocks };
}
