/** What the model "reads": the prompt text (for token counts), cache breakpoints, the user's words. */
import { countTokens } from '../util/tokens';
import type { CacheBreakpoint, CacheTtl } from './promptCache';
import type { ChatMessage, ChatRequest, ImageInfo } from './types';

interface PromptSegment {
  /** Identity of the segment (role + position), so equal text in another role is another prefix. */
  key: string;
  text: string;
  cacheTtl?: CacheTtl;
}

/** Tools come first, as Anthropic caches tools → system → messages. */
function promptSegments(req: ChatRequest): PromptSegment[] {
  const segments: PromptSegment[] = [];
  if (req.functionTools.length > 0) {
    const text = JSON.stringify(req.functionTools);
    segments.push({ key: `tools:${text}`, text });
  }
  req.messages.forEach((message, i) => {
    message.parts.forEach((part, j) => {
      if (part.type === 'text') segments.push({ key: `${i}.${j}:${message.role}:${part.text}`, text: part.text, cacheTtl: part.cacheTtl });
    });
    for (const call of message.toolCalls) {
      const text = `${call.name}${call.arguments}`;
      segments.push({ key: `${i}:call:${text}`, text });
    }
  });
  return segments;
}

export function promptTokens(req: ChatRequest): number {
  return countTokens(promptSegments(req).map((s) => s.text).join(''));
}

export function cacheBreakpoints(req: ChatRequest): CacheBreakpoint[] {
  const segments = promptSegments(req);
  const breakpoints: CacheBreakpoint[] = [];
  segments.forEach((segment, i) => {
    if (!segment.cacheTtl) return;
    const prefix = segments.slice(0, i + 1);
    breakpoints.push({
      prefixText: prefix.map((s) => s.text).join(''),
      prefixKey: prefix.map((s) => s.key).join('\u0001'),
      ttl: segment.cacheTtl,
    });
  });
  return breakpoints;
}

export function messageText(message: ChatMessage): string {
  return message.parts
    .filter((p) => p.type === 'text')
    .map((p) => p.text)
    .join(' ');
}

export function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') return messageText(messages[i]);
  }
  return '';
}

export function allImages(messages: ChatMessage[]): ImageInfo[] {
  return messages.flatMap((m) => m.parts.flatMap((p) => (p.type === 'image_url' ? [p.info] : [])));
}

export function hasVideo(messages: ChatMessage[]): boolean {
  return messages.some((m) => m.parts.some((p) => p.type === 'video_url'));
}

/**
 * The JSON Schema the prompt asks the answer to follow: the last ```json fence in the messages whose
 * content is a schema object (it has a `type` or `properties`). JSON mode needs the prompt to say
 * what JSON to write (OpenAI's rule for json_object), and a model follows such a schema.
 */
export function schemaInPrompt(messages: ChatMessage[]): Record<string, unknown> | undefined {
  const fences = messages.flatMap((m) => [...messageText(m).matchAll(/```json\s*([\s\S]*?)```/g)].map((match) => match[1]));
  for (const fence of fences.reverse()) {
    try {
      const parsed: unknown = JSON.parse(fence);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && ('type' in parsed || 'properties' in parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // Not JSON: an example in prose, not the schema.
    }
  }
  return undefined;
}
