/**
 * Access key checks (§1.2, §12.2). /v1 routes take a model access key as `Authorization: Bearer`;
 * /v1/messages also takes it as Anthropic's `x-api-key` (S2; either is accepted). The agent endpoint
 * (/api/v1/…) takes agent access keys only, and model keys are refused there (and vice versa).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from './errors';

export const AGENT_PATH_PREFIX = '/api/v1/';
const X_API_KEY_PATHS = new Set(['/v1/messages']);

export interface AuthScope {
  keys: ReadonlySet<string>;
  allowXApiKey: boolean;
}

export function authScopeFor(path: string, modelKeys: ReadonlySet<string>, agentKeys: ReadonlySet<string>): AuthScope {
  if (path.startsWith(AGENT_PATH_PREFIX)) return { keys: agentKeys, allowXApiKey: false };
  return { keys: modelKeys, allowXApiKey: X_API_KEY_PATHS.has(path) };
}

export function bearerToken(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match ? match[1] : null;
}

/** Keys the request presents, x-api-key first where it counts. */
export function presentedKeys(headers: IncomingHttpHeaders, allowXApiKey: boolean): string[] {
  const keys: string[] = [];
  const apiKey = headers['x-api-key'];
  if (allowXApiKey && typeof apiKey === 'string' && apiKey.trim() !== '') keys.push(apiKey.trim());
  const bearer = bearerToken(headers);
  if (bearer !== null) keys.push(bearer);
  return keys;
}

/**
 * Returns the accepted key, or throws 401 DO-style. UNVERIFIED: with both x-api-key and Bearer sent,
 * the emulator accepts the request when either one is a valid key.
 */
export function authenticate(headers: IncomingHttpHeaders, keys: ReadonlySet<string>, allowXApiKey = false): string {
  const accepted = presentedKeys(headers, allowXApiKey).find((key) => keys.has(key));
  if (accepted === undefined) throw unauthorized();
  return accepted;
}
