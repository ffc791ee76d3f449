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

/** Splits "data, photo" into field names, ignoring blanks. */
export function binaryFieldNames(list: string | undefined): string[] {
	return (list ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
}

/** The image in binary field `field` of item `itemIndex` as a `data:` URL, checked before any request. */
export async function readImageAsDataUrl(
	ctx: IExecuteFunctions,
	itemIndex: number,
	field: string,
): Promise<string> {
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
	return `data:${mime};base64,${bytes.toString('base64')}`;
}
