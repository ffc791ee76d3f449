/**
 * `npm start` (= `npm run build && tsx scripts/start.ts`): this package in a real, local n8n editor.
 *
 * Installs the pinned n8n on demand (cached outside the clone, as for the e2e tests), starts the
 * DigitalOcean emulator unless MODEL_ACCESS_KEY is set, lays the built package out as a community
 * package in a persistent n8n user folder, (re)imports the credentials, starts `n8n start` on
 * 127.0.0.1, creates / logs in the owner, adds every example workflow the folder does not hold yet,
 * prints the editor URL and a `READY {json}` line, and stops everything on Ctrl-C / SIGTERM.
 *
 * Environment: N8N_PORT (5678), N8N_START_HOME (<repo>/.n8n-local), MODEL_ACCESS_KEY (real
 * DigitalOcean instead of the emulator), EMULATOR_PORT (8787, a free one if busy), N8N_VERSION.
 * Progress goes to stderr; stdout carries the banner and the READY line only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DEFAULT_AGENT_KEY, DEFAULT_KEY, startEmulator, type Emulator } from '../test/emulator';
import {
	DEFAULT_N8N_VERSION,
	EXAMPLES_DIR,
	PACKAGE_ROOT,
	createN8nHome,
	ensureN8n,
	killAllN8nProcesses,
	type N8nHome,
} from '../test/e2e/harness';
import { readPackageJson } from './lib/communityPackage';
import { StartError } from './lib/errors';
import { watchLaunchers } from './lib/launcherWatch';
import { encryptionKey, lockHome, readState, writeState } from './lib/localHome';
import { portInUse, startN8nServer, type N8nServer } from './lib/n8nServer';
import { START_OWNER as OWNER, ensureOwner } from './lib/owner';
import { REAL_BASE_URL, credentialsFor, importMissingExamples, readExamples, type Target } from './lib/seed';

const DEFAULT_PORT = 5678;
const DEFAULT_EMULATOR_PORT = 8787;

const progress = (msg: string): void => {
	process.stderr.write(`[start] ${msg}\n`);
};

const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

function parsePort(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new StartError(`${name}=${JSON.stringify(raw)} is not a port number (1–65535)`);
	}
	return port;
}

// Everything started so far, for the one shutdown path.
let emulator: Emulator | undefined;
let server: N8nServer | undefined;
let home: N8nHome | undefined;
let shuttingDown: Promise<void> | undefined;
/** Secrets that must never reach the terminal (the real key). */
const secrets: string[] = [];

function redact(text: string): string {
	let out = text;
	for (const s of secrets) if (s) out = out.split(s).join('***');
	return out;
}

function cleanup(): Promise<void> {
	shuttingDown ??= (async () => {
		const stops: Array<Promise<unknown>> = [];
		if (server) stops.push(server.stop());
		home?.dispose(); // kills a CLI command still running (e.g. Ctrl-C during the import)
		killAllN8nProcesses();
		if (emulator) stops.push(emulator.close());
		await Promise.allSettled(stops);
	})();
	return shuttingDown;
}

async function exitAfterCleanup(code: number): Promise<never> {
	const force = setTimeout(() => process.exit(code), 12_000);
	force.unref();
	await cleanup();
	process.exit(code);
}

function onSignal(signal: NodeJS.Signals): void {
	if (shuttingDown) return;
	progress(`${signal}: stopping n8n${emulator ? ' and the emulator' : ''}…`);
	void exitAfterCleanup(0).then(() => undefined);
}

async function startEmulatorWithFallback(port: number): Promise<Emulator> {
	const options = { keys: [DEFAULT_KEY], agentKeys: [DEFAULT_AGENT_KEY] };
	try {
		return await startEmulator({ ...options, port });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
		const emu = await startEmulator({ ...options, port: 0 });
		progress(`port ${port} is busy (EMULATOR_PORT): the emulator listens on ${emu.url} instead`);
		return emu;
	}
}

function assertBuilt(): void {
	const pkg = readPackageJson() as { n8n?: { nodes?: string[]; credentials?: string[] } };
	const files = [...(pkg.n8n?.credentials ?? []), ...(pkg.n8n?.nodes ?? [])];
	const missing = files.filter((f) => !fs.existsSync(path.join(PACKAGE_ROOT, f)));
	if (missing.length) {
		throw new StartError(`the package is not built (missing ${missing[0]}${missing.length > 1 ? ', …' : ''}): run \`npm start\`, which builds first, or \`npm run build\`.`);
	}
}

