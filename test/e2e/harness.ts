/**
 * Real-n8n end-to-end harness (Node built-ins only).
 *
 * - `ensureN8n()` installs the pinned n8n on demand (scripts/install-n8n.sh, cached outside the
 *   clone) and says which Node binary runs it (Node 24 for n8n >= 2.10).
 * - `createN8nHome()` makes a fresh, hermetic N8N_USER_FOLDER with this package installed as a
 *   community package (node types `n8n-nodes-digitalocean-inference.<name>`) — laid out directly,
 *   or packed and installed with plain `npm install <tgz>` — and drives the n8n CLI in it: import
 *   credentials / workflows, `execute --id`, `execute-batch`.
 *
 * Every spawned process runs in its own process group, is bounded by a timeout and is killed
 * (whole group) on timeout, on `dispose()` / `killAllN8nProcesses()` and when this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { installCommunityPackage } from '../../scripts/lib/communityPackage';

/** The package root (the folder holding package.json and dist/), found relative to this file. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
export const PACKAGE_NAME: string = packageJson.name;
export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples');
export const DEFAULT_N8N_VERSION = '2.41.1';
/** Fixed so that credentials imported by one command decrypt in the next. Test-only. */
export const TEST_ENCRYPTION_KEY = 'e2e-test-encryption-key-not-a-secret';

// ---------------------------------------------------------------------------------------------
// Process management
// ---------------------------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal); // the whole group: n8n + its task runners, npm + node-gyp
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Kills every process (group) this harness started that is still running. */
export function killAllN8nProcesses(): void {
	for (const child of liveChildren) killGroup(child);
	liveChildren.clear();
}
process.once('exit', killAllN8nProcesses);

export interface RunResult {
	command: string;
	args: string[];
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
	timedOut: boolean;
}

interface RunOptions {
	cwd?: string;
	env: NodeJS.ProcessEnv;
	timeoutMs: number;
	/** Called with each chunk of stderr (e.g. to show install progress). */
	onStderr?: (chunk: string) => void;
	/** Also registered here while running (so an owner can kill only its own processes). */
	track?: Set<ChildProcess>;
}

const MAX_CAPTURE = 64 * 1024 * 1024;

/**
 * The child's stdout goes to a file, not a pipe: Node writes to a file synchronously, so the run JSON
 * `n8n execute` prints just before it calls process.exit() arrives whole. Through a pipe the writes
 * are asynchronous and a busy machine saw the JSON cut off (large runs, e.g. embeddings vectors).
 */
function readCapturedStdout(file: string): string {
	try {
		const fd = fs.openSync(file, 'r');
		try {
			const buffer = Buffer.alloc(Math.min(fs.fstatSync(fd).size, MAX_CAPTURE));
			fs.readSync(fd, buffer, 0, buffer.length, 0);
			return buffer.toString('utf8');
		} finally {
			fs.closeSync(fd);
		}
	} finally {
		fs.rmSync(file, { force: true });
	}
}

function run(command: string, args: string[], opts: RunOptions): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const stdoutFile = path.join(os.tmpdir(), `n8n-e2e-stdout-${process.pid}-${randomBytes(6).toString('hex')}`);
		const stdoutFd = fs.openSync(stdoutFile, 'w');
		let child: ChildProcess;
		try {
			child = spawn(command, args, {
				cwd: opts.cwd,
				env: opts.env,
				stdio: ['ignore', stdoutFd, 'pipe'],
				detached: true, // own process group, so a timeout can kill the whole tree
			});
		} finally {
			fs.closeSync(stdoutFd); // the child holds its own copy
		}
		liveChildren.add(child);
		opts.track?.add(child);
		let stderr = '';
		let timedOut = false;
		child.stderr!.setEncoding('utf8');
		child.stderr!.on('data', (d: string) => {
			if (stderr.length < MAX_CAPTURE) stderr += d;
			opts.onStderr?.(d);
		});
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child);
		}, opts.timeoutMs);
		child.on('error', (err) => {
			clearTimeout(timer);
			liveChildren.delete(child);
			opts.track?.delete(child);
			fs.rmSync(stdoutFile, { force: true });
			reject(err);
		});
		child.on('close', (exitCode, signal) => {
			clearTimeout(timer);
			liveChildren.delete(child);
			opts.track?.delete(child);
			// Leftovers of the group (e.g. a task runner that outlived its parent) go too.
			try {
				if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* group already empty */
			}
			resolve({
				command,
				args,
				exitCode,
				signal,
				stdout: readCapturedStdout(stdoutFile),
				stderr,
				durationMs: Date.now() - started,
				timedOut,
			});
		});
	});
}

