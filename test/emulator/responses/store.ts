/**
 * Responses kept for `previous_response_id` (§4.1: S0/S1 say `store: true` preserves state across
 * turns; how it is addressed is UNVERIFIED). Kept per access key, so another key cannot continue a
 * conversation, in memory only, cleared by reset().
 */
import type { ChatMessage } from '../chat/types';

export interface StoredResponse {
  /** The whole conversation up to and including this response's output (instructions excluded: they do not carry over, as on OpenAI). */
  messages: ChatMessage[];
  /** The joined output_text of the response. */
  outputText: string;
}

/** Oldest entries go first beyond this many per key, so a long-running emulator stays small. */
const MAX_PER_KEY = 1000;

export class ResponseStore {
  private readonly byKey = new Map<string, Map<string, StoredResponse>>();

  save(apiKey: string, id: string, response: StoredResponse): void {
    const entries = this.byKey.get(apiKey) ?? new Map<string, StoredResponse>();
    this.byKey.set(apiKey, entries);
    entries.set(id, response);
    if (entries.size > MAX_PER_KEY) entries.delete(entries.keys().next().value as string);
  }

  find(apiKey: string, id: string): StoredResponse | undefined {
    return this.byKey.get(apiKey)?.get(id);
  }

  clear(): void {
    this.byKey.clear();
  }
}
