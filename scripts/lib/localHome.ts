/**
 * The persistent n8n user folder of `npm start`: a lock so two starts never share it, n8n's own
 * settings file holding a generated encryption key (mode 600, so credentials decrypt on every later
 * start), and a little state remembered between starts.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { StartError } from './errors';

export interface StartState {
	/** What the credentials pointed at on the last start. */
	target?: 'emulator' | 'real';
}

const LOCK_FILE = '.n8n-start.pid';
const STATE_FILE = '.n8n-start.json';

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Takes the folder's lock (a pid file); throws if a running `npm start` holds it. Released on exit. */
export function lockHome(folder: string): void {
	fs.mkdirSync(folder, { recursive: true });
	const file = path.join(folder, LOCK_FILE);
	const holder = Number.parseInt(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', 10);
	if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
		throw new StartError(
			`another \`npm start\` (pid ${holder}) is using ${folder}. Stop it, or give this one its own folder with N8N_START_HOME.`,
		);
	}
	fs.writeFileSync(file, String(process.pid));
	process.once('exit', () => {
		try {
			if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.rmSync(file);
		} catch {
			/* gone */
		}
	});
}

/**
 * The encryption key of this folder: read from n8n's settings file `<folder>/.n8n/config`, or
 * generated and written there (mode 600) the first time. Never printed.
 */
export function encryptionKey(folder: string): string {
	const dotN8n = path.join(folder, '.n8n');
	const file = path.join(dotN8n, 'config');
	if (fs.existsSync(file)) {
		const key = (JSON.parse(fs.readFileSync(file, 'utf8')) as { encryptionKey?: unknown }).encryptionKey;
		if (typeof key === 'string' && key !== '') return key;
		throw new StartError(`${file} has no encryptionKey; delete ${folder} to start afresh`);
	}
	fs.mkdirSync(dotN8n, { recursive: true });
	const key = randomBytes(24).toString('base64');
	fs.writeFileSync(file, JSON.stringify({ encryptionKey: key }, null, '\t'), { mode: 0o600, flag: 'wx' });
	return key;
}

export function readState(folder: string): StartState {
	try {
		return JSON.parse(fs.readFileSync(path.join(folder, STATE_FILE), 'utf8')) as StartState;
	} catch {
		return {};
	}
}

export function writeState(folder: string, state: StartState): void {
	fs.writeFileSync(path.join(folder, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}
