/**
 * The plumbing of the memory benches: the node under test runs in a child process (so nothing else
 * shares its RSS) that the parent drives over IPC, and the child samples its RSS while the measured
 * run lasts.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs `script` (a .ts file, with --expose-gc) and resolves with the JSON report it prints as its last
 * stdout line; rejects when it fails, prints no report or outlives `timeoutMs`.
 */
export function runMemoryChild<Parent, Child, Report>(
	script: string,
	first: Parent,
	onMessage: (send: (message: Parent) => void, message: Child) => void,
	timeoutMs: number,
): Promise<Report> {
	// --expose-gc: the child collects garbage before its baseline, so leftovers from the warm-up don't count.
	const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
		cwd: join(__dirname, '..', '..'),
		stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const send = (message: Parent) => child.send(message as object);
	child.on('message', (message) => onMessage(send, message as Child));
	send(first);
	return new Promise<Report>((resolve, reject) => {
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			const line = stdout.trim().split('\n').pop() ?? '';
			if (timedOut) return reject(new Error(`the child was killed after ${timeoutMs} ms\n${stderr}`));
			if (code !== 0 || !line.startsWith('{')) {
				return reject(new Error(`the child exited with ${code ?? signal} and no report\n${stderr}${stdout}`));
			}
			resolve(JSON.parse(line) as Report);
		});
	});
}

export interface RssFigures {
	baselineRss: number;
	peakRss: number;
	growth: number;
	samples: number;
	elapsedMs: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs `run` and reports how far RSS rose above a garbage-collected baseline while it ran. */
export async function sampleRss<T>(run: () => Promise<T>): Promise<{ result: T; figures: RssFigures }> {
	// Two passes: the first frees objects whose finalizers release more (undici's buffers).
	gc?.();
	await new Promise((resolve) => setImmediate(resolve));
	gc?.();
	const baselineRss = process.memoryUsage().rss;
	const kernelPeakBefore = process.resourceUsage().maxRSS * 1024;
	let peakRss = baselineRss;
	let samples = 1;
	const sample = () => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
		samples++;
	};
	const sampler = setInterval(sample, 5);
	sampler.unref();
	const started = performance.now();
	let result: T;
	try {
		result = await run();
	} finally {
		clearInterval(sampler);
	}
	const elapsedMs = Math.round(performance.now() - started);
	sample();
	// The kernel's high-water mark sees spikes between samples; it only counts if it rose during the run.
	const kernelPeakAfter = process.resourceUsage().maxRSS * 1024;
	if (kernelPeakAfter > kernelPeakBefore) peakRss = Math.max(peakRss, kernelPeakAfter);
	return { result, figures: { baselineRss, peakRss, growth: peakRss - baselineRss, samples, elapsedMs } };
}

/** The child's side of the IPC: the next message from the parent. */
export function nextMessage<T>(): Promise<T> {
	return new Promise((resolve) => process.once('message', (message) => resolve(message as T)));
}
