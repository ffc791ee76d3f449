/**
 * Secret scanning for the fault suite: everything a node produced (outputs incl. binary bytes, errors
 * with every own property and cause, log lines, console and stdout/stderr writes) is collected and
 * searched for the key in the forms it could leak in.
 */
import { format } from 'node:util';

/** Every own property (enumerable or not: message, stack, cause …) of every object reached, as text. */
export function deepText(value: unknown): string {
	const seen = new WeakSet<object>();
	const parts: string[] = [];
	const visit = (current: unknown, depth: number): void => {
		if (depth > 12) return;
		if (current === null || current === undefined) return;
		if (typeof current === 'string') {
			parts.push(current);
			return;
		}
		if (typeof current !== 'object' && typeof current !== 'function') {
			parts.push(String(current));
			return;
		}
		if (seen.has(current)) return;
		seen.add(current);
		if (Buffer.isBuffer(current) || current instanceof Uint8Array) {
			parts.push(Buffer.from(current).toString('latin1'));
			return;
		}
		if (current instanceof Map) {
			for (const [k, v] of current) {
				visit(k, depth + 1);
				visit(v, depth + 1);
			}
			return;
		}
		for (const name of Object.getOwnPropertyNames(current)) {
			parts.push(name);
			let child: unknown;
			try {
				child = (current as Record<string, unknown>)[name];
			} catch {
				continue;
			}
			if (typeof child === 'function') continue;
			visit(child, depth + 1);
		}
	};
	visit(value, 0);
	// JSON.stringify as n8n would persist it, in addition to the raw walk.
	let json = '';
	try {
		json = JSON.stringify(value) ?? '';
	} catch {
		json = '';
	}
	return `${parts.join('\n')}\n${json}`;
}

/** Any 16 characters in a row of the key count as a leak (a cut or partly masked key is still a leak). */
export const FRAGMENT_LENGTH = 16;

/**
 * The forms a key could leak in: as is, base64, URL-encoded, and every fragment of FRAGMENT_LENGTH
 * characters (binary data is decoded before the search).
 */
export function keyForms(key: string): string[] {
	const fragments = Array.from({ length: Math.max(0, key.length - FRAGMENT_LENGTH + 1) }, (_, i) => key.slice(i, i + FRAGMENT_LENGTH));
	return [key, Buffer.from(key).toString('base64'), encodeURIComponent(key), ...fragments];
}

export interface ScanHit {
	source: string;
	form: string;
	context: string;
}

export class Collector {
	private readonly sources: Array<{ name: string; value: unknown }> = [];

	readonly logLines: string[] = [];

	add(name: string, value: unknown): void {
		this.sources.push({ name, value });
	}

	get size(): number {
		return this.sources.length;
	}

	/** Binary data items carry base64 bytes: decode them so a key inside a file is found too. */
	private static binaryTexts(value: unknown): string[] {
		const texts: string[] = [];
		const walk = (current: unknown, depth: number) => {
			if (depth > 6 || current === null || typeof current !== 'object') return;
			if (Array.isArray(current)) {
				for (const entry of current) walk(entry, depth + 1);
				return;
			}
			const record = current as Record<string, unknown>;
			if (record.binary && typeof record.binary === 'object') {
				for (const file of Object.values(record.binary as Record<string, { data?: string }>)) {
					if (typeof file?.data === 'string') texts.push(Buffer.from(file.data, 'base64').toString('latin1'));
				}
			}
			for (const child of Object.values(record)) walk(child, depth + 1);
		};
		walk(value, 0);
		return texts;
	}

	scan(secrets: string[]): { hits: ScanHit[]; bytesScanned: number } {
		const hits: ScanHit[] = [];
		let bytesScanned = 0;
		const texts: Array<{ source: string; text: string }> = [];
		for (const { name, value } of this.sources) {
			texts.push({ source: name, text: deepText(value) });
			for (const binary of Collector.binaryTexts(value)) texts.push({ source: `${name} (binary bytes)`, text: binary });
		}
		texts.push({ source: 'log lines', text: this.logLines.join('\n') });
		for (const { source, text } of texts) {
			bytesScanned += text.length;
			for (const secret of secrets) {
				for (const form of keyForms(secret)) {
					const at = text.indexOf(form);
					if (at < 0) continue;
					hits.push({ source, form: form === secret ? 'whole key' : form.length === FRAGMENT_LENGTH ? 'fragment' : 'encoded', context: text.slice(Math.max(0, at - 60), at + 40) });
					break; // one hit per source and secret is enough
				}
			}
		}
		return { hits, bytesScanned };
	}
}

/**
 * Records everything written to the console and to stdout/stderr while active (still passing it on),
 * so "the key appears in nothing logged" is checked, not assumed.
 */
export function captureOutput(into: string[]): () => void {
	const restore: Array<() => void> = [];
	for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
		const original = console[method];
		console[method] = (...args: unknown[]) => {
			into.push(format(...args));
			original.apply(console, args);
		};
		restore.push(() => {
			console[method] = original;
		});
	}
	for (const stream of [process.stdout, process.stderr]) {
		const original = stream.write.bind(stream);
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
			return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof stream.write;
		restore.push(() => {
			stream.write = original as typeof stream.write;
		});
	}
	return () => restore.forEach((undo) => undo());
}
