/**
 * `npm run bench` — runs real n8n (the e2e install) and the emulator through nine scenarios and writes
 * bench/results.md + bench/results.svg (medians of ≥ 3 runs; raw figures in bench/results.json).
 *
 *   npm run bench                                   # build, then every scenario (≈ 20–25 min on 2 cores)
 *   npx tsx bench/run.ts --quick                    # small N, 1 run: checks the bench works → results-quick.*
 *   npx tsx bench/run.ts --only chat,embeddings     # some scenarios; the others keep their stored figures
 *   npx tsx bench/run.ts --runs 5                   # more repetitions
 *   npx tsx bench/run.ts --render-only              # re-write results.md/.svg from results.json
 *
 * Scenarios: chat, warm, embeddings, vectorstore, agent, ratelimit, media, async, transport. Every process it starts (n8n,
 * the emulator child) is bounded by a timeout and killed on exit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ensureN8n, killAllN8nProcesses, type N8nInstall } from '../test/e2e/harness';
import { renderMarkdown, renderSvg } from './lib/report';
import { SCENARIO_IDS, type BenchOptions, type Scenario, type ScenarioId, type StoredResult } from './lib/types';
import { agentScenario } from './scenarios/agent';
import { asyncScenario } from './scenarios/async';
import { chatScenario } from './scenarios/chat';
import { embeddingsScenario } from './scenarios/embeddings';
import { mediaScenario } from './scenarios/media';
import { rateLimitScenario } from './scenarios/rateLimit';
import { transportScenario } from './scenarios/transport';
import { vectorStoreScenario } from './scenarios/vectorStore';
import { warmScenario } from './scenarios/warm';

const SCENARIOS: Record<ScenarioId, Scenario> = {
	chat: chatScenario,
	warm: warmScenario,
	embeddings: embeddingsScenario,
	vectorstore: vectorStoreScenario,
	agent: agentScenario,
	ratelimit: rateLimitScenario,
	media: mediaScenario,
	async: asyncScenario,
	transport: transportScenario,
};

interface Args {
	quick: boolean;
	/** Only re-write results.md/.svg from results.json. */
	renderOnly: boolean;
	only: ScenarioId[];
	runs: number;
	outDir: string;
}

function parseArgs(argv: string[]): Args {
	let quick = false;
	let renderOnly = false;
	let only: ScenarioId[] = [...SCENARIO_IDS];
	let runs: number | undefined;
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i] ?? '';
		if (flag === '--quick') quick = true;
		else if (flag === '--render-only') renderOnly = true;
		else if (flag === '--only') {
			const names = value().split(',').map((s) => s.trim()).filter(Boolean);
			const unknown = names.filter((s) => !(SCENARIO_IDS as readonly string[]).includes(s));
			if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIO_IDS.join(', ')}`);
			only = names as ScenarioId[];
		} else if (flag === '--runs') runs = Number(value());
		else if (flag === '--help' || flag === '-h') {
			console.log('usage: tsx bench/run.ts [--quick] [--only chat,warm,embeddings,vectorstore,agent,ratelimit,media,async,transport] [--runs N] [--render-only]');
			process.exit(0);
		} else throw new Error(`unknown argument ${argv[i]} (try --help)`);
	}
	runs ??= quick ? 1 : 3;
	if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
	return { quick, renderOnly, only, runs, outDir: __dirname };
}

function loadStored(file: string): Partial<Record<ScenarioId, StoredResult>> {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<ScenarioId, StoredResult>>;
	} catch {
		return {};
	}
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const base = args.quick ? 'results-quick' : 'results';
	const jsonFile = path.join(args.outDir, `${base}.json`);
	const stored = loadStored(jsonFile);
	const write = () => {
		fs.writeFileSync(jsonFile, `${JSON.stringify(stored, null, 2)}\n`);
		fs.writeFileSync(path.join(args.outDir, `${base}.md`), renderMarkdown(stored, { quick: args.quick }));
		fs.writeFileSync(path.join(args.outDir, `${base}.svg`), renderSvg(stored));
	};
	if (args.renderOnly) {
		write();
		return;
	}
	const started = Date.now();
	const log = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

	let install: Promise<N8nInstall> | undefined;
	const options: BenchOptions = {
		quick: args.quick,
		runs: args.runs,
		install: () => (install ??= ensureN8n()),
		log,
	};
	const failures: string[] = [];
	for (const id of args.only) {
		log(`— ${id} —`);
		const load = os.loadavg()[0];
		const t0 = Date.now();
		try {
			const result = await SCENARIOS[id](options);
			stored[id] = {
				...result,
				measuredAt: new Date().toISOString(),
				durationMs: Date.now() - t0,
				quick: args.quick,
				runs: args.runs,
				load: [load, os.loadavg()[0]],
				cores: os.cpus().length,
				n8nVersion: install ? (await install).version : '–',
				nodeVersion: process.version,
			};
			for (const t of result.targets) log(`${t.met ? 'MET ' : 'MISS'} ${t.name}: ${t.value} (target ${t.target})`);
			log(`${id} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
		} catch (error) {
			failures.push(id);
			log(`${id} FAILED: ${(error as Error).stack ?? error}`);
		} finally {
			killAllN8nProcesses();
		}
		// Written after every scenario, so an interrupted run keeps what it measured.
		write();
	}
	log(`wrote ${path.relative(process.cwd(), path.join(args.outDir, base))}.{md,svg,json} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
	if (failures.length) {
		log(`failed: ${failures.join(', ')}`);
		process.exitCode = 1;
	}
}

// n8n runs in its own process group (so a timeout can kill its whole tree): Ctrl-C must end it too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		killAllN8nProcesses();
		process.exit(signal === 'SIGINT' ? 130 : 143);
	});
}

main()
	.catch((error: Error) => {
		process.stderr.write(`${error.stack ?? error.message}\n`);
		process.exitCode = 1;
	})
	.finally(() => killAllN8nProcesses());
