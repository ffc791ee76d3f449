/** Reading input binary data (vision images) through n8n's helpers, whatever the binary data mode. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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
