/**
 * Runs `scripts/start.ts` — what `npm start` runs after `npm run build` — exactly as a user would,
 * in a fresh n8n user folder and on free ports, and waits for its `READY {json}` line.
 *
 * The script runs in its own process group; `stop()` sends SIGTERM (the documented way to stop
 * `npm start`), waits for it to exit, SIGKILLs the group if it does not, and then checks that the
 * editor port is closed (i.e. the script really stopped the n8n it started).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { PACKAGE_ROOT, freePort } from '../e2e/harness';

/** What scripts/start.ts prints on its READY line. */
export interface ReadyInfo {
	editorUrl: string;
	email: string;
	password: string;
	emulatorUrl: string | null;
	home: string;
}

export interface StartedEditor {
	ready: ReadyInfo;
	/** Milliseconds from spawning the script to its READY line. */
	readyMs: number;
	/** Everything the script printed so far (stdout + stderr). */
	output(): string;
	/** SIGTERM, wait, SIGKILL leftovers, delete the temp folder; throws if the editor still answers. */
	stop(): Promise<void>;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* group already gone */
	}
}

function tail(text: string, lines = 60): string {
	return text.split('\n').slice(-lines).join('\n');
}

async function portAnswers(url: string): Promise<boolean> {
	try {
		await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(2_000) });
		return true;
	} catch {
		return false;
	}
}

/**
 * Spawns `tsx scripts/start.ts` with N8N_PORT, EMULATOR_PORT (free ports) and N8N_START_HOME (a
 * fresh temp folder). MODEL_ACCESS_KEY is removed from its environment so the emulator is used.
 */
export async function startEditor(options: { timeoutMs: number }): Promise<StartedEditor> {
	const script = path.join(PACKAGE_ROOT, 'scripts', 'start.ts');
	if (!fs.existsSync(script)) throw new Error(`${script} is missing: the browser test drives \`npm start\``);
	const tsx = path.join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx');
	if (!fs.existsSync(tsx)) throw new Error(`${tsx} is missing: run \`npm install\``);

	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-browser-'));
	const n8nPort = await freePort();
	const emulatorPort = await freePort();
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_PORT: String(n8nPort),
		EMULATOR_PORT: String(emulatorPort),
		N8N_START_HOME: home,
	};
	delete env.MODEL_ACCESS_KEY; // never the real API from a test

	const started = Date.now();
	const child = spawn(tsx, [script], {
		cwd: PACKAGE_ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true, // own process group: stop() reaches tsx and everything it started
	});
	const killOnExit = (): void => signalGroup(child, 'SIGKILL');
	process.once('exit', killOnExit);

	let output = '';
	const append = (d: string): void => {
		if (output.length < MAX_OUTPUT) output += d;
	};
	child.stdout!.setEncoding('utf8');
	child.stderr!.setEncoding('utf8');
	child.stderr!.on('data', append);
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
		child.on('close', (code, signal) => resolve({ code, signal }));
	});

	const removeHome = (): void => {
		fs.rmSync(home, { recursive: true, force: true });
	};

	let stopping: Promise<void> | undefined;
	const stop = (editorUrl?: string): Promise<void> => {
		stopping ??= (async () => {
			process.removeListener('exit', killOnExit);
			if (child.exitCode === null && child.signalCode === null) {
				signalGroup(child, 'SIGTERM');
				let timer: NodeJS.Timeout | undefined;
				const graceful = await Promise.race([
					exited.then(() => true),
					new Promise<boolean>((resolve) => {
						timer = setTimeout(() => resolve(false), 20_000);
					}),
				]);
				clearTimeout(timer);
				if (!graceful) {
					signalGroup(child, 'SIGKILL');
					await exited;
				}
			}
			signalGroup(child, 'SIGKILL'); // leftovers of our group, if any
			if (editorUrl) {
				// scripts/start.ts runs n8n in a group of its own: check that SIGTERM stopped it.
				const deadline = Date.now() + 15_000;
				while ((await portAnswers(editorUrl)) && Date.now() < deadline) {
					await new Promise((resolve) => setTimeout(resolve, 500));
				}
				if (await portAnswers(editorUrl)) {
					throw new Error(`n8n still answers on ${editorUrl} after scripts/start.ts got SIGTERM and exited`);
				}
			}
			removeHome();
		})();
		return stopping;
	};

	const ready = await new Promise<ReadyInfo>((resolve, reject) => {
		let buffered = '';
		const timer = setTimeout(() => {
			reject(new Error(`scripts/start.ts printed no READY line within ${options.timeoutMs / 1000} s\n${tail(output)}`));
		}, options.timeoutMs);
		child.stdout!.on('data', (d: string) => {
			append(d);
			buffered += d;
			let nl: number;
			while ((nl = buffered.indexOf('\n')) >= 0) {
				const line = buffered.slice(0, nl).trim();
				buffered = buffered.slice(nl + 1);
				if (!line.startsWith('READY ')) continue;
				clearTimeout(timer);
				try {
					resolve(JSON.parse(line.slice('READY '.length)) as ReadyInfo);
				} catch (err) {
					reject(new Error(`unparsable READY line: ${line} (${(err as Error).message})`));
				}
			}
		});
		void exited.then(({ code, signal }) => {
			clearTimeout(timer);
			reject(new Error(`scripts/start.ts exited (${code ?? signal}) before READY\n${tail(output)}`));
		});
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
	}).catch(async (err: Error) => {
		await stop();
		throw err;
	});

	return {
		ready,
		readyMs: Date.now() - started,
		output: () => output,
		stop: () => stop(ready.editorUrl),
	};
}
