/**
 * Image inputs for vision models (S2: PNG, JPG, JPEG, WEBP as base64 data URLs or HTTPS URLs).
 * Data URLs are decoded and their magic number must match the declared type, so a client that
 * mislabels bytes fails here as it would on DO's validating gateway.
 */
import type { ImageInfo } from './types';

export type ImageFormat = NonNullable<ImageInfo['format']>;

const DATA_URL = /^data:image\/(png|jpeg|jpg|webp);base64,(.*)$/s;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Returns what arrived, or a reason the url is unacceptable. */
export function inspectImageUrl(url: string): { info: ImageInfo } | { problem: string } {
  if (url.startsWith('data:')) return inspectDataUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'must be an https URL or a base64 data URL' };
  }
  if (parsed.protocol !== 'https:') return { problem: `must use https (got ${parsed.protocol.replace(':', '')})` };
  return { info: { source: 'https' } };
}

function inspectDataUrl(url: string): { info: ImageInfo } | { problem: string } {
  const match = DATA_URL.exec(url);
  if (!match) {
    const mime = /^data:([^;,]*)/.exec(url)?.[1] || 'unknown';
    if (!/^image\/(png|jpeg|jpg|webp)$/.test(mime)) {
      return { problem: `unsupported image type ${mime}; use image/png, image/jpeg or image/webp` };
    }
    return { problem: 'data URL must be base64-encoded (data:<mime>;base64,<data>)' };
  }
  const declared: ImageFormat = match[1] === 'jpg' ? 'jpeg' : (match[1] as ImageFormat);
  return inspectBase64Image(match[2], declared);
}

/** Base64 image bytes whose magic number must match the declared format (also used by /v1/messages). */
export function inspectBase64Image(data: string, declared: ImageFormat): { info: ImageInfo } | { problem: string } {
  if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) return { problem: 'contains invalid base64 data' };
  const bytes = Buffer.from(data, 'base64');
  const actual = sniffFormat(bytes);
  if (actual === null) return { problem: `bytes are not a valid ${declared} image` };
  if (actual !== declared) return { problem: `declares image/${declared} but the bytes are ${actual}` };
  return { info: { source: 'data', format: actual, ...dimensions(bytes, actual) } };
}

export function sniffFormat(bytes: Buffer): ImageFormat | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'gif';
  return null;
}

function dimensions(bytes: Buffer, format: ImageFormat): { width?: number; height?: number } {
  try {
    if (format === 'png' && bytes.length >= 24) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    if (format === 'jpeg') return jpegDimensions(bytes);
    if (format === 'webp') return webpDimensions(bytes);
    if (format === 'gif' && bytes.length >= 10) return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  } catch {
    // Truncated header: the format is known, the size is not.
  }
  return {};
}

function jpegDimensions(bytes: Buffer): { width?: number; height?: number } {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return {};
    const marker = bytes[offset + 1];
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return {};
}

function webpDimensions(bytes: Buffer): { width?: number; height?: number } {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  }
  return {};
}

/** e.g. "png 1x1", "https URL". */
export function describeImage(info: ImageInfo): string {
  if (info.source === 'https') return 'https URL';
  const size = info.width !== undefined && info.height !== undefined ? `${info.width}x${info.height}` : 'unknown size';
  return `${info.format} ${size}`;
}
