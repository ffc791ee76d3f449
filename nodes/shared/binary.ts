/** Reading input binary data (vision images) through n8n's helpers, whatever the binary data mode. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InputError } from './validation';

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';

/** DO's vision models take PNG, JPEG and WebP; the bytes decide, not the file name. */
export function sniffImageMime(bytes: Buffer): ImageMime | undefined {
	if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
		return 'image/png';
	}
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
	if (
		bytes.length >= 12 &&
		bytes.subarray(0, 4).toString('ascii') === 'RIFF' &&
		bytes.subarray(8, 12).toString('ascii') === 'WEBP'
	) {
		return 'image/webp';
	}
	return undefined;
}

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export interface InputImage {
	mime: ImageMime;
	base64: string;
}

/** The image in binary field `field` of item `itemIndex`, its type checked from its bytes before any request. */
export async function readImage(ctx: IExecuteFunctions, itemIndex: number, field: string): Promise<InputImage> {
	const meta = ctx.helpers.assertBinaryData(itemIndex, field);
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, field);
	const label = meta.fileName ? `"${meta.fileName}" (field "${field}")` : `binary field "${field}"`;
	if (bytes.length > MAX_IMAGE_BYTES) {
		throw new NodeOperationError(ctx.getNode(), `The image in ${label} is larger than 20 MB`, {
			itemIndex,
			description: 'Resize or compress the image before sending it to a vision model.',
		});
	}
	const mime = sniffImageMime(bytes);
	if (!mime) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The file in ${label} is not a PNG, JPEG or WebP image (its type is ${meta.mimeType || 'unknown'})`,
			{
				itemIndex,
				description:
					'DigitalOcean vision models accept PNG, JPEG and WebP. Convert the file first, or remove the field from "Image Binary Fields".',
			},
		);
	}
	return { mime, base64: bytes.toString('base64') };
}

/** The same image as a `data:` URL (chat and Responses vision parts). */
export async function readImageAsDataUrl(ctx: IExecuteFunctions, itemIndex: number, field: string): Promise<string> {
	const image = await readImage(ctx, itemIndex, field);
	return `data:${image.mime};base64,${image.base64}`;
}

/** File extension per media type, so every output file opens in the right program. */
const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'audio/mpeg': 'mp3',
	'audio/mp3': 'mp3',
	'audio/wav': 'wav',
	'audio/x-wav': 'wav',
	'audio/opus': 'opus',
	'audio/ogg': 'ogg',
	'audio/aac': 'aac',
	'audio/flac': 'flac',
	'audio/mp4': 'm4a',
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
	'video/webm': 'webm',
	'image/gif': 'gif',
};

/** Content types arrive as `audio/mpeg; charset=…` or upper-case; compare the bare type. */
export function bareMimeType(contentType: string | undefined): string | undefined {
	const bare = contentType?.split(';')[0].trim().toLowerCase();
	return bare || undefined;
}

export function extensionFor(mimeType: string | undefined): string {
	return EXTENSIONS[bareMimeType(mimeType) ?? ''] ?? 'bin';
}

/** `<base>.<ext>`, or `<base>-<k>.<ext>` (k from 1) when a result has several files. */
export function mediaFileName(base: string, mimeType: string | undefined, index?: number): string {
	const suffix = index === undefined ? '' : `-${index + 1}`;
	return `${base}${suffix}.${extensionFor(mimeType)}`;
}

/** `data`, `data_1`, `data_2`, … when one item holds several files. */
export function numberedField(base: string, index: number): string {
	return index === 0 ? base : `${base}_${index}`;
}

/**
 * Raw PCM has no header, so no player can open it; a 44-byte RIFF/WAVE header makes it a WAV file.
 * Defaults follow OpenAI-style TTS PCM (24 kHz, 16-bit, mono); DO does not document its PCM format.
 */
export function pcmToWav(pcm: Buffer, format: { sampleRate?: number; channels?: number; bitsPerSample?: number } = {}): Buffer {
	const sampleRate = format.sampleRate ?? 24_000;
	const channels = format.channels ?? 1;
	const bitsPerSample = format.bitsPerSample ?? 16;
	const blockAlign = (channels * bitsPerSample) / 8;
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'ascii');
	header.writeUInt32LE(36 + pcm.length, 4);
	header.write('WAVE', 8, 'ascii');
	header.write('fmt ', 12, 'ascii');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20); // PCM
	header.writeUInt16LE(channels, 22);
	header.writeUInt32LE(sampleRate, 24);
	header.writeUInt32LE(sampleRate * blockAlign, 28);
	header.writeUInt16LE(blockAlign, 32);
	header.writeUInt16LE(bitsPerSample, 34);
	header.write('data', 36, 'ascii');
	header.writeUInt32LE(pcm.length, 40);
	return Buffer.concat([header, pcm]);
}

const MEDIA_EXTENSION = new RegExp(`\\.(${[...new Set(Object.values(EXTENSIONS)), 'jpeg', 'pcm'].join('|')})$`, 'i');

/**
 * The node options "Put Output in Field" (must name a field) and "File Name" (a typed media extension
 * is dropped: "photo.png" would otherwise become "photo.png-1.png"; the real type picks the extension).
 */
export function readOutputTarget(
	options: { binaryPropertyName?: string; fileName?: string },
	defaultFileName: string,
	what: string,
): { field: string; fileBase: string } {
	const field = (options.binaryPropertyName ?? 'data').trim();
	if (field === '') {
		throw new InputError('"Put Output in Field" is empty', `Enter the name of the binary field for the ${what}, e.g. data.`);
	}
	const fileBase = (options.fileName ?? '').trim().replace(MEDIA_EXTENSION, '');
	return { field, fileBase: fileBase === '' ? defaultFileName : fileBase };
}
