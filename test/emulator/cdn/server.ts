/**
 * The second origin ("CDN"): serves job media at GET /files/<name> without auth, like fal's and DO's
 * presigned media hosts. A request carrying an Authorization header gets 403 and is recorded, so
 * tests can prove a client never leaks its API key to a media host (issue 4).
 * `GET /files/large-<N>.mp4` streams an N-byte MP4 for memory tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CdnRequest } from '../types';
import type { EmulatorState } from '../state';
import type { RunningServer } from '../server';
import { flattenHeaders } from '../requestLog';
import { mp4Chunks } from '../media/mp4';
import type { MediaFile } from './files';

const HOST = '127.0.0.1';
const LARGE_MP4 = /^large-(\d{1,12})\.mp4$/;
/** Keeps a typo from streaming for hours; not a real CDN limit. */
const MAX_LARGE_BYTES = 8 * 1024 ** 3;
export const FILES_PREFIX = '/files/';

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

async function serve(req: IncomingMessage, res: ServerResponse, state: EmulatorState): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://cdn.invalid').pathname;
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
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'method not allowed');
  if (!path.startsWith(FILES_PREFIX)) return answer(404, 'not found');
  const name = decodeURIComponent(path.slice(FILES_PREFIX.length));
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
