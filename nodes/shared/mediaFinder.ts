/**
 * Finds the media files in a job's result, whatever its shape: fal models each have their own output
 * schema (`images[].url`, `audio.url`, `audio_file.url`, `video.url`, `file_url` …; stable-audio's key is
 * undocumented), and where the video API puts its MP4 is undocumented (`output` as a string, `.url`,
 * `.video.url`, a list …). So the result is walked rather than read at fixed paths.
 *
 * A string counts as a media file when it is an http(s) or base64 `data:` URL and it is the result
 * itself, or sits under a key that names a link (`url`, `uri`, `href`, `…_url`, `urls`) or a kind of
 * media (`image`, `video`, `audio`, `file`, `media`, `output`, `result`, singular or plural, alone or
 * as a suffix such as `audio_file`), directly or in a list. A URL under any other key (`prompt`, `note`,
 * `source_page` …) is text that happens to hold a link, not a file of the result.
 */

export interface MediaRef {
	/** Where in the result it was found, e.g. `images[1].url`; empty when the result is the URL itself. */
	path: string;
	url: string;
	/** The type the result declared next to the URL (`content_type`, `mime_type`), if any. */
	declaredType?: string;
}

const MAX_DEPTH = 8;
const MAX_FILES = 50;

const LINK_KEY = /(^|_)(url|uri|href|urls|uris|hrefs)$/i;
const MEDIA_KEY = /(^|_)(image|video|audio|file|media|output|result)s?$/i;
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,/i;

function isMediaUrl(value: unknown): value is string {
	return typeof value === 'string' && (/^https?:\/\//i.test(value) || DATA_URL.test(value));
}

const holdsMedia = (key: string) => LINK_KEY.test(key) || MEDIA_KEY.test(key);

export function findMedia(result: unknown): MediaRef[] {
	const found: MediaRef[] = [];
	const seen = new Set<string>();
	const add = (url: string, path: string, owner?: Record<string, unknown>) => {
		if (seen.has(url) || found.length >= MAX_FILES) return;
		seen.add(url);
		const declared = owner?.content_type ?? owner?.mime_type;
		found.push({ path, url, ...(typeof declared === 'string' ? { declaredType: declared } : {}) });
	};
	/** `mediaSlot`: the value sits where a URL string is a file (the root, or under a link/media key). */
	const visit = (value: unknown, path: string, depth: number, mediaSlot: boolean, owner?: Record<string, unknown>) => {
		if (depth > MAX_DEPTH || found.length >= MAX_FILES || value === null || value === undefined) return;
		if (isMediaUrl(value)) {
			if (mediaSlot) add(value, path, owner);
			return;
		}
		if (typeof value !== 'object') return;
		if (Array.isArray(value)) {
			value.forEach((entry, k) => visit(entry, `${path}[${k}]`, depth + 1, mediaSlot));
			return;
		}
		const record = value as Record<string, unknown>;
		for (const [key, entry] of Object.entries(record)) {
			visit(entry, path ? `${path}.${key}` : key, depth + 1, holdsMedia(key), record);
		}
	};
	visit(result, '', 0, true);
	return found;
}

/** A data URL's type and decoded size, read without decoding it. */
export function dataUrlInfo(url: string): { mimeType: string; size: number } | undefined {
	const match = DATA_URL.exec(url);
	if (!match) return undefined;
	const payload = url.length - match[0].length;
	const padding = url.endsWith('==') ? 2 : url.endsWith('=') ? 1 : 0;
	return { mimeType: match[1].toLowerCase(), size: Math.max(0, Math.floor((payload * 3) / 4) - padding) };
}

/** A `data:` URL's bytes and type (fal's sync mode returns media inline). */
export function decodeDataUrl(url: string): { bytes: Buffer; mimeType: string } | undefined {
	const info = dataUrlInfo(url);
	if (!info) return undefined;
	return { mimeType: info.mimeType, bytes: Buffer.from(url.slice(url.indexOf(',') + 1), 'base64') };
}

/** For json output: a data URL is shown by its type and size, not as a megabyte of base64. */
export function displayUrl(url: string): string {
	const inline = dataUrlInfo(url);
	return inline ? `data:${inline.mimeType} (${inline.size} bytes inline)` : url;
}
