/**
 * Presigned-looking links on the CDN origin, like the S3-style URLs DO's video results are said to use
 * (S0: "presigned download URLs", purged with the result): `/signed/<name>?X-Amz-Algorithm=…&X-Amz-Date=…
 * &X-Amz-Expires=…&X-Amz-Signature=…`. The signature is an HMAC of the name, date and lifetime with the
 * emulator's key, so a tampered or expired link answers 403 AccessDenied as S3 would.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNED_PREFIX = '/signed/';
/** Lifetime of a link (UNVERIFIED; S3's presigned links commonly last an hour). */
export const PRESIGN_EXPIRES_SECONDS = 3600;

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

/** A link's lifetime and the path prefix it lives under (signed too, so a download link cannot upload). */
export interface PresignOptions {
  expiresSeconds?: number;
  prefix?: string;
}

function signature(key: Buffer, prefix: string, name: string, date: string, expires: string): string {
  return createHmac('sha256', key).update(`${prefix}${name}\n${date}\n${expires}`).digest('hex');
}

/** Path and query of a fresh link to `name`. */
export function presignedPath(key: Buffer, name: string, now = Date.now(), options: PresignOptions = {}): string {
  const { expiresSeconds = PRESIGN_EXPIRES_SECONDS, prefix = SIGNED_PREFIX } = options;
  const date = amzDate(now);
  const expires = String(expiresSeconds);
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Date': date,
    'X-Amz-Expires': expires,
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': signature(key, prefix, name, date, expires),
  });
  return `${prefix}${encodeURIComponent(name)}?${query}`;
}

/**
 * Why a link is refused ('expired' or 'signature'), or undefined when it is valid now. A lifetime of
 * 0 s is expired from the start (tests use it for "the link expired before it was used").
 */
export function checkPresigned(
  key: Buffer,
  name: string,
  query: URLSearchParams,
  now = Date.now(),
  prefix = SIGNED_PREFIX,
): 'expired' | 'signature' | undefined {
  const date = query.get('X-Amz-Date') ?? '';
  const expires = query.get('X-Amz-Expires') ?? '';
  const given = Buffer.from(query.get('X-Amz-Signature') ?? '', 'hex');
  const wanted = Buffer.from(signature(key, prefix, name, date, expires), 'hex');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'signature';
  const start = parseAmzDate(date);
  if (!Number.isFinite(start) || now >= start + Number(expires) * 1000) return 'expired';
  return undefined;
}
