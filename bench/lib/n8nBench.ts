/**
 * One real n8n (the e2e install, test/e2e/harness.ts) wired to one local emulator for a bench
 * scenario: random key, the three credentials the variants use (our Model Access Key, n8n's OpenAI
 * credential with its Base URL on the emulator's /v1, and a Header Auth credential for the HTTP
 * Request node), the scenario's workflows imported, and `run()` that resets the emulator, runs one
 * workflow with `n8n execute` and returns what the node took and what reached the emulator.
 */
import { randomBytes } from 'node:crypto';

import { startEmulator, type Emulator, type EmulatorConfigPatch, type EmulatorStats, type LoggedRequest } from '../../test/emulator';
import {
	createN8nHome,
	type CredentialImport,
	type ExecuteResult,
	type N8nHome,
	type N8nHomeOptions,
	type N8nInstall,
	type NodeOutputItem,
	type RunJson,
	type WorkflowJson,
} from '../../test/e2e/harness';
import { sampleMemory, type MemoryPeaks } from './procfs';

export const DO_CREDENTIAL = { id: 'benchDoCred01', name: 'Bench DigitalOcean key' };
export const OPENAI_CREDENTIAL = { id: 'benchOpenAiCred01', name: 'Bench OpenAI (emulator)' };
export const HEADER_CREDENTIAL = { id: 'benchHeaderCred01', name: 'Bench header auth' };

export interface BenchContext {
	emulatorUrl: string;
	cdnUrl: string;
}

export interface BenchRun {
	result: ExecuteResult;
	run: RunJson;
	/** Every /v1 request this run caused (the emulator is reset before each run). */
	requests: LoggedRequest[];
	/** The emulator's counters for this run (`maxInFlight` = the highest number of requests open at once). */
	stats: EmulatorStats;
	/** Process wall time of `n8n execute` (includes n8n's start-up). */
	processMs: number;
	memory?: MemoryPeaks;
	/** Emulator-side epoch ms when the run started (for job timestamps). */
	startedAt: number;
}

/** `executionTime` (ms) of the first run of `nodeName`, as n8n recorded it. */
export function nodeMs(run: RunJson, nodeName: string): number {
	const task = run.data.resultData.runData[nodeName]?.[0] as { executionTime?: number } | undefined;
	return typeof task?.executionTime === 'number' ? task.executionTime : NaN;
}

/** `startTime` (epoch ms) of the first run of `nodeName`. */
export function nodeStart(run: RunJson, nodeName: string): number {
	const task = run.data.resultData.runData[nodeName]?.[0] as { startTime?: number } | undefined;
	return typeof task?.startTime === 'number' ? task.startTime : NaN;
}

/** Items on output 0 of `nodeName` (empty when it did not run or output nothing). */
export function outputOf(run: RunJson, nodeName: string): NodeOutputItem[] {
	return run.data.resultData.runData[nodeName]?.[0]?.data?.main[0] ?? [];
}

export interface BenchN8nOptions {
	workflows: (ctx: BenchContext) => WorkflowJson[];
	/** Applied after every reset (i.e. before every run), before the run's own patch. */
	emulatorConfig?: EmulatorConfigPatch;
	home?: N8nHomeOptions;
}

export class BenchN8n {
	private constructor(
		readonly emulator: Emulator,
		readonly home: N8nHome,
		readonly key: string,
		private readonly baseConfig: EmulatorConfigPatch,
	) {}

	static async start(install: N8nInstall, options: BenchN8nOptions): Promise<BenchN8n> {
		const key = `do-bench-${randomBytes(12).toString('hex')}`;
		const emulator = await startEmulator({ port: 0, keys: [key] });
		let home: N8nHome | undefined;
		try {
			home = await createN8nHome(install, { commandTimeoutMs: 300_000, ...options.home });
			const credentials: CredentialImport[] = [
				{ ...DO_CREDENTIAL, type: 'digitalOceanInferenceApi', data: { apiKey: key, baseUrl: emulator.url } },
				{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: key, url: `${emulator.url}/v1` } },
				{ ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${key}` } },
			];
			await home.importCredentials(credentials);
			await home.importWorkflows(options.workflows({ emulatorUrl: emulator.url, cdnUrl: emulator.cdnUrl }));
			return new BenchN8n(emulator, home, key, options.emulatorConfig ?? {});
		} catch (error) {
			home?.dispose();
			await emulator.close();
			throw error;
		}
	}

	/**
	 * Resets the emulator (log, quota windows, jobs), applies the base config and `config`, then runs
	 * the workflow. Throws when n8n printed no run JSON; a failed workflow still returns its run.
	 */
	async run(
		workflowId: string,
		options: {
			config?: EmulatorConfigPatch;
			timeoutMs?: number;
			sampleMemory?: boolean;
			/**
			 * `execute` (default): `n8n execute --rawOutput`, run JSON from stdout (also for failed runs).
			 * `batch`: `n8n execute-batch --snapshot`, run JSON from a file — for outputs too big for
			 * stdout (n8n's printed JSON of thousands of vectors arrives cut off); successful runs only.
			 */
			via?: 'execute' | 'batch';
		} = {},
	): Promise<BenchRun> {
		const control = this.emulator.control;
		control.reset();
		control.configure(this.baseConfig);
		if (options.config) control.configure(options.config);
		const sampler = options.sampleMemory
			? sampleMemory(this.home.folder, (p) => p.cmdline.includes(this.home.install.n8nBin) && / execute/.test(p.cmdline))
			: undefined;
		const startedAt = Date.now();
		let result: ExecuteResult;
		let memory: MemoryPeaks | undefined;
		try {
			if (options.via === 'batch') {
				const batch = await this.home.executeBatch([workflowId], options.timeoutMs ?? 600_000);
				const run = batch.runs[workflowId];
				if (!run) throw new Error(`n8n execute-batch wrote no snapshot for ${workflowId}: ${JSON.stringify(batch.summary).slice(0, 2000)}`);
				result = { ...batch, workflowId, run };
			} else {
				result = await this.home.executeWorkflow(workflowId, options.timeoutMs ?? 600_000);
			}
		} finally {
			memory = sampler?.stop();
		}
		if (!result.run) {
			throw new Error(
				`n8n printed no run JSON for ${workflowId} (exit ${result.exitCode})\n--- stdout ---\n${result.stdout.slice(-3000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`,
			);
		}
		// The transcript keeps every command's output (for the e2e leak checks); a bench doesn't need it.
		this.home.transcript.length = 0;
		return { result, run: result.run, requests: control.requests(), stats: control.stats(), processMs: result.durationMs, memory, startedAt };
	}

	async close(): Promise<void> {
		this.home.dispose();
		await this.emulator.close();
	}
}
