/**
 * Memory of the n8n processes a bench run starts, read from /proc (Linux only). The harness starts
 * every n8n command with the home folder as its working directory, so the processes of one run are
 * exactly those whose cwd is that folder (n8n itself plus any task runner it spawns).
 */
import * as fs from 'node:fs';

export interface ProcMemory {
	pid: number;
	/** Resident set size now (VmRSS), bytes. */
	rss: number;
	/** The kernel's resident high-water mark of the process (VmHWM), bytes. */
	hwm: number;
	cmdline: string;
}

function readStatusKb(status: string, field: string): number {
	const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
	return match ? Number(match[1]) * 1024 : 0;
}

/** Memory of every live process whose working directory is `cwd`. */
export function processesIn(cwd: string): ProcMemory[] {
	const found: ProcMemory[] = [];
	let entries: string[];
	try {
		entries = fs.readdirSync('/proc');
	} catch {
		return found;
	}
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (fs.readlinkSync(`/proc/${entry}/cwd`) !== cwd) continue;
			const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
			found.push({ pid: Number(entry), rss: readStatusKb(status, 'VmRSS'), hwm: readStatusKb(status, 'VmHWM'), cmdline });
		} catch {
			// gone, or not ours
		}
	}
	return found;
}

export interface MemoryPeaks {
	/** Highest VmHWM seen of the main n8n process (the one whose command line matches). */
	mainPeak: number;
	/** Highest sum of VmRSS over all processes of the run at one sample. */
	treePeak: number;
	samples: number;
	/** [ms since start, main process VmRSS] pairs, for a timeline. */
	timeline: Array<[number, number]>;
}

/**
 * Samples the processes in `cwd` every `intervalMs` until stopped. Call `stop()` right after the
 * run's promise settles; VmHWM makes the main peak exact up to the last sample before exit.
 */
export function sampleMemory(cwd: string, isMain: (p: ProcMemory) => boolean, intervalMs = 20) {
	const started = Date.now();
	const peaks: MemoryPeaks = { mainPeak: 0, treePeak: 0, samples: 0, timeline: [] };
	const tick = () => {
		const procs = processesIn(cwd);
		if (procs.length === 0) return;
		peaks.samples++;
		let tree = 0;
		for (const p of procs) {
			tree += p.rss;
			if (isMain(p)) {
				peaks.mainPeak = Math.max(peaks.mainPeak, p.hwm, p.rss);
				peaks.timeline.push([Date.now() - started, p.rss]);
			}
		}
		peaks.treePeak = Math.max(peaks.treePeak, tree);
	};
	const timer = setInterval(tick, intervalMs);
	return {
		stop(): MemoryPeaks {
			clearInterval(timer);
			return peaks;
		},
	};
}
