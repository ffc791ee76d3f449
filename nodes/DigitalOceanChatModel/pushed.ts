/**
 * Turns values a callback pushes while a promise runs into an async iterator: the values in the order
 * pushed, then the promise's result as the iterator's return value (or its error, after the values
 * that came before it).
 */
export async function* pushed<T, R>(run: (push: (value: T) => void) => Promise<R>): AsyncGenerator<T, R> {
	const queue: T[] = [];
	let wake: (() => void) | undefined;
	let settled = false;
	const result = run((value) => {
		queue.push(value);
		wake?.();
	}).finally(() => {
		settled = true;
		wake?.();
	});
	// Observed here so an early failure is not an unhandled rejection; it is rethrown below.
	result.catch(() => undefined);
	for (;;) {
		while (queue.length > 0) yield queue.shift() as T;
		if (settled) return await result;
		await new Promise<void>((resolve) => (wake = resolve));
		wake = undefined;
	}
}