function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

export function describeFailure(what: string, r: RunResult): string {
	return (
		`${what} ${r.timedOut ? `timed out after ${r.durationMs} ms` : `exited with ${r.exitCode ?? r.signal}`}\n` +
		`--- stdout (tail) ---\n${tail(r.stdout)}\n--- stderr (tail) ---\n${tail(r.stderr)}`
	);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Installing n8n
// ---------------------------------------------------------------------------------------------

export interface N8nInstall {
	version: string;
	/** Folder whose node_modules holds n8n (in the cache, outside the clone). */
	home: string;
	/** The n8n CLI entry point (a JS file, run with `node`). */
	n8nBin: string;
	/** The node binary that runs n8n (Node 24 for n8n >= 2.10, else the current one). */
	nodeBin: string;
	/** Base environment for n8n child processes: PATH with the right Node first. */
	env: NodeJS.ProcessEnv;
}

export interface EnsureN8nOptions {
	/** Default 15 minutes (a cold install plus sqlite3 compile takes ~4–5 min here). */
	timeoutMs?: number;
	/** Stream the installer's progress to this process's stderr (default: true). */
	showProgress?: boolean;
}

const installs = new Map<string, Promise<N8nInstall>>();

/** Installs (once, cached) and locates n8n `version`. Concurrent callers share one install. */
export function ensureN8n(
	version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION,
	options: EnsureN8nOptions = {},
): Promise<N8nInstall> {
	let p = installs.get(version);
	if (!p) {
		p = doEnsureN8n(version, options);
		installs.set(version, p);
		p.catch(() => installs.delete(version));
	}
	return p;
}

async function doEnsureN8n(version: string, options: EnsureN8nOptions): Promise<N8nInstall> {
	const script = path.join(PACKAGE_ROOT, 'scripts', 'install-n8n.sh');
	const showProgress = options.showProgress ?? true;
	const r = await run('bash', [script], {
		env: { ...process.env, N8N_VERSION: version },
		timeoutMs: options.timeoutMs ?? 15 * 60_000,
		onStderr: showProgress
			? (chunk) => {
					if (/\[install-n8n\] (installing|building|another install|gave up)/.test(chunk)) process.stderr.write(chunk);
				}
			: undefined,
	});
	if (r.exitCode !== 0) throw new Error(describeFailure(`scripts/install-n8n.sh (n8n ${version})`, r));
	const home = r.stdout.trim().split('\n').pop()!.trim();
	const n8nBin = path.join(home, 'node_modules', 'n8n', 'bin', 'n8n');
	if (!fs.existsSync(n8nBin)) throw new Error(`n8n CLI not found at ${n8nBin} (install home: ${home})`);

	const nodeBinFile = path.join(home, '.node-bin');
	const nodeBinDir = fs.existsSync(nodeBinFile) ? fs.readFileSync(nodeBinFile, 'utf8').trim() : '';
	const nodeBin = nodeBinDir ? path.join(nodeBinDir, 'node') : process.execPath;
	if (!fs.existsSync(nodeBin)) throw new Error(`Node binary for n8n not found: ${nodeBin}`);
	const pathParts = [nodeBinDir || path.dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'];
	return { version, home, n8nBin, nodeBin, env: { PATH: pathParts.join(path.delimiter) } };
}

// ---------------------------------------------------------------------------------------------
// Types of what goes in and comes out
// ---------------------------------------------------------------------------------------------

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** An n8n workflow as exported/imported (only the parts the harness touches are typed). */
export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		parameters?: Record<string, unknown>;
		credentials?: Record<string, { id: string; name: string }>;
		[key: string]: unknown;
	}>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface NodeOutputItem {
	json: Record<string, any>;
	binary?: Record<string, any>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number }> | number;
	error?: unknown;
}

