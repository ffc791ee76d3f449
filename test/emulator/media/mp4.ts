/**
 * A valid-looking MP4: an `ftyp` box, then one `mdat` box of filler up to the requested size.
 * Generated in chunks so a 200 MB file is streamed, never held in memory (memory tests).
 * Not playable (no `moov`); every client check we know of sniffs only the ftyp box.
 */

const CHUNK_BYTES = 64 * 1024;
export const MIN_MP4_BYTES = 40;

export function ftypBox(): Buffer {
  const box = Buffer.alloc(32);
  box.writeUInt32BE(32, 0);
  box.write('ftypisom', 4, 'latin1');
  box.writeUInt32BE(0x200, 12); // minor version
  box.write('isomiso2avc1mp41', 16, 'latin1');
  return box;
}

/** Yields exactly `totalBytes` (at least MIN_MP4_BYTES) in chunks of at most 64 KiB. */
export function* mp4Chunks(totalBytes: number): Generator<Buffer> {
  const total = Math.max(MIN_MP4_BYTES, Math.floor(totalBytes));
  const mdatSize = total - 32;
  const head = Buffer.alloc(8);
  // A box larger than 4 GiB would need the 64-bit size form; the emulator never goes there.
  head.writeUInt32BE(Math.min(mdatSize, 0xffffffff), 0);
  head.write('mdat', 4, 'latin1');
  yield Buffer.concat([ftypBox(), head]);
  const filler = Buffer.alloc(CHUNK_BYTES, 0);
  let left = mdatSize - 8;
  while (left > 0) {
    const n = Math.min(left, CHUNK_BYTES);
    yield n === CHUNK_BYTES ? filler : filler.subarray(0, n);
    left -= n;
  }
}

export function mp4Bytes(totalBytes: number): Buffer {
  return Buffer.concat([...mp4Chunks(totalBytes)]);
}
