/**
 * The setup every e2e file shares: one real n8n home (harness.ts) wired to one local emulator, with
 * random keys, the file's credentials and workflows imported, a `run(id)` that records what each run
 * sent to the emulator, and the leak check that those keys end up nowhere.
 *
 *   const setup = useN8nWithEmulator({ workflows: [basic], builtFiles: ['dist/nodes/…'] });
 *   test('…', async () => { const { run, requests } = await setup.run(basic.id); … });
 *   testNoKeyLeak(setup, basic.id);
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { AGENT_CREDENTIAL, MCP_CREDENTIAL, MODEL_CREDENTIAL } from '../../scripts/lib/seed';
import { startEmulator, type Emulator, type EmulatorConfigPatch, type LoggedRequest } from '../emulator';
import {
	PACKAGE_ROOT,
	createN8nHome,
	ensureN8n,
	killAllN8nProcesses,
	type CredentialImport,
	type ExecuteResult,
	type N8nHome,
	type N8nHomeOptions,
	type RunJson,
	type WorkflowJson,
} from './harness';

/** Per test that runs a workflow (n8n starts afresh for every `execute`). */
export const RUN_TIMEOUT = 3 * 60_000;
/** beforeAll: the first run installs n8n (a few minutes). */
const SETUP_TIMEOUT = 15 * 60_000;
const TEARDOWN_TIMEOUT = 30_000;

export const MODEL_CREDENTIAL_TYPE = MODEL_CREDENTIAL.type;
/** The credentials the examples reference (the same ids `npm start` imports). */
export { MODEL_CREDENTIAL, AGENT_CREDENTIAL, MCP_CREDENTIAL };

/** What a `credentials` callback gets: known only once the emulator listens. */
export interface CredentialContext {
	emulatorUrl: string;
	modelKey: string;
	agentKey: string;
}

/** A Model Access Key credential against the emulator (by default the examples' one with the accepted key). */
export function modelCredential(
	ctx: CredentialContext,
	apiKey = ctx.modelKey,
	ref: { id: string; name: string } = MODEL_CREDENTIAL,
): CredentialImport {
	return { ...ref, type: MODEL_CREDENTIAL_TYPE, data: { apiKey, baseUrl: ctx.emulatorUrl } };
}

/** The Agent credential against the emulator, with the accepted agent key. */
export function agentCredential(ctx: CredentialContext): CredentialImport {
	return {
		...AGENT_CREDENTIAL,
		data: { endpointUrl: ctx.emulatorUrl, agentAccessKey: ctx.agentKey },
	};
}

/** The examples' MCP server credential (DigitalOcean calls the server, so any URL does against the emulator). */
export function mcpCredential(serverUrl: string, authorization: string): CredentialImport {
	return { ...MCP_CREDENTIAL, data: { serverUrl, authorization } };
}

export interface N8nWithEmulatorOptions {
	workflows: WorkflowJson[];
	/** dist/ files the tests need, besides the Model Access Key credential (checked for a clear error). */
	builtFiles?: string[];
	/** Applied to the emulator once it listens. */
	emulatorConfig?: EmulatorConfigPatch;
	/** Default: just the examples' Model Access Key credential. */
	credentials?: (ctx: CredentialContext) => CredentialImport[];
	/** How the n8n home is made, e.g. `{ packageLayout: 'tarball' }` (default: the harness defaults). */
	home?: N8nHomeOptions;
}

export interface WorkflowRun {
	result: ExecuteResult;
	run: RunJson;
	/** The emulator requests this run caused. */
	requests: LoggedRequest[];
}

export interface N8nWithEmulator {
	readonly emulator: Emulator;
	readonly home: N8nHome;
	/** Random per run, so a leak check cannot pass by accident. */
	readonly modelKey: string;
	readonly agentKey: string;
	/** Every run of this file (for the leak check). */
	readonly executions: readonly ExecuteResult[];
	/** Runs a workflow; throws (with n8n's output) when n8n printed no run JSON. */
	run(workflowId: string): Promise<WorkflowRun>;
}

const BUILT_CREDENTIAL = 'dist/credentials/DigitalOceanInferenceApi.credentials.js';

/** Registers beforeAll/afterAll that bring up (and tear down) n8n plus the emulator for this file. */
export function useN8nWithEmulator(options: N8nWithEmulatorOptions): N8nWithEmulator {
	const modelKey = `do-e2e-model-${randomBytes(12).toString('hex')}`;
	const agentKey = `do-e2e-agent-${randomBytes(12).toString('hex')}`;
	const executions: ExecuteResult[] = [];
	let emulator: Emulator | undefined;
	let home: N8nHome | undefined;

	beforeAll(async () => {
		assertBuilt([BUILT_CREDENTIAL, ...(options.builtFiles ?? [])]);
		const install = await ensureN8n();
		emulator = await startEmulator({ port: 0, keys: [modelKey], agentKeys: [agentKey] });
		if (options.emulatorConfig) emulator.control.configure(options.emulatorConfig);
		home = await createN8nHome(install, options.home);
		const ctx = { emulatorUrl: emulator.url, modelKey, agentKey };
		await home.importCredentials((options.credentials ?? ((c) => [modelCredential(c)]))(ctx));
		await home.importWorkflows(options.workflows);
	}, SETUP_TIMEOUT);

	afterAll(async () => {
		home?.dispose();
		killAllN8nProcesses();
		await emulator?.close();
	}, TEARDOWN_TIMEOUT);

	// Getters, so a test reads what beforeAll made (and a misuse fails loudly, not with undefined).
	const ready = <T>(value: T | undefined, name: string): T => {
		if (value === undefined) throw new Error(`e2e setup: ${name} is used before beforeAll ran`);
		return value;
	};

	return {
		get emulator() {
			return ready(emulator, 'emulator');
		},
		get home() {
			return ready(home, 'home');
		},
		modelKey,
		agentKey,
		executions,
		async run(workflowId) {
			const control = ready(emulator, 'emulator').control;
			const before = control.requests().length;
			const result = await ready(home, 'home').executeWorkflow(workflowId);
			executions.push(result);
			const requests = control.requests().slice(before);
			if (!result.run) {
				throw new Error(
					`n8n printed no run JSON for ${workflowId} (exit ${result.exitCode})\n--- stdout ---\n${result.stdout.slice(-4000)}\n--- stderr ---\n${result.stderr.slice(-4000)}`,
				);
			}
			return { result, run: result.run, requests };
		},
	};
}

