/**
 * Transport overhead: N sequential loopback requests (POST /v1/chat/completions, not streamed) through
 * our InferenceClient vs undici's own `request()`, interleaved blocks, in this process; the emulator
 * runs in a child process so that this process's CPU time is the client's alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import { request } from 'undici';
import type { INode } from 'n8n-workflow';

import { InferenceClient } from '../../nodes/shared/transport';
import { fmt, median, seconds, spread } from '../lib/stats';
import type { BenchOptions, ScenarioResult } from '../lib/types';
import { CHAT_MODEL } from '../lib/workflows';

const KEY = 'bench-transport-key';
const NODE: INode = { id: 'bench', name: 'Bench', type: 'bench', typeVersion: 1, position: [0, 0], parameters: {} };
const BODY = { model: CHAT_MODEL, messages: [{ role: 'user', content: 'Say hello' }] };

/** `npm run emulator` in a child process; resolves with its URL once it listens. */
function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
	const root = path.resolve(__dirname, '..', '..');
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'emulator', 'cli.ts'), '--port', '0', '--key', KEY], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	process.once('exit', () => child.kill('SIGKILL'));
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`the emulator did not start within 60 s\n${out}`));
		}, 60_000);
		child.stdout!.setEncoding('utf8');
		child.stderr!.setEncoding('utf8');
		child.stderr!.on('data', (d: string) => (out += d));
		child.stdout!.on('data', (d: string) => {
			out += d;
			const match = /listening on (http:\/\/[\d.:]+)/.exec(out);
			if (match) {
				clearTimeout(timer);
				resolve({ url: match[1], child });
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`the emulator exited with ${code}\n${out}`));
		});
	});
}

interface RunTotals {
	run: number;
	/** Sum over the N requests of each client, ms. */
	oursMs: number;
	rawMs: number;
	/** Median single request, ms. */
	oursMedianMs: number;
	rawMedianMs: number;
	/** This process's CPU time (user + system) spent in each client's requests, ms. */
	oursCpuMs: number;
	rawCpuMs: number;
}

