/**
 * Finds the media files in a fal model's output, whatever its shape: `images[].url`, `image.url`,
 * `audio.url`, `audio_file.url`, `audio_url`, `video.url`, `file_url` … Each fal model has its own
 * output schema (stable-audio's key is undocumented), so the output is walked for URL fields rather
 * than read at fixed paths.
 */

export interface MediaRef {
	/** Where in the output it was found, e.g. `images[1].url`. */
	path: string;
	url: string;
	/** The type the output declared next to the URL (`content_type`), if any. */
	declaredType?: string;
}

const MAX_DEPTH = 8;
const MAX_FILES = 50;

/** `url`, or a key that names a URL (`audio_url`, `file_url`, `video_url`). */
const URL_KEY = /(^|_)url$/i;

function isMediaUrl(value: unknown): value is string {
	return typeof value === 'string' && (/^https?:\/\//i.test(value) || /^data:[\w.+-]+\/[\w.+-]+;base64,/i.test(value));
}

export function findMedia(output: unknown): MediaRef[] {
	const found: MediaRef[] = [];
	const seen = new Set<string>();
	const visit = (value: unknown, path: string, depth: number) => {
		if (depth > MAX_DEPTH || found.length >= MAX_FILES || value === null || typeof value !== 'object') return;
		if (Array.isArray(value)) {
			value.forEach((entry, k) => visit(entry, `${path}[${k}]`, depth + 1));
			return;
		}
		const record = value as Record<string, unknown>;
		for (const [key, entry] of Object.entries(record)) {
			const entryPath = path ? `${path}.${key}` : key;
			if (URL_KEY.test(key) && isMediaUrl(entry)) {
				if (seen.has(entry) || found.length >= MAX_FILES) continue;
				seen.add(entry);
				const declared = record.content_type ?? record.mime_type;
				found.push({ path: entryPath, url: entry, ...(typeof declared === 'string' ? { declaredType: declared } : {}) });
			} else {
				visit(entry, entryPath, depth + 1);
			}
		}
	};
	visit(output, '', 0);
	return found;
}

/** A `data:` URL's bytes and type (fal's sync mode returns media inline). */
export function decodeDataUrl(url: string): { bytes: Buffer; mimeType: string } | undefined {
	const match = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/is.exec(url);
	if (!match) return undefined;
	return { mimeType: match[1].toLowerCase(), bytes: Buffer.from(match[2], 'base64') };
}

/** For json output: a data URL is shown by its type and size, not as a megabyte of base64. */
export function displayUrl(url: string): string {
	const inline = decodeDataUrl(url);
	return inline ? `data:${inline.mimeType} (${inline.bytes.length} bytes inline)` : url;
}
