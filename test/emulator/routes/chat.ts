/** POST /v1/chat/completions (§3). */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { sendChatCompletion } from '../chat/answer';
import { resolveChatModel } from '../chat/modelResolution';
import { validateChatRequest } from '../chat/validate';

export function registerChat(router: Router): void {
  router.add('POST', '/v1/chat/completions', async (ex, { state }) => {
    const req = validateChatRequest(requireJsonObject(ex.parsed), state.config);
    const { model, routedTask } = resolveChatModel(req, state.config.forbiddenModels);
    if (routedTask !== undefined) ex.setHeader('x-model-router-selected-route', routedTask);
    await sendChatCompletion(ex, state, req, model);
  });
}
