/**
 * Long-running child processes for the queue-mode test (Redis, `n8n start`, `n8n worker`).
 *
 * Every process runs in its own process group (so n8n's task runners go with it), is bounded by a
 * hard lifetime, has its output captured in memory (and copied to a log file) and is killed — the
 * whole group — by `stop()`, by `stopAll()` and when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

const live = new Set<Service>();
process.once('exit', () => {
	for (const service of live) service.killNow();
});

export interface ServiceOptions {
	/** Name in messages ("redis", "n8n main", "n8n worker"). */
	name: string;
	command: string;
	args: string[];
	env: NodeJS.ProcessEnv;
	cwd?: string;
	/** Hard lifetime: the group is killed after this long whatever happens (default 20 min). */
	maxLifetimeMs?: number;
	/** Also append everything the process prints to this file. */
	logFile?: string;
}

export class Service {
	private output = '';
	private readonly child: ChildProcess;
	private readonly lifetime: NodeJS.Timeout;
	private readonly exited: Promise<void>;
	private logFd: number | undefined;
	exitCode: number | null = null;
	exitSignal: NodeJS.Signals | null = null;
	running = true;

	constructor(readonly options: ServiceOptions) {
		this.logFd = options.logFile ? fs.openSync(options.logFile, 'a') : undefined;
		this.child = spawn(options.command, options.args, {
			cwd: options.cwd,
			env: options.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true, // own process group
		});
		live.add(this);
		const onData = (chunk: Buffer): void => {
			const text = chunk.toString('utf8');
			if (this.output.length < 32 * 1024 * 1024) this.output += text;
			if (this.logFd !== undefined) fs.writeSync(this.logFd, text);
		};
		this.child.stdout!.on('data', onData);
		this.child.stderr!.on('data', onData);
		this.exited = new Promise((resolve) => {
			const done = (code: number | null, signal: NodeJS.Signals | null): void => {
				if (!this.running) return;
				this.running = false;
				this.exitCode = code;
				this.exitSignal = signal;
				clearTimeout(this.lifetime);
				live.delete(this);
				this.killGroup('SIGKILL'); // leftovers of the group (task runners)
				if (this.logFd !== undefined) fs.closeSync(this.logFd);
				this.logFd = undefined;
				resolve();
			};
			this.child.on('error', (err) => {
				onData(Buffer.from(`\n[spawn error] ${err.message}\n`));
				done(null, null);
			});
			this.child.on('close', done);
		});
		this.lifetime = setTimeout(() => {
			onData(Buffer.from(`\n[test] ${options.name} killed: lifetime of ${options.maxLifetimeMs} ms exceeded\n`));
			this.killGroup('SIGKILL');
		}, options.maxLifetimeMs ?? 20 * 60_000);
		this.lifetime.unref();
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	/** Everything the process printed so far (stdout and stderr interleaved). */
	get log(): string {
		return this.output;
	}

	/** The last `lines` lines of output, for error messages. */
	tail(lines = 40): string {
		return this.output.split('\n').slice(-lines).join('\n');
	}

	private killGroup(signal: NodeJS.Signals): void {
		if (this.child.pid === undefined) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			/* group already gone */
		}
	}

	/** SIGKILL to the whole group, without waiting. */
	killNow(): void {
		this.killGroup('SIGKILL');
	}

	/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process has exited. */
	async stop(graceMs = 5_000): Promise<void> {
		if (!this.running) return;
		this.killGroup('SIGTERM');
		const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
		await this.exited;
		clearTimeout(timer);
	}

	/** Resolves when the output matches `pattern`; fails when the process exits or `timeoutMs` passes. */
	async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
		return this.waitFor(
			`output matching ${pattern}`,
			() => this.output.match(pattern) ?? undefined,
			timeoutMs,
		);
	}

	/** Polls `check` (every 250 ms) until it returns a value; fails when the process exits or on timeout. */
	async waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = await check();
			if (value !== undefined) return value;
			if (!this.running) {
				throw new Error(
					`${this.options.name} exited (${this.exitCode ?? this.exitSignal}) while waiting for ${what}\n--- output (tail) ---\n${this.tail()}`,
				);
			}
			if (Date.now() > deadline) {
				throw new Error(`${this.options.name}: no ${what} after ${timeoutMs} ms\n--- output (tail) ---\n${this.tail()}`);
			}
			await sleep(250);
		}
	}
}

export function startService(options: ServiceOptions): Service {
	return new Service(options);
}

/** Stops every service still running (in reverse start order). */
export async function stopAll(graceMs = 5_000): Promise<void> {
	for (const service of [...live].reverse()) await service.stop(graceMs);
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The absolute path of `command` on PATH, or undefined. */
export function which(command: string, pathValue = process.env.PATH ?? ''): string | undefined {
	for (const dir of pathValue.split(':')) {
		if (!dir) continue;
		const candidate = `${dir}/${command}`;
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) return candidate;
		} catch {
			/* not here */
		}
	}
	return undefined;
}
