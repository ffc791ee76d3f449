/**
 * The answer to one batch request line: the same fake model and reply bodies as the synchronous
 * endpoints (/v1/chat/completions, /v1/responses, /v1/messages), so a result's `body` / `message`
 * looks like that endpoint's normal reply, usage included. A body the endpoint would refuse, a model
 * the provider does not serve, or the fail marker makes the line fail instead (its `LineFailure` is
 * what the provider would have answered). Batch answers read no prompt cache (no cached tokens).
 */
import { findModel, type CatalogModel } from '../catalog/models';
import { HttpError, forbidden, invalidParam, notFound } from '../errors';
import { validateChatRequest } from '../chat/validate';
import { composeChoices, completionTokens } from '../chat/reply';
import { lastUserText, promptTokens } from '../chat/prompt';
import { NO_CACHE_USAGE } from '../chat/promptCache';
import { buildUsage, completionBody } from '../chat/response';
import type { ChatRequest } from '../chat/types';
import { validateResponsesRequest } from '../responses/validate';
import { conversationRequest as responsesConversation, previousTurnNote } from '../responses/conversation';
import { outputItems, responseBody, responsesUsage } from '../responses/output';
import type { StoredResponse } from '../responses/store';
import { validateMessagesRequest } from '../messages/validate';
import { conversationRequest as messagesConversation } from '../messages/conversation';
import { contentBlocks, messageBody, messagesUsage } from '../messages/response';
import { builtInToolBlocks } from '../messages/builtInBlocks';
import type { EmulatorConfig } from '../types';
import type { Provider } from './inputFile';

/** What the provider answered a failed line: an HTTP status and an error body's fields. */
export interface LineFailure {
  status: number;
  message: string;
  param: string | null;
  code: string | null;
}

/** Where a line goes: the job's endpoint for openai, Anthropic's Messages for anthropic. */
export type LineEndpoint = '/v1/chat/completions' | '/v1/responses' | '/v1/messages';

export interface LineContext {
  endpoint: LineEndpoint;
  config: EmulatorConfig;
  /** The creating key's stored responses, for `previous_response_id`. */
  findResponse(id: string): StoredResponse | undefined;
}

/** Ids and time of one answer, fixed per line so a re-download gives the same file. */
export interface AnswerMeta {
  /** Hex, unique per line. */
  id: string;
  created: number;
}

/** DO's batch runs on the providers' batch APIs, which take their own model ids too (the how-to's examples use `gpt-4.1-mini`, `claude-3-5-sonnet-latest`). */
const NATIVE_IDS: Record<Provider, RegExp> = { openai: /^(gpt-|chatgpt-|o\d)/, anthropic: /^claude-/ };

export function providerOf(endpoint: LineEndpoint): Provider {
  return endpoint === '/v1/messages' ? 'anthropic' : 'openai';
}

/** Null when the line will be answered, else how it fails. Decided once, when the batch is created. */
export function checkLine(request: Record<string, unknown>, text: string, ctx: LineContext): LineFailure | null {
  const marker = ctx.config.batchFailPrompt;
  if (marker !== '' && text.includes(marker)) {
    return { status: 500, message: 'The model failed to answer this request (emulated failure).', param: null, code: null };
  }
  try {
    answerLine(request, ctx, { id: '0', created: 0 });
    return null;
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return { status: error.status, message: error.message, param: error.validation?.param ?? null, code: error.validation?.code ?? error.id };
  }
}

/** The reply body the endpoint would have sent; throws the HttpError it would have answered instead. */
export function answerLine(request: Record<string, unknown>, ctx: LineContext, meta: AnswerMeta): Record<string, unknown> {
  switch (ctx.endpoint) {
    case '/v1/chat/completions': {
      const req = validateChatRequest(request, ctx.config);
      const model = batchModel(req.model, 'openai', ctx.config.forbiddenModels);
      const choices = composeChoices(req, model);
      const usage = buildUsage(promptTokens(req), completionTokens(choices), NO_CACHE_USAGE);
      return completionBody({ id: `chatcmpl-${meta.id}`, created: meta.created, model: req.model }, choices, usage);
    }
    case '/v1/responses': {
      const req = validateResponsesRequest(request);
      const previous = req.previousResponseId === null ? undefined : ctx.findResponse(req.previousResponseId);
      if (req.previousResponseId !== null && !previous) throw notFound(`Response with id '${req.previousResponseId}' not found.`);
      const chatReq = responsesConversation(req, previous);
      const model = batchModel(req.model, 'openai', ctx.config.forbiddenModels);
      const [choice] = composeChoices(chatReq, model, { notes: previous ? [previousTurnNote(previous)] : [] });
      const usage = responsesUsage(promptTokens(chatReq), choice, completionTokens([choice]), NO_CACHE_USAGE);
      const items = outputItems(choice, req.builtInTools, lastUserText(chatReq.messages));
      return responseBody({ id: `resp_${meta.id}`, created: meta.created, model: req.model }, req, choice, items, usage);
    }
    case '/v1/messages': {
      const req = validateMessagesRequest(request);
      const model = batchModel(req.model, 'anthropic', ctx.config.forbiddenModels);
      const chatReq: ChatRequest = messagesConversation(req);
      const [choice] = composeChoices(chatReq, model);
      const usage = messagesUsage(promptTokens(chatReq), completionTokens([choice]), NO_CACHE_USAGE, req.speed);
      const blocks = contentBlocks(choice, builtInToolBlocks(req.builtInTools, lastUserText(chatReq.messages)));
      return messageBody({ id: `msg_${meta.id}`, model: req.model }, blocks, choice, usage);
    }
  }
}

/**
 * How-to: "Only text prompts for OpenAI and Anthropic commercial models". A catalog model of the
 * batch's provider (e.g. openai-gpt-4o; not DO-hosted open weights like openai-gpt-oss-120b) or the
 * provider's own id form; another provider's model → 400; an unknown id → 404 (as the provider would).
 */
function batchModel(id: string, provider: Provider, forbiddenModels: readonly string[]): CatalogModel {
  if (forbiddenModels.includes(id)) throw forbidden();
  const model = findModel(id);
  if (model && model.modality === 'chat' && model.ownedBy === provider) return model;
  if (model) {
    throw invalidParam('model', `model ${id} is not available for batch inference with provider ${provider} (only ${provider} commercial models are).`, 'model_not_supported');
  }
  if (NATIVE_IDS[provider].test(id)) return { id, ownedBy: provider, created: 0, modality: 'chat', vision: true, promptCaching: true };
  throw notFound(`model ${id} not found`);
}
