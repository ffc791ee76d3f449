/**
 * Reading /v1/embeddings replies: checks that the reply holds exactly one vector per text sent and maps
 * each vector back to its text by `index` — a reply that cannot be matched is an error, never a vector
 * handed to the wrong item. Base64 vectors (packed little-endian float32) become plain numbers.
 */
import type { IDataObject } from 'n8n-workflow';

export interface EmbeddingsReply {
	object?: string;
	model?: string;
	data?: Array<{ object?: string; index?: unknown; embedding?: unknown }>;
	usage?: IDataObject;
}

/** The reply does not fit the request; `description` says what to do. */
export class EmbeddingsReplyError extends Error {
	readonly description =
		'None of its vectors was used, because the reply cannot be matched to the texts sent. Run it again; if it keeps happening, lower the Batch Size.';

	constructor(message: string) {
		super(message);
		this.name = 'EmbeddingsReplyError';
	}
}

const FLOAT32_BYTES = 4;

/** Decodes a base64 string of little-endian float32 values. */
export function decodeBase64Embedding(encoded: string): number[] {
	const bytes = Buffer.from(encoded, 'base64');
	if (bytes.length === 0 || bytes.length % FLOAT32_BYTES !== 0) {
		throw new EmbeddingsReplyError(`A base64 embedding has ${bytes.length} bytes, which is not a list of float32 values`);
	}
	const vector = new Array<number>(bytes.length / FLOAT32_BYTES);
	for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * FLOAT32_BYTES);
	return vector;
}

function toVector(embedding: unknown, position: number): number[] {
	if (typeof embedding === 'string') return decodeBase64Embedding(embedding);
	if (Array.isArray(embedding) && embedding.length > 0 && embedding.every((v) => typeof v === 'number' && Number.isFinite(v))) {
		return embedding as number[];
	}
	throw new EmbeddingsReplyError(`Embedding ${position} of the reply is not a list of numbers`);
}

/** The vectors of a reply in the order of the texts sent (`count` of them). */
export function vectorsInInputOrder(reply: EmbeddingsReply, count: number): number[][] {
	const data = reply.data;
	if (!Array.isArray(data)) throw new EmbeddingsReplyError('The reply has no list of embeddings');
	if (data.length !== count) {
		throw new EmbeddingsReplyError(`DigitalOcean returned ${data.length} embeddings for ${count} texts`);
	}
	const vectors = new Array<number[] | undefined>(count);
	data.forEach((entry, position) => {
		const index = entry?.index;
		if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
			throw new EmbeddingsReplyError(`Embedding ${position} of the reply has an invalid index (${JSON.stringify(index)})`);
		}
		if (vectors[index] !== undefined) {
			throw new EmbeddingsReplyError(`The reply has two embeddings for index ${index}`);
		}
		vectors[index] = toVector(entry.embedding, position);
	});
	return vectors as number[][];
}