async function main(): Promise<void> {
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	watchLaunchers((command) => {
		if (shuttingDown) return;
		progress(`\`${command}\` ended: stopping n8n${emulator ? ' and the emulator' : ''}…`);
		void exitAfterCleanup(0);
	});
	const started = Date.now();

	const port = parsePort('N8N_PORT', DEFAULT_PORT);
	const emulatorPort = parsePort('EMULATOR_PORT', DEFAULT_EMULATOR_PORT);
	const folder = path.resolve(process.env.N8N_START_HOME || path.join(PACKAGE_ROOT, '.n8n-local'));
	const version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION;
	const realKey = process.env.MODEL_ACCESS_KEY?.trim() || undefined;
	if (realKey) secrets.push(realKey);

	if (await portInUse(port)) {
		throw new StartError(
			`N8N_PORT=${port}: 127.0.0.1:${port} is already in use (another n8n?). Stop that, or choose another port: N8N_PORT=<free port> npm start`,
		);
	}
	assertBuilt();
	lockHome(folder);
	const key = encryptionKey(folder);
	const state = readState(folder);

	const install = await ensureN8n(version); // the first time: installs, progress on stderr
	if (shuttingDown) return;
	progress(`n8n ${version} (${install.home})`);

	let target: Target;
	if (realKey) {
		target = { kind: 'real', modelKey: realKey };
	} else {
		emulator = await startEmulatorWithFallback(emulatorPort);
		target = { kind: 'emulator', url: emulator.url, modelKey: DEFAULT_KEY, agentKey: DEFAULT_AGENT_KEY };
		progress(`emulator on ${emulator.url}`);
	}

	home = await createN8nHome(install, {
		folder,
		packageLayout: 'copy',
		env: { N8N_ENCRYPTION_KEY: key },
	});
	progress('importing the credentials…');
	let t = Date.now();
	await home.importCredentials(credentialsFor(target, state.target !== 'real'));
	progress(`credentials imported (${seconds(t)} s)`);
	writeState(folder, { ...state, target: target.kind });
	if (shuttingDown) return;

	progress(`starting n8n on http://127.0.0.1:${port} (log: ${path.join(folder, 'n8n.log')})…`);
	t = Date.now();
	server = await startN8nServer(home, { port, logFile: path.join(folder, 'n8n.log') });
	if (shuttingDown) return;
	progress(`n8n is up (${seconds(t)} s)`);
	const n8n = server;
	void n8n.exited.then(({ code, signal }) => {
		if (shuttingDown) return;
		process.stderr.write(
			`\n[start] n8n stopped on its own (${code ?? signal}). Its last lines (full log: ${path.join(folder, 'n8n.log')}):\n` +
				`${redact(n8n.logTail(40))}\n`,
		);
		void exitAfterCleanup(1);
	});

	const { client, created } = await ensureOwner(server.url, OWNER);
	const examples = readExamples(EXAMPLES_DIR);
	const { imported, kept } = await importMissingExamples(client, examples);
	if (shuttingDown) return;

	const workflows =
		`${examples.length} examples` +
		(created || kept.length === 0 ? '' : ` (${imported.length} added, ${kept.length} kept as you left them)`);
	const banner = [
		'',
		`  n8n ${version} with ${readPackageJson().name} — ready in ${seconds(started)} s`,
		'',
		`  Editor      ${server.url}`,
		`  Login       ${OWNER.email} / ${OWNER.password}${created ? ' (account created now)' : ''}`,
		target.kind === 'emulator'
			? `  Inference   local emulator ${emulator!.url} (no DigitalOcean account needed; set MODEL_ACCESS_KEY to use the real API)`
			: `  Inference   DigitalOcean ${REAL_BASE_URL} with your MODEL_ACCESS_KEY (calls are billed)`,
		`  Workflows   ${workflows}`,
		`  Data        ${folder} (n8n log: n8n.log; delete the folder to start afresh)`,
		'  Stop        Ctrl-C',
		'',
	];
	process.stdout.write(banner.join('\n') + '\n');
	const ready = {
		editorUrl: server.url,
		email: OWNER.email,
		password: OWNER.password,
		emulatorUrl: emulator?.url ?? null,
		home: folder,
	};
	process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
}

main().catch((err: Error) => {
	if (shuttingDown) return; // stopped by a signal while starting: not an error
	const message = err instanceof StartError ? err.message : (err.stack ?? err.message);
	process.stderr.write(`[start] failed: ${redact(message)}\n`);
	void exitAfterCleanup(1);
});
