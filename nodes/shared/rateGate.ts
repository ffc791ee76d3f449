/**
 * One shared pause per API origin: after a 429 every request to that origin in this process waits
 * until the server's retry time, so concurrent items don't stampede an exhausted quota.
 */
import { abortableSleep } from './sleep';

const resumeAtByOrigin = new Map<string, number>();

export function pauseOrigin(origin: string, delayMs: number, now = Date.now()): void {
	const resumeAt = now + delayMs;
	if ((resumeAtByOrigin.get(origin) ?? 0) < resumeAt) resumeAtByOrigin.set(origin, resumeAt);
}

/** Resolves once the origin is open again (immediately when it isn't paused). */
export async function waitForOrigin(origin: string, signal?: AbortSignal): Promise<void> {
	for (;;) {
		const waitMs = (resumeAtByOrigin.get(origin) ?? 0) - Date.now();
		if (waitMs <= 0) {
			resumeAtByOrigin.delete(origin);
			return;
		}
		await abortableSleep(waitMs, signal);
	}
}

/** For tests: forget every pause. */
export function resetOriginPauses(): void {
	resumeAtByOrigin.clear();
}
