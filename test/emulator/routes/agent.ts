/**
 * Agent inference (§12.2): POST {agent}/api/v1/chat/completions?agent=true with an agent access key
 * (the pipeline checks the key). The body is a chat request, validated as one: `model` is required
 * by that schema (OA), though its value is ignored (OA's example sends "ignored") — the agent answers
 * with its own model (`config.agentModel`), and its text starts "Agent: " so tests can tell an agent
 * reply from a serverless one.
 */
import type { Router } from '../router';
import { requireJsonObject } from '../body';
import { invalidParam } from '../errors';
import { sendChatCompletion } from '../chat/answer';
import { resolveChatModel } from '../chat/modelResolution';
import { validateChatRequest } from '../chat/validate';

export const AGENT_CHAT_PATH = '/api/v1/chat/completions';

export function registerAgent(router: Router): void {
  router.add('POST', AGENT_CHAT_PATH, async (ex, { state }) => {
    // OA: `agent=true` is required. UNVERIFIED whether other truthy spellings pass; only "true" does here.
    if (ex.url.searchParams.get('agent') !== 'true') {
      throw invalidParam('agent', "Query parameter 'agent=true' is required on the agent chat completions endpoint.", 'missing_required_parameter');
    }
    const body = requireJsonObject(ex.parsed);
    const req = { ...validateChatRequest(body, state.config), model: state.config.agentModel };
    // The key's model scope does not apply to an agent key, so no forbidden models here.
    const { model } = resolveChatModel(req, [], 'agent chat completions');
    await sendChatCompletion(ex, state, req, model, { prefix: 'Agent: ' });
  });
}
