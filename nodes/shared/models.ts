/**
 * The model picker: GET /v1/models once per credential for a few minutes, filtered by the modality a
 * node needs. DO's list mixes every modality and has no type field, so the modality comes from the id.
 * A filter that leaves nothing falls back to the whole list; "By ID" always accepts any id or router.
 */
import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	ISupplyDataFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { createClient } from './client';
import type { InferenceClient } from './transport';

export type Modality = 'chat' | 'embedding' | 'image' | 'tts' | 'video' | 'fal';

/** How long the model list of one credential is reused (the editor's pickers ask often). */
export const MODEL_LIST_TTL_MS = 5 * 60_000;

/** Id fragments per modality, checked in order (fal first: `fal-ai/…` ids also name images/audio). */
const MODALITY_PATTERNS: Array<[Exclude<Modality, 'chat'>, RegExp]> = [
	['fal', /^fal-ai\//i],
	['embedding', /embed/i],
	['tts', /(^|[-_.])tts([-_.]|$)|text-to-speech|speech/i],
	['video', /t2v|i2v|text-to-video|video|^wan\d|sora|veo/i],
	['image', /gpt-image|dall-e|stable-diffusion|sdxl|flux|imagen|image-gen/i],
];

export function modalityOf(modelId: string): Modality {
	for (const [modality, pattern] of MODALITY_PATTERNS) {
		if (pattern.test(modelId)) return modality;
	}
	return 'chat';
}

interface ModelList {
	data?: Array<{ id?: string; owned_by?: string }>;
}

interface CachedList {
	expiresAt: number;
	ids: string[];
}

const cache = new Map<string, CachedList>();

/** Cached per client scope (origin + key hash), so two credentials never share (or reveal) a list. */
export async function fetchModelIds(client: InferenceClient, now = Date.now()): Promise<string[]> {
	const key = client.scope;
	const hit = cache.get(key);
	if (hit && hit.expiresAt > now) return hit.ids;
	const reply = await client.json<ModelList>({ method: 'GET', path: '/v1/models' });
	const ids = (reply.data.data ?? [])
		.map((model) => model.id)
		.filter((id): id is string => typeof id === 'string' && id !== '')
		.sort((a, b) => a.localeCompare(b));
	cache.set(key, { ids, expiresAt: now + MODEL_LIST_TTL_MS });
	return ids;
}

export function clearModelCache(): void {
	cache.clear();
}

/** Documented ids (contract §14), shown only when the API's list has nothing at all to offer. */
const KNOWN_MODELS: Record<Modality, string[]> = {
	chat: ['llama3.3-70b-instruct', 'openai-gpt-oss-120b', 'openai-gpt-oss-20b', 'anthropic-claude-4.6-sonnet'],
	embedding: ['qwen3-embedding-0.6b'],
	image: ['openai-gpt-image-1', 'stable-diffusion-3.5-large'],
	tts: ['qwen3-tts-voicedesign'],
	video: ['wan2.2-t2v-a14b'],
	fal: ['fal-ai/flux/schnell', 'fal-ai/fast-sdxl', 'fal-ai/stable-audio-25/text-to-audio', 'fal-ai/elevenlabs/tts/multilingual-v2'],
};

/** The picker's entries for one modality; falls back to every model rather than showing nothing. */
export function modelChoices(ids: string[], modality: Modality, filter?: string): INodeListSearchItems[] {
	const ofModality = ids.filter((id) => modalityOf(id) === modality);
	const pool = ofModality.length > 0 ? ofModality : ids.length > 0 ? ids : KNOWN_MODELS[modality];
	const needle = filter?.trim().toLowerCase();
	return pool
		.filter((id) => !needle || id.toLowerCase().includes(needle))
		.map((id) => ({ name: id, value: id }));
}

export async function searchModels(
	ctx: ILoadOptionsFunctions,
	modality: Modality,
	filter?: string,
): Promise<INodeListSearchResult> {
	const client = await createClient(ctx, { maxRetries: 1, timeoutMs: 30_000 });
	const ids = await fetchModelIds(client);
	return { results: modelChoices(ids, modality, filter) };
}

/**
 * searchModels narrowed to the ids `preferred` accepts (e.g. Claude models for /v1/messages), or all of
 * them when it accepts none, so an unusual catalogue never leaves the picker empty.
 */
export async function searchPreferredModels(
	ctx: ILoadOptionsFunctions,
	filter: string | undefined,
	preferred: (modelId: string) => boolean,
): Promise<INodeListSearchResult> {
	const { results } = await searchModels(ctx, 'chat', filter);
	const matching = results.filter((result) => preferred(String(result.value)));
	return { results: matching.length > 0 ? matching : results };
}

/** The model id of item `itemIndex`; the picker's "Router" mode becomes `router:NAME`. */
export function readModelId(ctx: IExecuteFunctions | ISupplyDataFunctions, itemIndex: number, parameter = 'model'): string {
	const raw = ctx.getNodeParameter(parameter, itemIndex, '') as string | { mode?: string; value?: unknown };
	if (typeof raw !== 'object' || raw === null) return String(raw ?? '').trim();
	const value = String(raw.value ?? '').trim();
	if (raw.mode === 'router' && value !== '' && !value.startsWith('router:')) return `router:${value}`;
	return value;
}