export async function transportScenario(options: BenchOptions): Promise<ScenarioResult> {
	const n = options.quick ? 200 : 2000;
	const runs = Math.max(3, options.runs);
	const { url, child } = await startEmulatorProcess();
	const raw: RunTotals[] = [];
	try {
		const client = new InferenceClient({ node: NODE, baseUrl: url, apiKey: KEY, maxRetries: 0 });
		const ours = async () => {
			const reply = await client.json<{ choices: unknown[] }>({ path: '/v1/chat/completions', body: BODY });
			if (!Array.isArray(reply.data.choices)) throw new Error('no choices');
		};
		const target = `${url}/v1/chat/completions`;
		const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept: 'application/json' };
		const plain = async () => {
			const response = await request(target, { method: 'POST', headers, body: JSON.stringify(BODY) });
			if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
			const data = (await response.body.json()) as { choices: unknown[] };
			if (!Array.isArray(data.choices)) throw new Error('no choices');
		};
		const timed = async (call: () => Promise<void>): Promise<[number, number]> => {
			const cpu = process.cpuUsage();
			const started = performance.now();
			await call();
			const wall = performance.now() - started;
			const used = process.cpuUsage(cpu);
			return [wall, (used.user + used.system) / 1000];
		};
		// Warm-up: connections, JIT, the emulator's first requests.
		for (let i = 0; i < 200; i++) {
			await ours();
			await plain();
		}
		for (let run = 1; run <= runs; run++) {
			const oursTimes: number[] = [];
			const rawTimes: number[] = [];
			let oursCpu = 0;
			let rawCpu = 0;
			// Request by request, alternating which client goes first, so the machine's load hits both alike.
			for (let i = 0; i < n; i++) {
				const order = i % 2 === 0 ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const);
				for (const which of order) {
					const [wall, cpu] = await timed(which === 'ours' ? ours : plain);
					if (which === 'ours') {
						oursTimes.push(wall);
						oursCpu += cpu;
					} else {
						rawTimes.push(wall);
						rawCpu += cpu;
					}
				}
			}
			const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
			const totals: RunTotals = {
				run,
				oursMs: sum(oursTimes),
				rawMs: sum(rawTimes),
				oursMedianMs: median(oursTimes),
				rawMedianMs: median(rawTimes),
				oursCpuMs: oursCpu,
				rawCpuMs: rawCpu,
			};
			raw.push(totals);
			options.log(
				`transport run ${run}: ours ${fmt(totals.oursMs)} ms (median ${fmt(totals.oursMedianMs * 1000)} µs, CPU ${fmt(oursCpu)} ms), raw ${fmt(totals.rawMs)} ms (median ${fmt(totals.rawMedianMs * 1000)} µs, CPU ${fmt(rawCpu)} ms) for ${n} requests each`,
			);
		}
	} finally {
		child.kill('SIGKILL');
	}

	const med = (pick: (r: RunTotals) => number) => median(raw.map(pick));
	const perRequest = (ms: number) => `${fmt((ms * 1000) / n, 0)} µs`;
	const us = (ms: number) => `${fmt(ms * 1000, 0)} µs`;
	const ratio = med((r) => r.oursMs) / med((r) => r.rawMs);
	const medianRatio = med((r) => r.oursMedianMs) / med((r) => r.rawMedianMs);
	const cpuRatio = med((r) => r.oursCpuMs) / med((r) => r.rawCpuMs);
	const row = (label: string, total: (r: RunTotals) => number, single: (r: RunTotals) => number, cpu: (r: RunTotals) => number, vs: string) => [
		label,
		spread(raw.map(total), (ms) => seconds(ms, 2)),
		perRequest(med(total)),
		us(med(single)),
		perRequest(med(cpu)),
		vs,
	];
	const rows = [
		row('InferenceClient.json (nodes/shared/transport.ts)', (r) => r.oursMs, (r) => r.oursMedianMs, (r) => r.oursCpuMs, `${fmt(ratio, 3)}×`),
		row('undici request() + body.json()', (r) => r.rawMs, (r) => r.rawMedianMs, (r) => r.rawCpuMs, '1×'),
	];

	return {
		id: 'transport',
		title: `Transport overhead: ${fmt(n)} sequential loopback requests`,
		method: [
			`In-process (n8n adds nothing to a client's per-request cost): ${fmt(n)} sequential \`POST /v1/chat/completions\` (not streamed, a short prompt) to the emulator on loopback, which runs in its own process so that this process's CPU time is the client's alone. Our \`InferenceClient.json()\` (key header, user agent, shared keep-alive pool, 429 gate, retry loop, JSON parse) vs undici's \`request()\` on its global keep-alive dispatcher + \`body.json()\`.`,
			`After 200 warm-up requests each, ${runs} runs of ${fmt(n)} requests per client, interleaved request by request (alternating which client goes first) so that the shared machine's load hits both alike; the time of every request is summed per client; medians of the runs (min–max). Wall time includes the emulator's own work (the same for both); the median single request and this process's CPU time per request are shown as well.`,
		].join('\n\n'),
		tables: [{ headers: ['client', `wall time, ${fmt(n)} requests`, 'per request', 'median request', 'client CPU per request', 'vs undici'], rows }],
		targets: [
			{
				name: 'Transport: our InferenceClient vs raw undici request(), wall time',
				target: '≤ 1.15×',
				value: `${fmt(ratio, 3)}× (median request ${fmt(medianRatio, 2)}×, client CPU ${fmt(cpuRatio, 2)}×)`,
				met: ratio <= 1.15,
			},
		],
		charts: [
			{
				title: `Transport, ${fmt(n)} sequential requests: µs per request (lower is better)`,
				bars: [
					{ label: 'InferenceClient', value: (med((r) => r.oursMs) * 1000) / n, text: `${perRequest(med((r) => r.oursMs))} (CPU ${perRequest(med((r) => r.oursCpuMs))})`, ours: true },
					{ label: 'raw undici request()', value: (med((r) => r.rawMs) * 1000) / n, text: `${perRequest(med((r) => r.rawMs))} (CPU ${perRequest(med((r) => r.rawCpuMs))})` },
				],
			},
		],
		notes: [],
		raw,
	};
}
