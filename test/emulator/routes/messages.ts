/**
 * POST /v1/messages (§5, Anthropic-compatible). Auth (x-api-key or Bearer) happens in the pipeline;
 * validation 400s use the Anthropic envelope, every other status stays DO-style (§5.4).
 */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { cacheBreakpoints, promptTokens } from '../chat/prompt';
import { NO_CACHE_USAGE } from '../chat/promptCache';
import { completionTokens, composeChoices } from '../chat/reply';
import { lastUserText } from '../chat/prompt';
import { builtInToolBlocks } from '../messages/builtInBlocks';
import { conversationRequest } from '../messages/conversation';
import { resolveMessagesModel } from '../messages/model';
import { contentBlocks, messageBody, messagesUsage, newMessageMeta } from '../messages/response';
import { messageStreamFrames } from '../messages/stream';
import { validateMessagesRequest } from '../messages/validate';

export function registerMessages(router: Router): void {
  router.add('POST', '/v1/messages', async (ex, { state }) => {
    ex.errorEnvelope = 'anthropic';
    const req = validateMessagesRequest(requireJsonObject(ex.parsed));
    const model = resolveMessagesModel(req.model, state.config.forbiddenModels);
    const chatReq = conversationRequest(req);

    const [choice] = composeChoices(chatReq, model);
    const cache = model.promptCaching ? state.promptCache.account(ex.apiKey ?? '', model.id, cacheBreakpoints(chatReq)) : NO_CACHE_USAGE;
    const usage = messagesUsage(promptTokens(chatReq), completionTokens([choice]), cache, req.speed);
    // The model is echoed as requested, so a native id stays native.
    const meta = newMessageMeta(req.model);
    const blocks = contentBlocks(choice, builtInToolBlocks(req.builtInTools, lastUserText(chatReq.messages)));

    if (req.stream) await ex.sendSse(messageStreamFrames(meta, blocks, choice, usage));
    else ex.sendJson(200, messageBody(meta, blocks, choice, usage));
  });
}
