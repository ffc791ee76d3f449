/**
 * `n8n start` as a child process: hermetic environment (the N8nHome's, plus the server settings from
 * shared/reference/real-n8n.md), output to a log file and a ring buffer, readiness by polling
 * GET /rest/settings, and a clean stop of the whole process group (n8n plus its task runners).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

import type { N8nHome } from '../../test/e2e/harness';

export interface N8nServerOptions {
	port: number;
	/** n8n's stdout and stderr are written here (truncated at start). */
	logFile: string;
	/** Give up waiting for readiness after this long (default 5 min: the machine may be busy). */
	readyTimeoutMs?: number;
	/** Extra environment (wins over the defaults). */
	env?: Record<string, string>;
}

export interface N8nServer {
	readonly url: string;
	readonly pid: number;
	/** Resolves when the n8n main process has exited (for whatever reason). */
	readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	/** The last `lines` lines n8n printed. */
	logTail(lines?: number): string;
	/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the group is gone. */
	stop(graceMs?: number): Promise<void>;
}

/** Whether something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES'));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
	});
}

function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* group already gone */
	}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `n8n start` in `home` and waits until its REST API answers. Kills it if that fails. */
export async function startN8nServer(home: N8nHome, options: N8nServerOptions): Promise<N8nServer> {
	const { port } = options;
	const url = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = {
		...home.env,
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_EDITOR_BASE_URL: `${url}/`,
		WEBHOOK_URL: `${url}/`,
		// Ctrl-C should not wait 30 s for n8n's graceful shutdown.
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		...options.env,
	};

	const log = fs.openSync(options.logFile, 'w', 0o600);
	const child = spawn(home.install.nodeBin, [home.install.n8nBin, 'start'], {
		cwd: home.folder,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true, // own process group: n8n + task runners stop together, Ctrl-C reaches us only
	});
	const killOnExit = (): void => signalGroup(child, 'SIGKILL');
	process.once('exit', killOnExit);

	const ring: string[] = [];
	let partial = '';
	let logOpen = true;
	const onData = (chunk: Buffer): void => {
		if (logOpen) {
			try {
				fs.writeSync(log, chunk);
			} catch {
				/* disk full or similar: the ring buffer still has the tail */
			}
		}
		const lines = (partial + chunk.toString('utf8')).split('\n');
		partial = lines.pop() ?? '';
		ring.push(...lines);
		if (ring.length > 400) ring.splice(0, ring.length - 400);
	};
	child.stdout!.on('data', onData);
	child.stderr!.on('data', onData);
	const logTail = (lines = 40): string => [...ring, partial].filter((l) => l !== '').slice(-lines).join('\n');

	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
		child.once('error', () => resolve({ code: null, signal: null }));
		child.once('exit', (code, signal) => resolve({ code, signal }));
	});
	let hasExited = false;
	void exited.then(() => {
		hasExited = true;
	});
	// 'close' comes after the last output chunk (unlike 'exit').
	child.once('close', () => {
		logOpen = false;
		fs.closeSync(log);
	});

	const stop = async (graceMs = 7_000): Promise<void> => {
		process.removeListener('exit', killOnExit);
		if (child.pid === undefined) return;
		signalGroup(child, 'SIGTERM');
		const deadline = Date.now() + graceMs;
		while (Date.now() < deadline && (!hasExited || groupAlive(child.pid))) await sleep(100);
		// Whatever is left (n8n past its deadline, a task runner that outlived it) goes now.
		signalGroup(child, 'SIGKILL');
		while (groupAlive(child.pid) && Date.now() < deadline + 3_000) await sleep(50);
		await Promise.race([exited, sleep(1_000)]);
	};

	const server: N8nServer = { url, pid: child.pid ?? -1, exited, logTail, stop };
	try {
		await waitReady(url, options.readyTimeoutMs ?? 5 * 60_000, () => hasExited);
	} catch (err) {
		await stop(2_000);
		throw new Error(`${(err as Error).message}\n--- n8n output (last lines, full log: ${options.logFile}) ---\n${logTail()}`);
	}
	return server;
}

/** Polls GET /rest/settings until it answers 200 with JSON (earlier health endpoints answer too soon). */
async function waitReady(url: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (hasExited()) throw new Error('n8n exited while starting');
		try {
			const res = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(5_000) });
			if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
				await res.json();
				return;
			}
			await res.body?.cancel();
		} catch {
			/* not listening yet */
		}
		await sleep(500);
	}
	throw new Error(`n8n did not answer GET ${url}/rest/settings within ${Math.round(timeoutMs / 1000)} s`);
}
