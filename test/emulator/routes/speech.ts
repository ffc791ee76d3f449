/**
 * POST /v1/audio/speech (§7): raw audio bytes with the format's Content-Type, chunked with no
 * Content-Length (S0), or DOTSDOC's JSON envelope `{data:[{b64_json}]}` when `speechResponse: 'json'`.
 */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { invalidParam } from '../errors';
import { optionalEnum, optionalNumber, optionalString, requiredString } from '../validation/fields';
import { SPEECH_MIME, encodeAudio, type SpeechFormat } from '../media/audio';
import { resolveModel } from './images';

const FORMATS = Object.keys(SPEECH_MIME);
/** The audio's length: about 15 characters a second, 0.5–30 s, divided by speed. */
const CHARS_PER_SECOND = 15;
const MAX_INPUT_CHARS = 4096; // OpenAI's limit; UNVERIFIED on DO
const PARTS = 4;

export function registerSpeech(router: Router): void {
  router.add('POST', '/v1/audio/speech', async (ex, { state }) => {
    const body = requireJsonObject(ex.parsed);
    const model = requiredString(body, 'model');
    const input = requiredString(body, 'input');
    if (input.length > MAX_INPUT_CHARS) throw invalidParam('input', `'input' must be at most ${MAX_INPUT_CHARS} characters; got ${input.length}.`);
    optionalString(body, 'voice'); // voice semantics UNVERIFIED (§7): any string
    optionalString(body, 'instructions');
    // UNVERIFIED default (§7): mp3. DOTSDOC only promises mp3 and wav; the others follow OpenAI.
    const format = (optionalEnum(body, 'response_format', FORMATS) ?? 'mp3') as SpeechFormat;
    // `speed` is not in any DO source (UNVERIFIED); OpenAI's 0.25–4 range is enforced and honoured.
    const speed = optionalNumber(body, 'speed', { min: 0.25, max: 4 }) ?? 1;
    resolveModel(model, 'tts', state.config.forbiddenModels, 'qwen3-tts-voicedesign');

    const seconds = Math.min(30, Math.max(0.5, input.length / CHARS_PER_SECOND)) / speed;
    const audio = encodeAudio(format, seconds);
    if (state.config.speechResponse === 'json') {
      ex.sendJson(200, { data: [{ b64_json: audio.toString('base64') }] });
      return;
    }
    const step = Math.ceil(audio.length / PARTS);
    const parts = Array.from({ length: Math.ceil(audio.length / step) }, (_, i) => audio.subarray(i * step, (i + 1) * step));
    await ex.sendChunked(200, SPEECH_MIME[format], parts);
  });
}
