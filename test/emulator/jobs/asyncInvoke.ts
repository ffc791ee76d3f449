/**
 * The async-invoke state machine (§9, §15 item 14): QUEUED → IN_PROGRESS → COMPLETED (or COMPLETE,
 * per config) | FAILED, by elapsed time; timings are fixed at submission. Media of the output is made
 * once, on the first look at the finished request, and put on the CDN origin (no expiry: fal's
 * retention is undocumented), in the shape `asyncOutputShape` asks for.
 */
import type { AsyncTimings, EmulatorConfig } from '../types';
import type { FileStore } from '../cdn/files';
import { FILES_PREFIX } from '../cdn/server';
import { encodeAudio, SPEECH_MIME } from '../media/audio';
import { encodeJpeg } from '../media/jpeg';
import { colorFor } from '../images/generate';

export type FalFamily = 'image' | 'tts' | 'audio';
export type AsyncPhase = 'QUEUED' | 'IN_PROGRESS' | 'DONE' | 'FAILED';

/** Presets whose input and output the emulator knows; any other fal id of the catalog is refused. */
export const FAL_FAMILIES: Record<string, FalFamily> = {
  'fal-ai/flux/schnell': 'image',
  'fal-ai/fast-sdxl': 'image',
  'fal-ai/elevenlabs/tts/multilingual-v2': 'tts',
  'fal-ai/playai/tts/v3': 'tts',
  'fal-ai/stable-audio-25/text-to-audio': 'audio',
};

/** fal's named image sizes; default landscape_4_3 = S1's example 1024x768. */
export const FAL_IMAGE_SIZES: Record<string, [number, number]> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
};

export interface AsyncJob {
  id: string;
  modelId: string;
  family: FalFamily;
  input: Record<string, unknown>;
  createdMs: number;
  /** Sub-millisecond digits for the RFC 3339 nanosecond timestamps (fixed per job, so they stay ordered). */
  subMs: string;
  timings: AsyncTimings;
  fails: boolean;
  output?: Record<string, unknown>;
}

export function asyncPhase(job: AsyncJob, now = Date.now()): AsyncPhase {
  const elapsed = now - job.createdMs;
  if (elapsed < job.timings.queuedMs) return 'QUEUED';
  if (elapsed < job.timings.queuedMs + job.timings.runningMs) return 'IN_PROGRESS';
  return job.fails ? 'FAILED' : 'DONE';
}

/** RFC 3339 with nanoseconds and Z, like `2026-01-22T19:19:19.112403432Z` (S1). */
export function rfc3339Nanos(ms: number, subMs: string): string {
  return new Date(ms).toISOString().replace(/Z$/, `${subMs}Z`);
}

/** Where a finished request's media go and how its output is shaped. */
export interface OutputSettings {
  files: FileStore;
  /** Origin of the media URLs (the CDN's, or `mediaHost`). */
  mediaOrigin: string;
  shape: EmulatorConfig['asyncOutputShape'];
}

/** What GET …/{id}/status answers by default: the progress only (§9.2 documents just `status`). */
export function asyncProgressBody(job: AsyncJob, phase: AsyncPhase, completedWord: string): Record<string, unknown> {
  return { request_id: job.id, status: phase === 'DONE' ? completedWord : phase };
}

export function asyncBody(job: AsyncJob, phase: AsyncPhase, completedWord: string, media: OutputSettings): Record<string, unknown> {
  const started = job.createdMs + job.timings.queuedMs;
  const finished = started + job.timings.runningMs;
  const terminal = phase === 'DONE' || phase === 'FAILED';
  return {
    request_id: job.id,
    model_id: job.modelId,
    status: phase === 'DONE' ? completedWord : phase,
    created_at: rfc3339Nanos(job.createdMs, job.subMs),
    started_at: phase === 'QUEUED' ? null : rfc3339Nanos(started, job.subMs),
    completed_at: terminal ? rfc3339Nanos(finished, job.subMs) : null,
    output: phase === 'DONE' ? outputOf(job, media) : null,
    error: phase === 'FAILED' ? `Inference failed for ${job.modelId}: the input was rejected (emulated failure).` : null,
  };
}

