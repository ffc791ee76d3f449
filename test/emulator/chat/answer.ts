/** Composes and sends a chat completion (JSON or SSE); shared by /v1/chat/completions and the agent endpoint. */
import type { CatalogModel } from '../catalog/models';
import type { Exchange } from '../exchange';
import type { EmulatorState } from '../state';
import { shortId, unixSeconds } from '../util/ids';
import { cacheBreakpoints, promptTokens } from './prompt';
import { NO_CACHE_USAGE } from './promptCache';
import { quirkyCompletion, quirkyStream, refuseByQuirk } from './quirks';
import { completionTokens, composeChoices, type ReplyHints } from './reply';
import { buildUsage, completionBody } from './response';
import { streamFrames } from './stream';
import type { ChatRequest } from './types';

export async function sendChatCompletion(
  ex: Exchange,
  state: EmulatorState,
  req: ChatRequest,
  model: CatalogModel,
  hints: ReplyHints = {},
): Promise<void> {
  const quirks = state.config.chatQuirks;
  refuseByQuirk(req, quirks);
  const choices = composeChoices(req, model, hints);
  const cache = model.promptCaching
    ? state.promptCache.account(ex.apiKey ?? '', model.id, cacheBreakpoints(req))
    : NO_CACHE_USAGE;
  const usage = buildUsage(promptTokens(req), completionTokens(choices), cache);
  const meta = { id: `chatcmpl-${shortId()}`, created: unixSeconds(), model: model.id };

  if (req.stream) await ex.sendSse(quirkyStream(streamFrames(meta, choices, usage, req.includeUsage), quirks));
  else ex.sendJson(200, quirkyCompletion(completionBody(meta, choices, usage), quirks));
}
