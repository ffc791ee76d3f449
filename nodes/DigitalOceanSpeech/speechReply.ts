/**
 * Turns the reply of POST /v1/audio/speech into one audio file: raw audio (its Content-Type decides
 * the type; streamed through, never held whole) or DOTSDOC's JSON envelope `{data:[{b64_json}]}`.
 * Raw PCM has no header, so it is wrapped into a WAV file that any player opens.
 */
import type { Readable } from 'node:stream';

import { bareMimeType, pcmToWav } from '../shared/binary';
import { countBytes } from '../shared/mediaDownload';
import { isVagueMime, sniffAudioMime } from '../shared/mediaType';
import type { Download } from '../shared/transport';
import type { SpeechFormat } from './speechOptions';

const FORMAT_MIME: Record<SpeechFormat, string> = {
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	opus: 'audio/opus',
	aac: 'audio/aac',
	flac: 'audio/flac',
	pcm: 'audio/pcm',
};

/** Content types servers use for headerless 16-bit PCM. */
const PCM_MIMES = new Set(['audio/pcm', 'audio/l16', 'audio/raw', 'audio/x-pcm']);

export interface SpeechAudio {
	/** A stream for raw replies (counted while it flows), a Buffer for JSON and PCM replies. */
	data: Buffer | Readable;
	mimeType: string;
	/** Bytes of the file; final once `data` has been consumed. */
	size: () => number;
}

export class SpeechReplyError extends Error {}

/** `audio/L16;rate=16000;channels=2` carries its PCM layout; otherwise OpenAI-style 24 kHz mono. */
function pcmLayout(contentType: string | undefined): { sampleRate?: number; channels?: number } {
	const params = new Map(
		(contentType ?? '')
			.split(';')
			.slice(1)
			.map((part) => part.split('=').map((s) => s.trim().toLowerCase()) as [string, string]),
	);
	const number = (key: string) => {
		const value = Number(params.get(key));
		return Number.isInteger(value) && value > 0 ? value : undefined;
	};
	return { sampleRate: number('rate'), channels: number('channels') };
}

async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
	return Buffer.concat(chunks);
}

function asWav(pcm: Buffer, contentType?: string): SpeechAudio {
	const wav = pcmToWav(pcm, pcmLayout(contentType));
	return { data: wav, mimeType: 'audio/wav', size: () => wav.length };
}

function fromBytes(bytes: Buffer, mimeType: string, contentType?: string): SpeechAudio {
	if (PCM_MIMES.has(mimeType)) return asWav(bytes, contentType);
	return { data: bytes, mimeType, size: () => bytes.length };
}

async function fromJsonEnvelope(download: Download, requested: SpeechFormat | undefined): Promise<SpeechAudio> {
	const text = (await readAll(download.stream)).toString('utf8');
	let encoded: unknown;
	try {
		encoded = (JSON.parse(text) as { data?: Array<{ b64_json?: unknown }> }).data?.[0]?.b64_json;
	} catch {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- no node here; the Speech node turns a SpeechReplyError into a NodeOperationError with a hint
		throw new SpeechReplyError('The API answered with invalid JSON instead of audio');
	}
	if (typeof encoded !== 'string' || encoded === '') {
		throw new SpeechReplyError('The API answered with JSON that holds no audio (expected data[0].b64_json)');
	}
	const bytes = Buffer.from(encoded, 'base64');
	// The bytes are the best witness; headerless PCM has no magic, so the requested format decides then.
	const mimeType = sniffAudioMime(bytes) ?? FORMAT_MIME[requested ?? 'mp3'];
	return fromBytes(bytes, mimeType);
}

export async function readSpeechReply(download: Download, requested: SpeechFormat | undefined): Promise<SpeechAudio> {
	const contentType = bareMimeType(download.contentType);
	if (contentType === 'application/json' || contentType?.endsWith('+json')) return await fromJsonEnvelope(download, requested);
	const mimeType = contentType === undefined || isVagueMime(contentType) ? FORMAT_MIME[requested ?? 'mp3'] : contentType;
	// PCM needs its length in the WAV header, so it is read whole (speech is at most a few MB).
	if (PCM_MIMES.has(mimeType)) return asWav(await readAll(download.stream), download.contentType);
	const { stream, size } = countBytes(download.stream);
	return { data: stream, mimeType, size };
}
