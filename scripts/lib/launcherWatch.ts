/**
 * Stops `npm start` when the launcher above it goes away. `npm start` / `npx tsx` put npm, `sh -c`
 * and tsx between the terminal and this process; a SIGTERM sent to npm alone kills npm and sh but
 * never reaches us (npm exits 143 at once), which would leave n8n running unowned. So the chain of
 * launchers (processes whose command line names tsx, npm or npx) is polled through /proc, and
 * `onGone` is called once one of them has ended. Linux only; elsewhere this does nothing.
 */
import * as fs from 'node:fs';

interface ProcInfo {
	pid: number;
	ppid: number;
	startTime: string;
	/** Z: exited, not yet reaped by its parent. */
	state: string;
	command: string;
}

function procInfo(pid: number): ProcInfo | undefined {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// "pid (comm) state ppid … starttime(22nd field) …"; comm may hold spaces and parentheses.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
		return { pid, state: fields[0], ppid: Number(fields[1]), startTime: fields[19], command };
	} catch {
		return undefined;
	}
}

const LAUNCHER = /\btsx\b|(^|\/)(npm|npx)(\s|$)|\bnpm-cli\.js\b|\bnpx-cli\.js\b/;

/** The launcher processes above this one (nearest first), at most `maxDepth`. */
export function launcherChain(maxDepth = 6): ProcInfo[] {
	const chain: ProcInfo[] = [];
	let pid = process.ppid;
	while (chain.length < maxDepth && pid > 1) {
		const info = procInfo(pid);
		if (!info || !LAUNCHER.test(info.command)) break;
		chain.push(info);
		pid = info.ppid;
	}
	return chain;
}

/** Polls the launcher chain; calls `onGone` (once) with the command of the first one that ended. Returns a stop function. */
export function watchLaunchers(onGone: (command: string) => void, intervalMs = 1_000): () => void {
	const chain = launcherChain();
	if (chain.length === 0) return () => undefined;
	const timer = setInterval(() => {
		for (const p of chain) {
			const now = procInfo(p.pid);
			if (!now || now.startTime !== p.startTime || now.state === 'Z' || now.state === 'X') {
				clearInterval(timer);
				onGone(p.command);
				return;
			}
		}
	}, intervalMs);
	timer.unref();
	return () => clearInterval(timer);
}
