/** The HTTP server: dispatches control vs /v1 traffic and tracks sockets so close() never hangs. */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EmulatorState } from './state';
import { AGENT_PATH_PREFIX } from './auth';
import { CONTROL_PREFIX, handleControl } from './control';
import { handleInference } from './pipeline';
import { buildRouter } from './routes';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Paths that go through auth, faults, quota, the log and the stats: /v1 and the agent endpoint's /api/v1. */
function isInferencePath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/') || path.startsWith(AGENT_PATH_PREFIX);
}

export function listen(state: EmulatorState, port: number): Promise<RunningServer> {
  const router = buildRouter();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://emulator.invalid').pathname;
    const work = path.startsWith(CONTROL_PREFIX)
      ? handleControl(req, res, state, path)
      : isInferencePath(path)
        ? handleInference(req, res, state, router)
        : notInferencePath(res);
    work.catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator bug: ${error.stack ?? error.message}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    state.counters.connected();
    socket.setNoDelay(true); // SSE frames must leave one by one
    socket.once('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const address = server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://${HOST}:${boundPort}`,
        close: () => closeServer(server, sockets),
      });
    });
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  });
}

async function notInferencePath(res: ServerResponse): Promise<void> {
  const payload = JSON.stringify({ id: 'not_found', message: 'The resource you were accessing could not be found.' });
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}
