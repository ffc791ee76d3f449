/**
 * Saving a job's media file (a URL on a media host, an API route, or a `data:` URL inline in the result)
 * as n8n binary data: streamed straight into n8n's binary store (never held whole here), capped in size
 * (by the transport for downloads, here for inline data), typed by the server, the job's own record or
 * the bytes, and started over when the connection breaks mid-file.
 */
import { Transform, type Readable } from 'node:stream';

import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { bareMimeType } from './binary';
import { cancelSignalOf } from './client';
import { cancelledError } from './items';
import { isVagueMime, mimeFromUrl, sniffMediaMime } from './mediaType';
import { backoffDelayMs, isRetryableNetworkError } from './retry';
import { abortableSleep } from './sleep';
import { dataUrlInfo, decodeDataUrl, type MediaRef } from './mediaFinder';
import { megabytes, type Download, type InferenceClient } from './transport';

/** A pass-through that counts bytes, so the item can report the size of a streamed file. */
export function countBytes(stream: Readable): { stream: Readable; size: () => number } {
	let size = 0;
	const counter = new Transform({
		transform(chunk: Buffer, _encoding, done) {
			size += chunk.length;
			done(null, chunk);
		},
	});
	stream.on('error', (error) => counter.destroy(error));
	return { stream: stream.pipe(counter), size: () => size };
}

/** The first bytes of a stream, put back so the stream still delivers the whole file. */
async function peekHead(stream: Readable): Promise<Buffer> {
	return await new Promise<Buffer>((resolve, reject) => {
		const finish = (head: Buffer, error?: Error) => {
			stream.off('readable', onReadable);
			stream.off('end', onEnd);
			stream.off('error', onError);
			if (error) reject(error);
			else resolve(head);
		};
		const onReadable = () => {
			const chunk = stream.read() as Buffer | null;
			if (chunk === null) return;
			stream.unshift(chunk);
			finish(chunk);
		};
		const onEnd = () => finish(Buffer.alloc(0));
		const onError = (error: Error) => finish(Buffer.alloc(0), error);
		stream.on('readable', onReadable);
		stream.once('end', onEnd);
		stream.once('error', onError);
	});
}

export interface MediaSource {
	/** Starts the download afresh; each retry calls it again. */
	open: () => Promise<Download>;
	/** Names the file in errors ("the video of job …"); never a signed URL. */
	label: string;
	/** The URL, when there is one: its extension is the last hint about the type. */
	url?: string;
	/** A type the job's record declared (fal's `content_type`), used when the server's is vague. */
	declaredMime?: string;
}

export interface MediaTarget {
	itemIndex: number;
	/** The file name for the type found (the type is known only once the reply or its bytes arrive). */
	fileNameFor: (mimeType: string) => string;
	/** How often a download that broke off is started over. */
	retries: number;
}

export interface SavedMedia {
	binary: IBinaryData;
	fileName: string;
	mimeType: string;
	fileSize: number;
}

async function typeOf(download: Download, source: MediaSource): Promise<string> {
	const served = bareMimeType(download.contentType);
	if (served !== undefined && !isVagueMime(served)) return served;
	const declared = bareMimeType(source.declaredMime);
	if (declared !== undefined && !isVagueMime(declared)) return declared;
	const sniffed = sniffMediaMime(await peekHead(download.stream));
	return sniffed ?? (source.url ? mimeFromUrl(source.url) : undefined) ?? 'application/octet-stream';
}

export async function saveMedia(ctx: IExecuteFunctions, source: MediaSource, target: MediaTarget): Promise<SavedMedia> {
	const signal = cancelSignalOf(ctx);
	for (let attempt = 0; ; attempt++) {
		const download = await source.open();
		try {
			const mimeType = await typeOf(download, source);
			const fileName = target.fileNameFor(mimeType);
			const { stream, size } = countBytes(download.stream);
			// Always with the mime type: n8n would store a stream without one as text/plain.
			const binary = await ctx.helpers.prepareBinaryData(stream, fileName, mimeType);
			return { binary, fileName, mimeType, fileSize: size() };
		} catch (error) {
			download.stream.destroy();
			if (signal?.aborted) throw cancelledError(ctx);
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- what cannot be retried goes on as it is (runItems maps it for the item); wrapping here would change which errors get the Get Result hint
			if (!isRetryableNetworkError(error, 'safe')) throw error;
			if (attempt < target.retries) {
				ctx.logger?.debug(`[DigitalOcean] Download of ${source.label} broke off; starting it again`, { attempt });
				await abortableSleep(backoffDelayMs(attempt), signal);
				continue;
			}
			throw new NodeOperationError(ctx.getNode(), `The download of ${source.label} broke off ${attempt + 1} times`, {
				itemIndex: target.itemIndex,
				description: 'The connection dropped each time while the file was arriving. Check the network, then try again.',
			});
		}
	}
}

export interface FoundMediaTarget extends MediaTarget {
	/** Largest file accepted, downloaded or inline. */
	maxBytes: number;
	/** Names the file in errors ("the video of job …"); never a signed URL. */
	label: string;
}

/**
 * Saves a media file found in a job's result: a `data:` URL is decoded (once checked against the size
 * limit, before decoding), anything else is downloaded without the key unless it is on the API's origin.
 */
export async function saveFoundMedia(
	ctx: IExecuteFunctions,
	client: InferenceClient,
	ref: MediaRef,
	target: FoundMediaTarget,
): Promise<SavedMedia> {
	const inline = dataUrlInfo(ref.url);
	if (inline) {
		if (inline.size > target.maxBytes) {
			throw new NodeOperationError(
				ctx.getNode(),
				`${target.label} is an inline file (data: URL) of ${inline.size} bytes, larger than the limit of ${megabytes(target.maxBytes)}`,
				{ itemIndex: target.itemIndex, description: 'Raise the size limit in the node options, or ask for a smaller or shorter result.' },
			);
		}
		const { bytes, mimeType } = decodeDataUrl(ref.url)!;
		const fileName = target.fileNameFor(mimeType);
		const binary = await ctx.helpers.prepareBinaryData(bytes, fileName, mimeType);
		return { binary, fileName, mimeType, fileSize: bytes.length };
	}
	const source: MediaSource = {
		open: async () => await client.download(ref.url, { maxBytes: target.maxBytes, itemIndex: target.itemIndex }),
		label: target.label,
		url: ref.url,
		declaredMime: ref.declaredType,
	};
	return await saveMedia(ctx, source, target);
}
