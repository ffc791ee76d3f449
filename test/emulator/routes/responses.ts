/** POST /v1/responses (§4): stored turns, flat function tools, built-in tools, two stream formats. */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { notFound } from '../errors';
import { resolveChatModel } from '../chat/modelResolution';
import { cacheBreakpoints, lastUserText, promptTokens } from '../chat/prompt';
import { NO_CACHE_USAGE } from '../chat/promptCache';
import { completionTokens, composeChoices } from '../chat/reply';
import { conversationRequest, previousTurnNote, turnToStore } from '../responses/conversation';
import { outputItems, responseBody, responsesUsage } from '../responses/output';
import { chunkFrames, eventFrames } from '../responses/stream';
import { validateResponsesRequest } from '../responses/validate';
import { shortId, unixSeconds } from '../util/ids';

export function registerResponses(router: Router): void {
  router.add('POST', '/v1/responses', async (ex, { state }) => {
    const req = validateResponsesRequest(requireJsonObject(ex.parsed));
    const apiKey = ex.apiKey ?? '';
    const previous = req.previousResponseId === null ? undefined : state.responses.find(apiKey, req.previousResponseId);
    // UNVERIFIED: 400 or 404 for an unknown id; 404 DO-style, like any missing resource.
    if (req.previousResponseId !== null && !previous) {
      throw notFound(`Response with id '${req.previousResponseId}' not found (it was not stored with store: true, or belongs to another key).`);
    }
    const chatReq = conversationRequest(req, previous);
    const { model, routedTask } = resolveChatModel(chatReq, state.config.forbiddenModels, 'the Responses API');
    if (routedTask !== undefined) ex.setHeader('x-model-router-selected-route', routedTask);

    const [choice] = composeChoices(chatReq, model, { notes: previous ? [previousTurnNote(previous)] : [] });
    const cache = model.promptCaching ? state.promptCache.account(apiKey, model.id, cacheBreakpoints(chatReq)) : NO_CACHE_USAGE;
    const usage = responsesUsage(promptTokens(chatReq), choice, completionTokens([choice]), cache);
    const meta = { id: `resp_${shortId()}`, created: unixSeconds(), model: model.id };
    const body = responseBody(meta, req, choice, outputItems(choice, req.builtInTools, lastUserText(chatReq.messages)), usage);
    if (req.store) state.responses.save(apiKey, meta.id, turnToStore(req, previous, choice));

    if (!req.stream) ex.sendJson(200, body);
    else if (state.config.responsesStreamFormat === 'chunks') await ex.sendSse(chunkFrames(body, choice, req.includeUsage));
    else await ex.sendSse(eventFrames(body, state.config.responsesStreamDone));
  });
}