interface MediaItem {
  url: string;
  content_type: string;
  [field: string]: unknown;
}

/** A family's media: the files (stored on the CDN) and the documented output around their entries. */
interface FamilyMedia {
  files: Array<{ name: string; bytes: Buffer; item: Omit<MediaItem, 'url'> }>;
  document: (items: MediaItem[]) => Record<string, unknown>;
}

function familyMedia(job: AsyncJob): FamilyMedia {
  const input = job.input;
  if (job.family === 'image') {
    const [width, height] = imageSize(input.image_size);
    const count = typeof input.num_images === 'number' ? input.num_images : 1;
    const prompt = String(input.prompt);
    return {
      files: Array.from({ length: count }, (_, k) => ({
        name: `${job.id}-${k}.jpg`,
        bytes: encodeJpeg(width, height, colorFor(prompt, k)),
        item: { content_type: 'image/jpeg', width, height },
      })),
      document: (images) => ({ images, seed: seedOf(job.id), has_nsfw_concepts: images.map(() => false), prompt }),
    };
  }
  if (job.family === 'tts') {
    const text = String(input.text);
    const bytes = encodeAudio('mp3', Math.min(30, Math.max(0.5, text.length / 15)));
    const name = `${job.id}.mp3`;
    return {
      files: [{ name, bytes, item: { content_type: SPEECH_MIME.mp3, file_name: name, file_size: bytes.length } }],
      document: ([audio]) => ({ audio }),
    };
  }
  const seconds = typeof input.seconds_total === 'number' ? Math.min(input.seconds_total, 190) : 5;
  const bytes = encodeAudio('wav', seconds);
  const name = `${job.id}.wav`;
  return {
    files: [{ name, bytes, item: { content_type: SPEECH_MIME.wav, file_name: name, file_size: bytes.length } }],
    // UNVERIFIED key (§9.3): 3P probes audio_url, url, file_url, audio.url; fal's stable-audio
    // schema names it `audio_file`. A client should walk the output for any media URL.
    document: ([audioFile]) => ({ audio_file: audioFile }),
  };
}

function outputOf(job: AsyncJob, media: OutputSettings): Record<string, unknown> {
  if (job.output) return job.output;
  const family = familyMedia(job);
  for (const file of family.files) media.files.putBytes(file.name, String(file.item.content_type), file.bytes);
  const items = family.files.map((file) => ({ url: `${media.mediaOrigin}${FILES_PREFIX}${file.name}`, ...file.item }) as MediaItem);
  job.output = shaped(media.shape, job, items, family);
  return job.output;
}

/** The same media in the other shapes fal models use (each model has its own output schema). */
function shaped(shape: OutputSettings['shape'], job: AsyncJob, items: MediaItem[], family: FamilyMedia): Record<string, unknown> {
  switch (shape) {
    case 'fal':
      return family.document(items);
    case 'nested':
      return { result: { files: items.map((item) => ({ href: item.url, content_type: item.content_type })) } };
    case 'strings':
      return { [job.family === 'image' ? 'images' : 'audio']: items.map((item) => item.url) };
    case 'video':
      return { video: { url: items[0].url, content_type: items[0].content_type } };
    case 'inline':
      // fal's sync mode: the documented shape with the media inline as base64 data URLs.
      return family.document(family.files.map((file) => ({ url: `data:${String(file.item.content_type)};base64,${file.bytes.toString('base64')}`, ...file.item }) as MediaItem));
    case 'no-media':
      // A link inside text is not a file of the result; a client must not take it for one.
      return { seed: seedOf(job.id), note: `Rendered; a preview was at ${items[0].url} for a while.` };
  }
}

function imageSize(value: unknown): [number, number] {
  if (typeof value === 'string' && FAL_IMAGE_SIZES[value]) return FAL_IMAGE_SIZES[value];
  if (typeof value === 'object' && value !== null) {
    const { width, height } = value as { width?: unknown; height?: unknown };
    if (typeof width === 'number' && typeof height === 'number') return [width, height];
  }
  return FAL_IMAGE_SIZES.landscape_4_3;
}

function seedOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 8), 16);
}