/** The run JSON printed by `n8n execute --rawOutput` / written by `execute-batch --snapshot`. */
export interface RunJson {
	data: {
		resultData: {
			runData: Record<
				string,
				Array<{
					executionStatus?: string;
					error?: Record<string, any>;
					data?: { main: Array<NodeOutputItem[] | null> };
				}>
			>;
			lastNodeExecuted?: string;
			error?: Record<string, any> & { message?: string; httpCode?: string; name?: string };
		};
		[key: string]: unknown;
	};
	status?: string;
	finished?: boolean;
	[key: string]: unknown;
}

export interface ExecuteResult extends RunResult {
	workflowId: string;
	/** Parsed run JSON; undefined if n8n printed none (e.g. the workflow id did not exist). */
	run?: RunJson;
}

/** Items on output `outputIndex` of the first run of `nodeName`. */
export function nodeOutput(run: RunJson, nodeName: string, outputIndex = 0): NodeOutputItem[] {
	const taskData = run.data.resultData.runData[nodeName];
	if (!taskData?.length) {
		throw new Error(
			`node "${nodeName}" did not run; ran: ${Object.keys(run.data.resultData.runData).join(', ')}`,
		);
	}
	return taskData[0].data?.main[outputIndex] ?? [];
}

/**
 * Extracts the run JSON from n8n's stdout: from the first line that is exactly `{` to the next
 * line that is exactly `}` (JSON.stringify(data, null, 2) output; log lines may precede it and,
 * on failure, follow it).
 */
export function parseRunJson(stdout: string): RunJson | undefined {
	const lines = stdout.split(/\r?\n/);
	const start = lines.indexOf('{');
	if (start < 0) return undefined;
	const endRel = lines.slice(start).indexOf('}');
	if (endRel < 0) return undefined;
	return JSON.parse(lines.slice(start, start + endRel + 1).join('\n')) as RunJson;
}

/** Deep copy of `wf` under a new id/name, optionally pointing every use of a credential type elsewhere. */
export function cloneWorkflow(
	wf: WorkflowJson,
	changes: {
		id: string;
		name?: string;
		credentials?: Record<string, { id: string; name: string }>;
	},
): WorkflowJson {
	const copy: WorkflowJson = JSON.parse(JSON.stringify(wf));
	copy.id = changes.id;
	if (changes.name) copy.name = changes.name;
	for (const node of copy.nodes) {
		for (const [credType, ref] of Object.entries(changes.credentials ?? {})) {
			if (node.credentials?.[credType]) node.credentials[credType] = { ...ref };
		}
	}
	return copy;
}

export function readWorkflow(file: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowJson;
}

/** The example workflow `examples/<name>.json`. */
export function readExample(name: string): WorkflowJson {
	return readWorkflow(path.join(EXAMPLES_DIR, name.endsWith('.json') ? name : `${name}.json`));
}

// ---------------------------------------------------------------------------------------------
// An isolated n8n user folder
// ---------------------------------------------------------------------------------------------

export interface N8nHomeOptions {
	/** Binary data mode; default `filesystem` (the 2.x default). */
	binaryDataMode?: 'filesystem' | 'default' | 'database';
	/** Extra environment for every n8n command (wins over the harness defaults). */
	env?: Record<string, string>;
	/**
	 * How the package is installed into `<folder>/.n8n/nodes/node_modules/<package>` (n8n scans
	 * `nodes/node_modules/n8n-nodes-*` and names the types `<package>.<node>`, as after a real
	 * community install). Default: env E2E_PACKAGE_LAYOUT, else `copy`.
	 * - `copy`: package.json without dev/peer dependencies, a copy of dist/, and symlinks to the
	 *   runtime dependencies — what n8n's community-package installer leaves. `n8n-workflow` then
	 *   resolves to n8n's own copy (through the NODE_PATH n8n sets), as in production.
	 * - `symlink`: a symlink to the package root. Modules resolve from the clone, so the node gets
	 *   the clone's devDependency `n8n-workflow` (a second copy of the classes n8n checks with
	 *   instanceof) and the devDependency `@n8n/ai-node-sdk` with its own LangChain; handy for a dev
	 *   server that should see rebuilds.
	 * - `tarball`: `npm pack` of the package root, then plain `npm install <tgz>` in a fresh
	 *   `.n8n/nodes`, run by npm on the Node that runs this n8n — what a user who installs by hand
	 *   does. Dependencies come from the registry; see `N8nHome.tarballInstall`.
	 */
	packageLayout?: 'symlink' | 'copy' | 'tarball';
	/** Default timeout of each n8n command (default 120 s). */
	commandTimeoutMs?: number;
	/** Fail when dist/ is missing (default true; false only for core-node-only smoke runs). */
	requireBuild?: boolean;
	/** Keep the folder on dispose (for debugging; also when E2E_KEEP_HOME=1). */
	keep?: boolean;
	/**
	 * Use this folder (created if missing, never deleted by dispose) instead of a fresh temp dir —
	 * `npm start`'s persistent home. The package is (re)installed into it either way.
	 */
	folder?: string;
}

