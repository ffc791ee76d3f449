/**
 * What a media file is, judged from its first bytes: servers label files as octet-stream, fal's output
 * may carry no type, and a JSON envelope carries none at all. The bytes are the best witness.
 */

/** The audio container a file's first bytes name. */
export function sniffAudioMime(bytes: Buffer): string | undefined {
	if (bytes.length < 4) return undefined;
	const head = bytes.toString('latin1', 0, 4);
	if (head.startsWith('ID3')) return 'audio/mpeg';
	if (head === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WAVE') return 'audio/wav';
	if (head === 'OggS') return 'audio/opus';
	if (head === 'fLaC') return 'audio/flac';
	if (bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) return 'audio/aac';
	if (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) return 'audio/mpeg';
	return undefined;
}

/** Images, video and audio: enough to name the file and its type for the next node. */
export function sniffMediaMime(bytes: Buffer): string | undefined {
	if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
	if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
		return 'image/webp';
	}
	if (bytes.length >= 6 && bytes.toString('latin1', 0, 3) === 'GIF') return 'image/gif';
	if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp') {
		const brand = bytes.toString('latin1', 8, 12);
		if (brand === 'qt  ') return 'video/quicktime';
		if (brand.startsWith('M4A')) return 'audio/mp4';
		return 'video/mp4';
	}
	if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
	return sniffAudioMime(bytes);
}

/** Content types that say nothing about the file. */
export function isVagueMime(mime: string | undefined): boolean {
	return mime === undefined || mime === '' || mime === 'application/octet-stream' || mime === 'binary/octet-stream';
}

const TYPE_BY_EXTENSION: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	webm: 'video/webm',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	ogg: 'audio/ogg',
	opus: 'audio/opus',
	flac: 'audio/flac',
	aac: 'audio/aac',
	m4a: 'audio/mp4',
};

/** The type a URL's file extension suggests (`…/clip.mp4?X-Amz-…` → video/mp4). */
export function mimeFromUrl(url: string): string | undefined {
	try {
		const name = new URL(url).pathname.split('/').pop() ?? '';
		const extension = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
		return TYPE_BY_EXTENSION[extension];
	} catch {
		return undefined;
	}
}
