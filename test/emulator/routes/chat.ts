/** POST /v1/chat/completions (§3). */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { resolveChatModel } from '../chat/modelResolution';
import { cacheBreakpoints, promptTokens } from '../chat/prompt';
import { NO_CACHE_USAGE } from '../chat/promptCache';
import { completionTokens, composeChoices } from '../chat/reply';
import { buildUsage, completionBody } from '../chat/response';
import { streamFrames } from '../chat/stream';
import { validateChatRequest } from '../chat/validate';
import { shortId, unixSeconds } from '../util/ids';

export function registerChat(router: Router): void {
  router.add('POST', '/v1/chat/completions', async (ex, { state }) => {
    const req = validateChatRequest(requireJsonObject(ex.parsed));
    const { model, routedTask } = resolveChatModel(req, state.config.forbiddenModels);
    if (routedTask !== undefined) ex.setHeader('x-model-router-selected-route', routedTask);

    const choices = composeChoices(req, model);
    const cache = model.promptCaching
      ? state.promptCache.account(ex.apiKey ?? '', model.id, cacheBreakpoints(req))
      : NO_CACHE_USAGE;
    const usage = buildUsage(promptTokens(req), completionTokens(choices), cache);
    const meta = { id: `chatcmpl-${shortId()}`, created: unixSeconds(), model: model.id };

    if (req.stream) await ex.sendSse(streamFrames(meta, choices, usage, req.includeUsage));
    else ex.sendJson(200, completionBody(meta, choices, usage));
  });
}
