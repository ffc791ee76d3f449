/**
 * A tiny forward proxy on 127.0.0.1 for tests: CONNECT tunnels (what undici sends for every target) and
 * absolute-form requests, each recorded, so a test proves a request really went through it.
 */
import { createServer, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface TestProxy {
	url: string;
	/** `CONNECT host:port` or `GET http://…`, in arrival order. */
	log: string[];
	close(): Promise<void>;
}

export async function startTestProxy(): Promise<TestProxy> {
	const log: string[] = [];
	const sockets = new Set<Socket>();
	const server = createServer((req, res) => {
		log.push(`${req.method} ${req.url}`);
		const target = new URL(req.url ?? '');
		const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (reply) => {
			res.writeHead(reply.statusCode ?? 502, reply.headers);
			reply.pipe(res);
		});
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	server.on('connect', (req, client: Socket) => {
		log.push(`CONNECT ${req.url}`);
		const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
		const upstream = connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.pipe(client);
			client.pipe(upstream);
		});
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('error', () => undefined);
			socket.once('close', () => sockets.delete(socket));
		}
		upstream.on('error', () => client.destroy());
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}`,
		log,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
