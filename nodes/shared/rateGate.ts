/**
 * One shared pause per API origin and key: after a 429 every request with that key to that origin in
 * this process waits until the server's retry time, so concurrent items don't stampede an exhausted
 * quota — while other credentials (other accounts, other quotas) carry on.
 */
import { createHash } from 'node:crypto';

import { abortableSleep } from './sleep';

/** The key is hashed so the gate table never holds a secret. */
export function gateKey(origin: string, apiKey: string): string {
	return `${origin}|${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

const resumeAtByGate = new Map<string, number>();

export function pauseGate(gate: string, delayMs: number, now = Date.now()): void {
	const resumeAt = now + delayMs;
	if ((resumeAtByGate.get(gate) ?? 0) < resumeAt) resumeAtByGate.set(gate, resumeAt);
}

/** Resolves once the gate is open again (immediately when it isn't paused). */
export async function waitForGate(gate: string, signal?: AbortSignal): Promise<void> {
	for (;;) {
		const waitMs = (resumeAtByGate.get(gate) ?? 0) - Date.now();
		if (waitMs <= 0) {
			resumeAtByGate.delete(gate);
			return;
		}
		await abortableSleep(waitMs, signal);
	}
}

/** For tests: forget every pause. */
export function resetGates(): void {
	resumeAtByGate.clear();
}
