/**
 * A throw-away Redis for the queue-mode test: Debian's `redis-server` on a free 127.0.0.1 port, no
 * persistence (no RDB snapshots, no AOF), its working folder in a temp dir, killed at the end.
 * Commands go over a tiny RESP client on node:net (no npm dependency).
 *
 * The test never installs Redis: `bash scripts/install-redis.sh` does (CI calls it).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { freePort } from '../e2e/harness';
import { startService, which, type Service } from './processes';

export type RespValue = string | number | null | Buffer | RespValue[] | Error;

export interface Redis {
	port: number;
	service: Service;
	/** Sends one command, resolves with its reply (errors from Redis reject). */
	command(...args: Array<string | number>): Promise<RespValue>;
	stop(): Promise<void>;
}

export const REDIS_MISSING =
	'redis-server is not installed (the queue-mode test starts its own Redis). Install it with `bash scripts/install-redis.sh` (Debian/Ubuntu: apt-get install -y redis-server), then run `npm run test:queue` again.';

/** Starts redis-server in `dir` on a free port and waits until it answers PING. */
export async function startRedis(dir: string): Promise<Redis> {
	const binary = which('redis-server');
	if (!binary) throw new Error(REDIS_MISSING);
	fs.mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const service = startService({
		name: 'redis',
		command: binary,
		args: [
			'--port', String(port),
			'--bind', '127.0.0.1',
			'--protected-mode', 'yes',
			'--save', '', // no RDB snapshots
			'--appendonly', 'no', // no AOF
			'--rdbcompression', 'no', // a manual SAVE (leak check) writes strings as they are
			'--dir', dir,
			'--dbfilename', 'dump.rdb',
			'--daemonize', 'no',
			'--loglevel', 'warning',
			'--logfile', '', // stdout
		],
		env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
		cwd: dir,
		logFile: path.join(dir, 'redis.log'),
	});
	const redis: Redis = {
		port,
		service,
		command: (...args) => respCommand(port, args),
		stop: () => service.stop(2_000),
	};
	try {
		await service.waitFor(
			'an answer to PING',
			async () => ((await respCommand(port, ['PING']).catch(() => undefined)) === 'PONG' ? true : undefined),
			20_000,
		);
	} catch (error) {
		await redis.stop();
		throw error;
	}
	return redis;
}

/** One command on a fresh connection (the test sends a handful). */
export function respCommand(port: number, args: Array<string | number>, timeoutMs = 10_000): Promise<RespValue> {
	return new Promise((resolve, reject) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let buffer = Buffer.alloc(0);
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error(`redis ${args[0]}: no reply after ${timeoutMs} ms`));
		}, timeoutMs);
		const finish = (error: Error | undefined, value?: RespValue): void => {
			clearTimeout(timer);
			socket.destroy();
			if (error) reject(error);
			else resolve(value ?? null);
		};
		socket.on('error', (error) => finish(error));
		socket.on('connect', () => {
			const parts = args.map((a) => Buffer.from(String(a)));
			const head = `*${parts.length}\r\n`;
			socket.write(
				Buffer.concat([
					Buffer.from(head),
					...parts.flatMap((p) => [Buffer.from(`$${p.length}\r\n`), p, Buffer.from('\r\n')]),
				]),
			);
		});
		socket.on('data', (chunk) => {
			buffer = Buffer.concat([buffer, chunk]);
			const parsed = parseResp(buffer, 0);
			if (!parsed) return; // incomplete
			const [value] = parsed;
			if (value instanceof Error) finish(value);
			else finish(undefined, value);
		});
	});
}

/** Parses one RESP2 value at `offset`: [value, next offset], or undefined when incomplete. */
function parseResp(buf: Buffer, offset: number): [RespValue, number] | undefined {
	const lineEnd = buf.indexOf('\r\n', offset);
	if (lineEnd < 0) return undefined;
	const type = String.fromCharCode(buf[offset]);
	const line = buf.toString('utf8', offset + 1, lineEnd);
	const next = lineEnd + 2;
	switch (type) {
		case '+':
			return [line, next];
		case '-':
			return [new Error(`redis: ${line}`), next];
		case ':':
			return [Number(line), next];
		case '$': {
			const length = Number(line);
			if (length < 0) return [null, next];
			if (buf.length < next + length + 2) return undefined;
			return [buf.subarray(next, next + length), next + length + 2];
		}
		case '*': {
			const count = Number(line);
			if (count < 0) return [null, next];
			const items: RespValue[] = [];
			let at = next;
			for (let i = 0; i < count; i++) {
				const item = parseResp(buf, at);
				if (!item) return undefined;
				items.push(item[0]);
				at = item[1];
			}
			return [items, at];
		}
		default:
			return [new Error(`redis: unexpected reply type ${JSON.stringify(type)}`), buf.length];
	}
}
