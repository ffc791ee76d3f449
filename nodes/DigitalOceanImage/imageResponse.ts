/**
 * Turns the reply of POST /v1/images/generations into n8n items: every `data[k].b64_json` becomes a
 * binary file whose mime type comes from its bytes (not from what was asked for), while the item json
 * carries only metadata — never the base64.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { mediaFileName, numberedField, sniffImageMime } from '../shared/binary';
import type { ImageRequest } from './imageRequest';

export interface ImagesReply {
	created?: number;
	data?: Array<{ b64_json?: unknown; revised_prompt?: unknown }>;
	background?: string;
	output_format?: string;
	quality?: string;
	size?: string;
	usage?: IDataObject;
}

export class ImageReplyError extends Error {}

const FORMAT_MIME: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export interface GeneratedImage {
	bytes: Buffer;
	mimeType: string;
	revisedPrompt: string | null;
}

/** Decodes every image; the bytes decide the type, the reply's output_format only when they say nothing. */
export function decodeImages(reply: ImagesReply): GeneratedImage[] {
	const data = Array.isArray(reply.data) ? reply.data : [];
	if (data.length === 0) throw new ImageReplyError('The API answered without any image (data is empty)');
	return data.map((entry, k) => {
		if (typeof entry?.b64_json !== 'string' || entry.b64_json === '') {
			throw new ImageReplyError(`Image ${k + 1} of the reply holds no data (expected data[${k}].b64_json)`);
		}
		const bytes = Buffer.from(entry.b64_json, 'base64');
		const mimeType =
			sniffImageMime(bytes) ?? FORMAT_MIME[reply.output_format ?? ''] ?? 'application/octet-stream';
		const revisedPrompt = typeof entry.revised_prompt === 'string' ? entry.revised_prompt : null;
		return { bytes, mimeType, revisedPrompt };
	});
}


interface Prepared {
	image: GeneratedImage;
	fileName: string;
	binary: IBinaryData;
}

/** What every item of one request shares; `usage` is per request, so it is reported once (see below). */
function requestFacts(reply: ImagesReply, request: ImageRequest, requestId: string | undefined): IDataObject {
	return {
		size: reply.size ?? null,
		quality: reply.quality ?? null,
		background: reply.background ?? null,
		outputFormat: reply.output_format ?? null,
		model: request.body.model,
		requestId: requestId ?? null,
	};
}

function fileFacts({ image, fileName }: Prepared, imageIndex: number): IDataObject {
	return {
		fileName,
		mimeType: image.mimeType,
		fileSize: image.bytes.length,
		revisedPrompt: image.revisedPrompt,
		imageIndex,
	};
}

export async function imagesToItems(
	ctx: IExecuteFunctions,
	reply: ImagesReply,
	request: ImageRequest,
	requestId: string | undefined,
): Promise<INodeExecutionData[]> {
	const images = decodeImages(reply);
	const prepared: Prepared[] = [];
	for (const [k, image] of images.entries()) {
		const fileName = mediaFileName(request.fileBase, image.mimeType, k);
		// Always with the mime type, decided from the bytes above.
		const binary = await ctx.helpers.prepareBinaryData(image.bytes, fileName, image.mimeType);
		prepared.push({ image, fileName, binary });
	}
	const shared = requestFacts(reply, request, requestId);
	const usage = reply.usage ?? null;

	if (request.outputMode === 'oneItem') {
		return [
			{
				json: {
					images: prepared.map((p, k) => ({ field: numberedField(request.field, k), ...fileFacts(p, k) })),
					imageCount: prepared.length,
					...shared,
					usage,
				},
				binary: Object.fromEntries(prepared.map((p, k) => [numberedField(request.field, k), p.binary])),
			},
		];
	}
	// Usage is billed per request, not per image: only the first image's item carries it, so summing
	// `usage` over the output items counts every request exactly once.
	return prepared.map((p, k) => ({
		json: { ...fileFacts(p, k), ...shared, usage: k === 0 ? usage : null },
		binary: { [request.field]: p.binary },
	}));
}
