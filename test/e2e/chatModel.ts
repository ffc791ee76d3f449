/**
 * What the e2e files on the DigitalOcean Chat Model share: which n8n runs them (the sub-node needs the AI
 * node SDK, in n8n from 2.16 on), the run data n8n's AI tracing records for each model call, and the
 * usage DigitalOcean reports for a request (to compare the recorded token usage with).
 */
import type { LoggedRequest } from '../emulator';
import { DEFAULT_N8N_VERSION, type RunJson } from './harness';

export const N8N_VERSION = process.env.N8N_VERSION || DEFAULT_N8N_VERSION;

/** n8n ships `@n8n/ai-node-sdk`, which the sub-node is built on, from 2.16.0 on. */
export const HAS_AI_NODE_SDK = (() => {
	const [major, minor] = N8N_VERSION.split('.').map(Number);
	return major > 2 || (major === 2 && minor >= 16);
})();

/** `describe` for the tests that need the SDK, skipped by this version check on older n8n (the suite's 2.8.4 leg). */
export function onSdk(name: string, tests: () => void): void {
	(HAS_AI_NODE_SDK ? describe : describe.skip)(name, tests);
}
export const SDK_SUITE = HAS_AI_NODE_SDK
	? `on n8n ${N8N_VERSION}, which has the AI node SDK (2.16 or newer)`
	: `needs n8n 2.16 or newer (the AI node SDK), so skipped on n8n ${N8N_VERSION}`;

export const CHAT_PATH = '/v1/chat/completions';

export interface TokenUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
}

/** The usage DigitalOcean reports for exactly this request body (asked again, without streaming). */
export async function usageFor(emulatorUrl: string, request: LoggedRequest): Promise<TokenUsage> {
	const { stream: _stream, stream_options: _options, ...body } = request.body as Record<string, unknown>;
	const reply = await fetch(`${emulatorUrl}${CHAT_PATH}`, {
		method: 'POST',
		headers: { authorization: request.headers.authorization, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const { usage } = (await reply.json()) as { usage: Record<string, number> };
	return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens };
}

/** What n8n's AI tracing recorded in each run of the model sub-node `nodeName` (its output panel). */
export function modelRunData(run: RunJson, nodeName: string): Array<Record<string, unknown>> {
	const runs = run.data.resultData.runData[nodeName] ?? [];
	return runs.map((task) => (task.data as unknown as { ai_languageModel: Array<Array<{ json: Record<string, unknown> }>> }).ai_languageModel[0][0].json);
}
