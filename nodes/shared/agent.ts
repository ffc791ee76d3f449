/**
 * A DigitalOcean agent's endpoint (§12.2): `POST {agent}/api/v1/chat/completions?agent=true`. The
 * body follows the chat completions schema, where `model` is required although the agent answers
 * with its own model; DigitalOcean's own example sends this placeholder.
 */
export const AGENT_MODEL_PLACEHOLDER = 'ignored';

export const AGENT_CHAT_PATH = '/api/v1/chat/completions';

/**
 * The agent's root URL from what a user pasted: the Overview page's endpoint, or the full chat URL
 * copied from an example (`…/api/v1`, `…/api/v1/chat/completions?agent=true`, trailing slashes).
 * The credential test's baseURL expression applies the same rules.
 */
export function normalizeAgentUrl(url: string | undefined): string {
	return (url ?? '')
		.trim()
		.replace(/[?#].*$/, '')
		.replace(/\/+$/, '')
		.replace(/\/api\/v1(\/chat\/completions)?$/, '');
}
