/** Real images for /v1/images/generations: one flat colour per (prompt, index), at the exact requested size. */
import { createHash } from 'node:crypto';
import { encodePng, type Rgba } from '../media/png';
import { encodeJpeg } from '../media/jpeg';
import { encodeWebp } from '../media/webp';

export const IMAGE_MIME = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;

/** `auto` → 1024x1024 (what S1's example reports). */
export function resolveSize(size: string): { width: number; height: number; label: string } {
  const label = size === 'auto' ? '1024x1024' : size;
  const [width, height] = label.split('x').map(Number);
  return { width, height, label };
}

export function colorFor(prompt: string, index: number): Rgba {
  const digest = createHash('sha256').update(`${index}:${prompt}`).digest();
  return { r: digest[0], g: digest[1], b: digest[2], a: 128 + (digest[3] >> 1) };
}

export function renderImage(format: keyof typeof IMAGE_MIME, width: number, height: number, color: Rgba, transparent: boolean): Buffer {
  if (format === 'jpeg') return encodeJpeg(width, height, color);
  if (format === 'webp') return encodeWebp(width, height, color, transparent);
  return encodePng(width, height, color, transparent);
}
