/**
 * Deterministic embedding vectors: a PRNG (xoshiro128**) seeded by sha256(text) fills the vector,
 * which is scaled to unit length and rounded to float32, so the float and base64 encodings carry
 * exactly the same numbers. Exported (via index.ts) so tests can check a vector belongs to its text.
 */
import { createHash } from 'node:crypto';

export function expectedEmbedding(text: string, dimensions: number): number[] {
  const next = seededRandom(createHash('sha256').update(text, 'utf8').digest());
  const raw = Array.from({ length: dimensions }, () => (next() / 0x1_0000_0000) * 2 - 1);
  const norm = Math.sqrt(raw.reduce((sum, v) => sum + v * v, 0)) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

/** Little-endian float32 bytes, base64-encoded (OpenAI's `encoding_format: "base64"`). */
export function embeddingToBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

/** xoshiro128** over the first 16 bytes of the seed; returns uint32 values. */
function seededRandom(seed: Buffer): () => number {
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  if ((a | b | c | d) === 0) a = 1; // the all-zero state would only ever yield zeros
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
}
