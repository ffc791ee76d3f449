/**
 * Model catalog: the real ids of contract §14 with what each one can do.
 * `created` values are fixed (two come from S1's /v1/models example) so listings are deterministic.
 */

export type Modality = 'chat' | 'embedding' | 'image' | 'tts' | 'video' | 'fal';

export interface CatalogModel {
  id: string;
  ownedBy: string;
  created: number;
  modality: Modality;
  /** Always returns `reasoning_content` on chat (DO-hosted reasoning models). */
  reasoning?: boolean;
  /** Accepts image_url parts on chat. */
  vision?: boolean;
  /** Honours `cache_control` (S2: Anthropic and OpenAI models only, not DO-hosted open-source ones). */
  promptCaching?: boolean;
  /**
   * An Anthropic-native id (OA's /v1/messages example uses `claude-opus-4-6`). UNVERIFIED whether DO
   * accepts both id forms; the emulator accepts native ids on /v1/messages only and does not list them
   * in /v1/models, so a client that takes ids from the model list never sees them.
   */
  nativeAnthropic?: boolean;
}

const DO = 'digitalocean';

/*
 * Vision: S2 names only nemotron-nano-12b-v2-vl. The commercial multimodal models (GPT-4o, Claude)
 * and Llama 4 Maverick are flagged too because their providers accept images; UNVERIFIED on DO.
 * openai-gpt-oss-* are open-weight models hosted by DO, so they are reasoning models without
 * prompt caching (S2: caching is not available for DO-hosted open-source models).
 */
export const MODELS: readonly CatalogModel[] = [
  // Chat, DO-hosted open models
  { id: 'llama3.3-70b-instruct', ownedBy: DO, created: 1733875200, modality: 'chat' },
  { id: 'alibaba-qwen3-32b', ownedBy: DO, created: 1752255238, modality: 'chat' },
  { id: 'deepseek-r1-distill-llama-70b', ownedBy: DO, created: 1738022400, modality: 'chat', reasoning: true },
  { id: 'deepseek-v3.2', ownedBy: DO, created: 1764547200, modality: 'chat' },
  { id: 'llama-4-maverick', ownedBy: DO, created: 1743897600, modality: 'chat', vision: true },
  { id: 'openai-gpt-oss-20b', ownedBy: DO, created: 1754438400, modality: 'chat', reasoning: true },
  { id: 'openai-gpt-oss-120b', ownedBy: DO, created: 1754438400, modality: 'chat', reasoning: true },
  { id: 'minimax-m2.5', ownedBy: DO, created: 1771200000, modality: 'chat' },
  { id: 'mistral-3-14B', ownedBy: DO, created: 1764892800, modality: 'chat' },
  { id: 'glm-5', ownedBy: DO, created: 1770854400, modality: 'chat' },
  // Chat, commercial (provider-hosted)
  { id: 'openai-gpt-4o', ownedBy: 'openai', created: 1715558400, modality: 'chat', vision: true, promptCaching: true },
  { id: 'openai-gpt-5.2', ownedBy: 'openai', created: 1765411200, modality: 'chat', vision: true, promptCaching: true },
  { id: 'openai-gpt-5.2-pro', ownedBy: 'openai', created: 1765411200, modality: 'chat', vision: true, promptCaching: true },
  { id: 'anthropic-claude-3.5-haiku', ownedBy: 'anthropic', created: 1737056613, modality: 'chat', vision: true, promptCaching: true },
  { id: 'anthropic-claude-sonnet-4.5', ownedBy: 'anthropic', created: 1759190400, modality: 'chat', vision: true, promptCaching: true },
  { id: 'anthropic-claude-opus-4.5', ownedBy: 'anthropic', created: 1763942400, modality: 'chat', vision: true, promptCaching: true },
  { id: 'anthropic-claude-4.6-sonnet', ownedBy: 'anthropic', created: 1771286400, modality: 'chat', vision: true, promptCaching: true },
  { id: 'claude-opus-4-6', ownedBy: 'anthropic', created: 1770249600, modality: 'chat', vision: true, promptCaching: true, nativeAnthropic: true },
  // Vision-language
  { id: 'nemotron-nano-12b-v2-vl', ownedBy: DO, created: 1761868800, modality: 'chat', vision: true },
  // Embeddings
  { id: 'qwen3-embedding-0.6b', ownedBy: DO, created: 1749081600, modality: 'embedding' },
  // Images (synchronous)
  { id: 'openai-gpt-image-1', ownedBy: 'openai', created: 1745366400, modality: 'image' },
  { id: 'stable-diffusion-3.5-large', ownedBy: DO, created: 1729555200, modality: 'image' },
  // Text to speech (synchronous)
  { id: 'qwen3-tts-voicedesign', ownedBy: DO, created: 1765929600, modality: 'tts' },
  // Video (async job)
  { id: 'wan2.2-t2v-a14b', ownedBy: DO, created: 1753747200, modality: 'video' },
  // fal (async-invoke). Whether fal ids appear in /v1/models is UNVERIFIED; listed by default.
  { id: 'fal-ai/flux/schnell', ownedBy: 'fal', created: 1722470400, modality: 'fal' },
  { id: 'fal-ai/fast-sdxl', ownedBy: 'fal', created: 1722470400, modality: 'fal' },
  { id: 'fal-ai/stable-audio-25/text-to-audio', ownedBy: 'fal', created: 1758585600, modality: 'fal' },
  { id: 'fal-ai/elevenlabs/tts/multilingual-v2', ownedBy: 'fal', created: 1740787200, modality: 'fal' },
  { id: 'fal-ai/playai/tts/v3', ownedBy: 'fal', created: 1740787200, modality: 'fal' },
];

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));

export function findModel(id: string): CatalogModel | undefined {
  return BY_ID.get(id);
}

/** Models GET /v1/models lists (native Anthropic ids are not). */
export function listedModels(): CatalogModel[] {
  return MODELS.filter((m) => !m.nativeAnthropic);
}

/** Chat models /v1/messages serves (S2: "Anthropic models only"). */
export function isAnthropicModel(model: CatalogModel): boolean {
  return model.modality === 'chat' && model.ownedBy === 'anthropic';
}