export class N8nHome {
	/** Every n8n command run in this home, with its full stdout/stderr (for leak checks). */
	readonly transcript: RunResult[] = [];
	/** How the package got in, with the `tarball` layout (undefined for `copy` / `symlink`). */
	tarballInstall?: TarballInstall;
	private readonly children = new Set<ChildProcess>();

	private constructor(
		readonly install: N8nInstall,
		/** N8N_USER_FOLDER; n8n keeps its state in `<folder>/.n8n`. */
		readonly folder: string,
		readonly env: NodeJS.ProcessEnv,
		private readonly options: N8nHomeOptions,
	) {}

	static async create(install: N8nInstall, options: N8nHomeOptions = {}): Promise<N8nHome> {
		const distEntry = path.join(PACKAGE_ROOT, 'dist');
		if (options.requireBuild !== false && !fs.existsSync(distEntry)) {
			throw new Error(`${distEntry} is missing: run \`npm run build\` first (npm run test:e2e does).`);
		}
		const folder = options.folder
			? path.resolve(options.folder)
			: fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
		const dotN8n = path.join(folder, '.n8n');
		fs.mkdirSync(dotN8n, { recursive: true });
		const layout = options.packageLayout ?? packageLayoutFromEnv();
		let tarballInstall: TarballInstall | undefined;
		if (layout === 'tarball') {
			try {
				tarballInstall = await installPackedTarball(install, dotN8n);
			} catch (err) {
				// No home object exists yet to dispose of: remove the fresh folder here.
				if (!options.folder && !options.keep && process.env.E2E_KEEP_HOME !== '1') fs.rmSync(folder, { recursive: true, force: true });
				throw err;
			}
		} else if (layout === 'symlink' || fs.existsSync(distEntry)) installCommunityPackage(dotN8n, layout);

		const env: NodeJS.ProcessEnv = {
			// A minimal environment: nothing from the caller's N8N_*/DB_*/NODE_OPTIONS leaks in.
			...install.env,
			HOME: folder,
			LANG: 'C.UTF-8',
			TZ: 'UTC',
			GENERIC_TIMEZONE: 'UTC',
			N8N_USER_FOLDER: folder,
			N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_DEFAULT_BINARY_DATA_MODE: options.binaryDataMode ?? 'filesystem',
			...options.env,
		};
		const home = new N8nHome(install, folder, env, options);
		home.tarballInstall = tarballInstall;
		return home;
	}

	/** Runs `n8n <args>` in this home (bounded; never throws on a non-zero exit). */
	async n8n(args: string[], timeoutMs = this.options.commandTimeoutMs ?? 120_000): Promise<RunResult> {
		const r = await run(this.install.nodeBin, [this.install.n8nBin, ...args], {
			cwd: this.folder,
			env: this.env,
			timeoutMs,
			track: this.children,
		});
		this.transcript.push(r);
		return r;
	}

	private async n8nOk(args: string[], what: string): Promise<RunResult> {
		const r = await this.n8n(args);
		if (r.exitCode !== 0) throw new Error(describeFailure(`n8n ${what}`, r));
		return r;
	}

