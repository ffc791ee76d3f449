/**
 * The second origin ("CDN"): serves job media at GET /files/<name> without auth, like fal's and DO's
 * presigned media hosts. A request carrying an Authorization header gets 403 and is recorded, so
 * tests can prove a client never leaks its API key to a media host (issue 4).
 * `GET /files/large-<N>.mp4` streams an N-byte MP4 for memory tests. `/signed/<name>?X-Amz-…` serves a
 * file behind a presigned-looking link (403 AccessDenied once expired or tampered with),
 * `/hops/<n>/<name>` redirects n times before such a link, and `/goto?to=<url>[&status=3xx]` answers a
 * redirect to any URL (a misbehaving media host: a loop, a `file:` URL, another host).
 * `PUT /uploads/<file_id>.jsonl?X-Amz-…` receives batch input files (cdn/upload.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CdnRequest } from '../types';
import type { EmulatorState } from '../state';
import type { RunningServer } from '../server';
import { flattenHeaders } from '../requestLog';
import { mp4Chunks } from '../media/mp4';
import type { MediaFile } from './files';
import { checkPresigned, presignedPath, SIGNED_PREFIX } from './presign';
import { receiveUpload, s3Error, UPLOADS_PREFIX } from './upload';

const HOST = '127.0.0.1';
const LARGE_MP4 = /^large-(\d{1,12})\.mp4$/;
/** Keeps a typo from streaming for hours; not a real CDN limit. */
const MAX_LARGE_BYTES = 8 * 1024 ** 3;
export const FILES_PREFIX = '/files/';
const HOPS_PREFIX = '/hops/';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function listenCdn(state: EmulatorState): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    serve(req, res, state).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator cdn bug: ${error.message}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://${HOST}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

/** The URL that reaches `name` after `hops` more redirects: `/hops/<hops>/<name>`, or (0) a presigned link. */
export function redirectChainUrl(origin: string, key: Buffer, name: string, hops: number): string {
  return hops > 0 ? `${origin}${HOPS_PREFIX}${hops}/${encodeURIComponent(name)}` : `${origin}${presignedPath(key, name)}`;
}

async function serve(req: IncomingMessage, res: ServerResponse, state: EmulatorState): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://cdn.invalid');
  const path = url.pathname;
  const record: CdnRequest = { path, headers: flattenHeaders(req.headers), status: 0 };
  state.cdnLog.push(record);
  const answer = (status: number, message: string): void => {
    record.status = status;
    const payload = Buffer.from(message);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(payload.length) });
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
  // Checked first, on every path: a leaked key is the bug, whatever was asked for.
  if (req.headers.authorization !== undefined) return answer(403, 'Authorization header not allowed on the media host');
  if (path.startsWith(UPLOADS_PREFIX)) return req.method === 'PUT' ? receiveUpload(req, res, state, url, record) : answer(405, 'method not allowed');
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'method not allowed');
  const redirect = (status: number, location: string): void => {
    res.setHeader('location', location);
    answer(status, `redirecting to ${location}`);
  };
  if (path === '/goto') {
    const status = Number(url.searchParams.get('status') ?? 302);
    const to = url.searchParams.get('to');
    if (!to || !REDIRECT_STATUSES.has(status)) return answer(400, 'goto needs ?to=<url> and an optional 301/302/303/307/308 status');
    return redirect(status, to);
  }
  const hops = /^\/hops\/(\d{1,2})\/([^/]+)$/.exec(path);
  if (hops) {
    const origin = `http://${req.headers.host ?? 'cdn.invalid'}`;
    return redirect(302, redirectChainUrl(origin, state.signingKey, decodeURIComponent(hops[2]), Number(hops[1]) - 1));
  }
  let name: string;
  if (path.startsWith(SIGNED_PREFIX)) {
    name = decodeURIComponent(path.slice(SIGNED_PREFIX.length));
    const refused = checkPresigned(state.signingKey, name, url.searchParams);
    if (refused) {
      const message = refused === 'expired' ? 'Request has expired' : 'The request signature we calculated does not match the signature you provided.';
      return answer(403, s3Error('AccessDenied', message));
    }
  } else if (path.startsWith(FILES_PREFIX)) {
    name = decodeURIComponent(path.slice(FILES_PREFIX.length));
  } else {
    return answer(404, 'not found');
  }
  const file = largeFile(name) ?? state.files.get(name);
  if (!file) return answer(404, 'not found (unknown or purged)');
  record.status = 200;
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.size), 'cache-control': 'private, max-age=7200' });
  if (req.method === 'HEAD') return void res.end();
  await writeChunks(res, file.chunks());
}

function largeFile(name: string): MediaFile | undefined {
  const match = LARGE_MP4.exec(name);
  if (!match) return undefined;
  const size = Math.min(Number(match[1]), MAX_LARGE_BYTES);
  return { contentType: 'video/mp4', size: Math.max(size, 40), chunks: () => mp4Chunks(size) };
}

/** Honours backpressure: waits for 'drain' so a slow reader never makes the emulator buffer the file. */
export async function writeChunks(res: ServerResponse, chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end();
}
