/**
 * Reading a JSON Lines file as it streams in: one line at a time, never the whole file. Lines are cut on
 * the byte 0x0A, which never occurs inside a multi-byte UTF-8 character, so a chunk boundary in the
 * middle of a character or a line costs nothing; a line spread over many chunks is joined once.
 */

/** A line longer than this is refused (it could not be parsed into one string anyway). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export class LineTooLongError extends Error {
	constructor(readonly lineNumber: number) {
		super(`Line ${lineNumber} of the file is longer than ${MAX_LINE_BYTES / 1024 / 1024} MB`);
		this.name = 'LineTooLongError';
	}
}

/** The file's lines (without `\n` or `\r\n`), blank ones included, each with its 1-based number. */
export async function* readLines(
	source: AsyncIterable<Buffer | string | Uint8Array>,
	maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<{ line: string; lineNumber: number }> {
	let parts: Buffer[] = [];
	let partsBytes = 0;
	let lineNumber = 0;
	const text = (last: Buffer) => {
		const bytes = parts.length === 0 ? last : Buffer.concat([...parts, last]);
		parts = [];
		partsBytes = 0;
		const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
		return bytes.toString('utf8', 0, end);
	};
	for await (const chunk of source) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
		let start = 0;
		for (let newline = buffer.indexOf(0x0a, start); newline !== -1; newline = buffer.indexOf(0x0a, start)) {
			lineNumber++;
			if (partsBytes + newline - start > maxLineBytes) throw new LineTooLongError(lineNumber);
			yield { line: text(buffer.subarray(start, newline)), lineNumber };
			start = newline + 1;
		}
		if (start < buffer.length) {
			partsBytes += buffer.length - start;
			if (partsBytes > maxLineBytes) throw new LineTooLongError(lineNumber + 1);
			parts.push(buffer.subarray(start));
		}
	}
	if (partsBytes > 0) yield { line: text(Buffer.alloc(0)), lineNumber: lineNumber + 1 };
}
