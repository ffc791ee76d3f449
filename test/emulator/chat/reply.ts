/**
 * The deterministic "model": it echoes the last user message, reports the images it received,
 * answers tool results, calls tools when asked, thinks aloud when reasoning applies, and honours
 * output budgets, stop sequences and response formats.
 */
import type { CatalogModel } from '../catalog/models';
import { exampleFromSchema } from '../util/jsonSchemaExample';
import { shortId } from '../util/ids';
import { countTokens, truncateToTokens } from '../util/tokens';
import { chatSentence } from '../tools/builtIn';
import { describeImage } from './images';
import { allImages, lastUserText, messageText, schemaInPrompt } from './prompt';
import type { ChatRequest, FunctionTool, ToolCall } from './types';

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface GeneratedChoice {
  index: number;
  content: string | null;
  reasoning: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The stop sequence that cut the content, if one did (Messages reports it). */
  stopSequence: string | null;
  logprobs: { content: LogprobToken[]; refusal: null } | null;
}

/** What an endpoint adds to the plain echo: a speaker prefix (agents) and trailing notes (stored turns). */
export interface ReplyHints {
  prefix?: string;
  notes?: string[];
}

interface LogprobToken {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

const STEPS_BY_EFFORT: Record<string, number> = { minimal: 1, low: 1, medium: 2, high: 3, xhigh: 4, max: 4 };

export function composeChoices(req: ChatRequest, model: CatalogModel, hints: ReplyHints = {}): GeneratedChoice[] {
  const toolsToCall = plannedToolCalls(req);
  const reasoning = wantsReasoning(req, model) ? reasoningTrace(req) : null;
  return Array.from({ length: req.n }, (_, index) =>
    toolsToCall.length > 0 ? toolCallChoice(index, toolsToCall, reasoning) : textChoice(req, index, reasoning, hints),
  );
}

/** Non-null for reasoning models or when the client asked for reasoning; effort "none" turns it off. */
function wantsReasoning(req: ChatRequest, model: CatalogModel): boolean {
  if (req.reasoningEffort === 'none') return false;
  return model.reasoning === true || req.reasoningRequested;
}

function reasoningTrace(req: ChatRequest): string {
  const effort = req.reasoningEffort ?? 'medium';
  const steps = STEPS_BY_EFFORT[effort] ?? 2;
  const lines = [`The user wrote: "${lastUserText(req.messages).slice(0, 80)}".`];
  for (let step = 1; step <= steps; step++) lines.push(`Step ${step}: think it through (effort ${effort}).`);
  return lines.join(' ');
}

function answerText(req: ChatRequest, hints: ReplyHints): string {
  let text = `${hints.prefix ?? ''}Echo: ${lastUserText(req.messages)}`;
  const images = allImages(req.messages);
  if (images.length > 0) text += ` I see ${images.length} image(s) (${images.map(describeImage).join(', ')}).`;
  for (const result of trailingToolResults(req)) text += ` Tool ${result.name} returned: ${result.output}`;
  for (const tool of req.builtInTools) text += ` ${chatSentence(tool)}`;
  for (const note of hints.notes ?? []) text += ` ${note}`;
  return text;
}

/** Tool messages at the end of the conversation, named after the assistant call they answer. */
function trailingToolResults(req: ChatRequest): { name: string; output: string }[] {
  const results: { name: string; output: string }[] = [];
  for (let i = req.messages.length - 1; i >= 0 && req.messages[i].role === 'tool'; i--) {
    const message = req.messages[i];
    const call = req.messages.flatMap((m) => m.toolCalls).find((c) => c.id === message.toolCallId);
    results.unshift({ name: call?.name ?? message.toolCallId ?? 'unknown', output: messageText(message) });
  }
  return results;
}

/**
 * Tools are called when tool_choice names one or is "required", or when the last user message says
 * "call <name>" / "use <name>". After tool results the model answers instead (no endless loop),
 * unless tool_choice forces a call.
 */
function plannedToolCalls(req: ChatRequest): FunctionTool[] {
  const tools = req.functionTools;
  if (tools.length === 0 || req.toolChoice === 'none') return [];
  const choice = req.toolChoice;
  if (typeof choice === 'object') return tools.filter((t) => t.name === choice.name);
  const lastIsToolResult = req.messages[req.messages.length - 1].role === 'tool';
  const prompt = lastUserText(req.messages);
  const mentioned = lastIsToolResult ? [] : tools.filter((t) => new RegExp(`\\b(call|use)\\s+${escapeRegExp(t.name)}(?![\\w-])`, 'i').test(prompt));
  if (mentioned.length > 0) return mentioned;
  return choice === 'required' ? [tools[0]] : [];
}

function toolCallChoice(index: number, tools: FunctionTool[], reasoning: string | null): GeneratedChoice {
  const toolCalls = tools.map((tool) => ({
    id: `call_${shortId()}`,
    name: tool.name,
    arguments: JSON.stringify(exampleFromSchema(tool.parameters ?? { type: 'object', properties: {} })),
  }));
  return { index, content: null, reasoning, toolCalls, finishReason: 'tool_calls', stopSequence: null, logprobs: null };
}

function textChoice(req: ChatRequest, index: number, fullReasoning: string | null, hints: ReplyHints): GeneratedChoice {
  let content = formatContent(req, index, hints);
  let finishReason: FinishReason = 'stop';

  const stop = earliestStop(content, req.stop);
  if (stop) content = content.slice(0, stop.at);

  // Reasoning tokens count against the output budget first, so a tiny budget can leave no content (§3.5).
  let reasoning = fullReasoning;
  if (reasoning !== null && req.reasoningMaxTokens !== undefined) reasoning = truncateToTokens(reasoning, req.reasoningMaxTokens);
  if (req.maxOutputTokens !== null) {
    const budget = req.maxOutputTokens;
    if (reasoning !== null && countTokens(reasoning) > budget) reasoning = truncateToTokens(reasoning, budget);
    const left = budget - (reasoning === null ? 0 : countTokens(reasoning));
    if (countTokens(content) > left) {
      content = truncateToTokens(content, left);
      finishReason = 'length';
    }
  }
  const logprobs = req.logprobs ? { content: tokenLogprobs(content, req.topLogprobs), refusal: null } : null;
  const stopSequence = stop && finishReason === 'stop' ? stop.sequence : null;
  return { index, content, reasoning, toolCalls: [], finishReason, stopSequence, logprobs };
}

function formatContent(req: ChatRequest, index: number, hints: ReplyHints): string {
  const text = answerText(req, hints);
  switch (req.responseFormat.type) {
    case 'json_object': {
      const schema = schemaInPrompt(req.messages);
      return JSON.stringify(schema ? exampleFromSchema(schema) : { answer: text });
    }
    case 'json_schema':
      return JSON.stringify(exampleFromSchema(req.responseFormat.schema));
    default:
      return index === 0 ? text : `${text} (variant ${index + 1})`;
  }
}

function earliestStop(content: string, stops: string[]): { at: number; sequence: string } | null {
  let found: { at: number; sequence: string } | null = null;
  for (const sequence of stops) {
    const at = sequence.length > 0 ? content.indexOf(sequence) : -1;
    if (at >= 0 && (found === null || at < found.at)) found = { at, sequence };
  }
  return found;
}

function tokenLogprobs(content: string, topLogprobs: number): LogprobToken[] {
  return (content.match(/\s*\S+/g) ?? []).map((token, k) => {
    const logprob = -0.01 * ((k % 7) + 1);
    const top = Array.from({ length: topLogprobs }, (_, j) => {
      const alternative = j === 0 ? token : `${token}~${j}`;
      return { token: alternative, logprob: logprob - j, bytes: [...Buffer.from(alternative)] };
    });
    return { token, logprob, bytes: [...Buffer.from(token)], top_logprobs: top };
  });
}

export function completionTokens(choices: GeneratedChoice[]): number {
  return choices.reduce((sum, choice) => {
    const calls = choice.toolCalls.reduce((s, c) => s + countTokens(c.name + c.arguments), 0);
    return sum + countTokens(choice.reasoning ?? '') + countTokens(choice.content ?? '') + calls;
  }, 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