	/** `n8n import:credentials`; plain `data` is encrypted on import. The temp file is removed. */
	async importCredentials(credentials: CredentialImport[]): Promise<RunResult> {
		const file = path.join(this.folder, `credentials-${randomBytes(4).toString('hex')}.json`);
		fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
		try {
			return await this.n8nOk(['import:credentials', `--input=${file}`], 'import:credentials');
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/**
	 * `n8n import:workflow --separate`: `input` is a folder of *.json workflows, or a list of
	 * workflow objects and/or file paths. Ids must contain a digit (execute-batch) and be at most
	 * 21 characters (longer ones are not valid n8n workflow ids).
	 */
	async importWorkflows(input: string | Array<string | WorkflowJson>): Promise<WorkflowJson[]> {
		const workflows: WorkflowJson[] =
			typeof input === 'string'
				? fs
						.readdirSync(input)
						.filter((f) => f.endsWith('.json'))
						.sort()
						.map((f) => readWorkflow(path.join(input, f)))
				: input.map((w) => (typeof w === 'string' ? readWorkflow(w) : w));
		const dir = fs.mkdtempSync(path.join(this.folder, 'import-'));
		for (const wf of workflows) {
			if (!/\d/.test(wf.id) || wf.id.length > 21) {
				throw new Error(`workflow id "${wf.id}" must contain a digit and have at most 21 characters`);
			}
			fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify({ active: false, ...wf }));
		}
		try {
			await this.n8nOk(['import:workflow', '--separate', `--input=${dir}`], 'import:workflow');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
		return workflows;
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`. Exit code 1 (workflow error) still returns the run JSON
	 * n8n logged; check `exitCode` and `run.data.resultData.error`.
	 */
	async executeWorkflow(id: string, timeoutMs?: number): Promise<ExecuteResult> {
		const r = await this.n8n(['execute', `--id=${id}`, '--rawOutput'], timeoutMs);
		if (r.timedOut) throw new Error(describeFailure(`n8n execute --id=${id}`, r));
		let run: RunJson | undefined;
		try {
			run = parseRunJson(r.stdout);
		} catch (err) {
			throw new Error(`could not parse the run JSON of ${id}: ${(err as Error).message}\n${describeFailure('n8n execute', r)}`);
		}
		return { ...r, workflowId: id, run };
	}

	/**
	 * `n8n execute-batch` (one n8n process for all ids, run one after the other). Only
	 * successful executions get a snapshot (run JSON); failed ones only appear in `summary`
	 * with an error string — use executeWorkflow() when the error object matters.
	 */
	async executeBatch(
		ids: string[],
		timeoutMs?: number,
	): Promise<RunResult & { runs: Record<string, RunJson | undefined>; summary: any }> {
		const work = fs.mkdtempSync(path.join(this.folder, 'batch-'));
		const snapshots = path.join(work, 'snapshots');
		fs.mkdirSync(snapshots);
		const output = path.join(work, 'output.json');
		const r = await this.n8n(
			['execute-batch', `--ids=${ids.join(',')}`, `--snapshot=${snapshots}`, `--output=${output}`, '--retries=0'],
			timeoutMs ?? Math.max(120_000, ids.length * 60_000),
		);
		if (r.timedOut || !fs.existsSync(output)) throw new Error(describeFailure('n8n execute-batch', r));
		const summary = JSON.parse(fs.readFileSync(output, 'utf8'));
		const runs: Record<string, RunJson | undefined> = {};
		for (const id of ids) {
			const file = path.join(snapshots, `${id}-snapshot.json`);
			runs[id] = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunJson) : undefined;
		}
		fs.rmSync(work, { recursive: true, force: true });
		return { ...r, runs, summary };
	}

	/** All text n8n printed in this home so far (stdout and stderr of every command). */
	allOutput(): string {
		return this.transcript.map((t) => `${t.stdout}\n${t.stderr}`).join('\n');
	}

	/** Files under `<folder>/.n8n` (database, WAL, binary data, config) whose bytes contain `needle`. */
	filesContaining(needle: string): string[] {
		const hits: string[] = [];
		const needleBuf = Buffer.from(needle);
		const walk = (dir: string): void => {
			for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
				const p = path.join(dir, entry.name);
				if (entry.isSymbolicLink()) continue; // the package link points back into the clone
				if (entry.isDirectory()) walk(p);
				else if (entry.isFile() && fs.readFileSync(p).includes(needleBuf)) hits.push(p);
			}
		};
		walk(path.join(this.folder, '.n8n'));
		return hits;
	}

	/** Kills this harness's running n8n processes and deletes the folder (unless kept). */
	dispose(): void {
		for (const child of this.children) killGroup(child);
		this.children.clear();
		if (this.options.folder) return; // a caller's persistent folder
		if (this.options.keep || process.env.E2E_KEEP_HOME === '1') {
			process.stderr.write(`[e2e] kept n8n home: ${this.folder}\n`);
			return;
		}
		fs.rmSync(this.folder, { recursive: true, force: true });
	}
}

function packageLayoutFromEnv(): NonNullable<N8nHomeOptions['packageLayout']> {
	const layout = process.env.E2E_PACKAGE_LAYOUT;
	return layout === 'symlink' || layout === 'tarball' ? layout : 'copy';
}

// ---------------------------------------------------------------------------------------------
// Installing the packed tarball, as a user does
// ---------------------------------------------------------------------------------------------

export interface TarballInstall {
	/** The `.tgz` that `npm pack` wrote (inside the home folder, so dispose() removes it). */
	tarball: string;
	/** `npm pack --json`'s report: file list, `size` (tarball bytes), `unpackedSize`. */
	pack: { files: Array<{ path: string; size: number }>; size: number; unpackedSize: number };
	/** The `npm install <tgz>` run (exit code, output, duration). */
	npmInstall: RunResult;
	/** `node --version` of the Node that ran npm (the one that runs this n8n). */
	nodeVersion: string;
	/** `<.n8n>/nodes`, where npm installed. */
	nodesDir: string;
}

/**
 * A user's shell for npm: nothing npm/jest exported for the current run (`npm test` exports
 * `npm_config_*` such as this repo's `ignore-scripts=true`, which would hide a failing install
 * script; jest sets NODE_ENV), no `node_modules/.bin` of the clone, and the Node that runs this
 * n8n first on PATH.
 * HOME stays the real one, so npm reads the user's ~/.npmrc and cache as it would for them.
 */
function userShellEnv(install: N8nInstall): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^(npm_|init_cwd$|node_options$|node_path$|node_env$)/i.test(key)) env[key] = value;
	}
	const entries = (install.env.PATH ?? '').split(path.delimiter);
	env.PATH = entries.filter((dir) => !/node_modules[\/]\.bin|node-gyp-bin/.test(dir)).join(path.delimiter);
	return env;
}

/**
 * `npm pack` of the package root (its current dist/; `npm run test:e2e` builds first), then plain
 * `npm install <tgz>` in a fresh `<dotN8n>/nodes` holding only the ledger package.json n8n keeps
 * there. Throws with npm's output when the install fails.
 */
async function installPackedTarball(install: N8nInstall, dotN8n: string): Promise<TarballInstall> {
	const dist = path.join(PACKAGE_ROOT, 'dist');
	if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first (npm run test:e2e does).`);
	const env = userShellEnv(install);
	const packDir = path.join(path.dirname(dotN8n), 'pack');
	fs.mkdirSync(packDir, { recursive: true });
	const packed = await run('npm', ['pack', '--json', `--pack-destination=${packDir}`], {
		cwd: PACKAGE_ROOT,
		env,
		timeoutMs: 120_000,
	});
	if (packed.exitCode !== 0) throw new Error(describeFailure('npm pack', packed));
	const [pack] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<
		TarballInstall['pack'] & { filename: string }
	>;
	const tarball = path.join(packDir, pack.filename);

	const nodesDir = path.join(dotN8n, 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	const npmInstall = await run('npm', ['install', '--no-audit', '--no-fund', tarball], {
		cwd: nodesDir,
		env,
		timeoutMs: 5 * 60_000,
	});
	if (npmInstall.exitCode !== 0) {
		throw new Error(describeFailure(`npm install ${path.basename(tarball)} (in ${nodesDir})`, npmInstall));
	}
	const node = await run('node', ['--version'], { env, timeoutMs: 30_000 });
	return { tarball, pack, npmInstall, nodeVersion: node.stdout.trim(), nodesDir };
}

/** Shorthand: a fresh home for `install` (see N8nHome.create). */
export function createN8nHome(install: N8nInstall, options?: N8nHomeOptions): Promise<N8nHome> {
	return N8nHome.create(install, options);
}
