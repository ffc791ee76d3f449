import { setTimeout as delay } from 'node:timers/promises';

/** Thrown when the execution was cancelled (Stop button, timeout of the whole workflow, shutdown). */
export class CancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'CancelledError';
	}
}

/** A sleep that ends at once with CancelledError when `signal` aborts (works on every Node/n8n version). */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms > 0 && !signal?.aborted) {
		await delay(ms, undefined, { signal }).catch((error: unknown) => {
			if (!signal?.aborted) throw error;
		});
	}
	if (signal?.aborted) throw new CancelledError();
}
