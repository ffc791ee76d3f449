/** Model access key check (§1.2): `Authorization: Bearer <key>` on every /v1 route. */
import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from './errors';

export function bearerToken(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match ? match[1] : null;
}

/** Returns the accepted key, or throws 401 DO-style. */
export function authenticate(headers: IncomingHttpHeaders, keys: ReadonlySet<string>): string {
  const token = bearerToken(headers);
  if (token === null || !keys.has(token)) throw unauthorized();
  return token;
}