function assertBuilt(files: string[]): void {
	const missing = files.filter((f) => !fs.existsSync(path.join(PACKAGE_ROOT, f)));
	if (missing.length) {
		throw new Error(
			`The package is not built (missing ${missing.join(', ')}). Run \`npm run build\`, or use \`npm run test:e2e\` which builds first.`,
		);
	}
}

/** The POSTs to `apiPath` among `requests`. */
export function postsTo(requests: LoggedRequest[], apiPath: string): LoggedRequest[] {
	return requests.filter((r) => r.method === 'POST' && r.path === apiPath);
}

/** Fails listing every place one of `keys` shows up: n8n's output, run JSON, files under .n8n. */
export function expectNoKeyLeak(setup: N8nWithEmulator, keys: string[]): void {
	const leaks: string[] = [];
	for (const key of keys) {
		for (const [i, t] of setup.home.transcript.entries()) {
			if (t.stdout.includes(key)) leaks.push(`stdout of n8n ${t.args.slice(1, 3).join(' ')} (#${i})`);
			if (t.stderr.includes(key)) leaks.push(`stderr of n8n ${t.args.slice(1, 3).join(' ')} (#${i})`);
		}
		for (const e of setup.executions) {
			if (JSON.stringify(e.run ?? null).includes(key)) leaks.push(`run JSON of ${e.workflowId}`);
		}
		// Database (credentials are stored encrypted; executions must not hold the key), binary data, config.
		leaks.push(...setup.home.filesContaining(key));
	}
	expect(leaks).toEqual([]);
}

/**
 * Registers the leak-check test (run it last): neither the model nor the agent key, nor any of
 * `extraKeys`, appears anywhere. `fallbackWorkflowId` runs first when no test ran one (`-t`).
 */
export function testNoKeyLeak(setup: N8nWithEmulator, fallbackWorkflowId: string, extraKeys: string[] = []): void {
	test(
		'no model access key appears in run output, n8n logs or n8n files',
		async () => {
			if (setup.executions.length === 0) await setup.run(fallbackWorkflowId);
			expectNoKeyLeak(setup, [setup.modelKey, setup.agentKey, ...extraKeys]);
		},
		RUN_TIMEOUT,
	);
}

/**
 * n8n 2.41.1 on Node 24 has been seen (once in CI, under load) to die of SIGSEGV while exiting after it
 * had printed a complete run: a native module's teardown, not the workflow (our package is plain JS).
 * Such an exit counts as clean only when the whole run was printed and finished without error; it is
 * reported on stderr so it stays visible. Any other signal or exit code fails.
 */
function crashedAfterFinishing(result: ExecuteResult): boolean {
	const finished = result.run?.finished === true && !result.run.data?.resultData?.error;
	return result.signal === 'SIGSEGV' && finished;
}

export function expectCleanExit(result: ExecuteResult): void {
	if (result.exitCode === 0) return;
	if (crashedAfterFinishing(result)) {
		process.stderr.write(`[e2e] warning: n8n execute --id=${result.workflowId} printed its finished run, then died of SIGSEGV while exiting (${result.durationMs} ms)\n`);
		return;
	}
	throw new Error(
		`n8n execute --id=${result.workflowId} ended with ${result.exitCode ?? result.signal} after ${result.durationMs} ms\n--- stderr (tail) ---\n${result.stderr.slice(-3000)}`,
	);
}

/** Files under `dir` named `name` (n8n's filesystem binary mode stores a file per binary id). */
export function findFiles(dir: string, name: string): string[] {
	const hits: string[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		if (entry.isSymbolicLink()) continue;
		if (entry.isDirectory()) hits.push(...findFiles(p, name));
		else if (entry.name === name) hits.push(p);
	}
	return hits;
}

/** The bytes n8n stored for a binary entry: inline base64, or the file its filesystem id names. */
export function storedBytes(env: N8nWithEmulator, binary: Record<string, any>): Buffer {
	if (typeof binary.id !== 'string') return Buffer.from(binary.data as string, 'base64');
	const fileId = binary.id.split(':').pop()!;
	const files = findFiles(path.join(env.home.folder, '.n8n'), path.basename(fileId));
	expect(files).toHaveLength(1);
	return fs.readFileSync(files[0]);
}
