/**
 * The SDK's LangChain adapter (0.31.1, the latest) records token usage in the sub-node's output with a
 * tracing handler (N8nLlmTracing) that reads only the shape LangChain reports for a call answered at
 * once (`input_tokens`, `output_tokens`). A streamed call — the Agent streaming into a chat — is
 * reported as `promptTokens`/`completionTokens`, so the panel fell back to an estimate. The handler is
 * taught both shapes here, on the model and on every model bindTools() makes from it (the Agent binds
 * its tools). An SDK without that handler or option is left as it is.
 */
interface LlmResultLike {
	llmOutput?: { tokenUsage?: Record<string, unknown> } | null;
}

interface TokenCounts {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
}

interface UsageTracing {
	name?: unknown;
	options?: { tokensUsageParser?: (result: LlmResultLike) => TokenCounts };
}

interface TracedModel {
	callbacks?: unknown;
	bindTools?: (...args: unknown[]) => unknown;
}

const tokens = (...values: unknown[]): number => {
	const found = values.find((value) => typeof value === 'number' && Number.isFinite(value));
	return (found as number | undefined) ?? 0;
};

/** Usage in either of LangChain's shapes. */
export function readTokenUsage(result: LlmResultLike): TokenCounts {
	const usage = result?.llmOutput?.tokenUsage ?? {};
	const promptTokens = tokens(usage.promptTokens, usage.input_tokens);
	const completionTokens = tokens(usage.completionTokens, usage.output_tokens);
	return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function isUsageTracing(handler: unknown): handler is Required<UsageTracing> {
	const tracing = handler as UsageTracing | null;
	return tracing?.name === 'N8nLlmTracing' && typeof tracing.options?.tokensUsageParser === 'function';
}

/** Makes `model` (what supplyModel returned) record streamed usage too; returns it. */
export function recordStreamedUsage<T>(model: T): T {
	const traced = model as TracedModel;
	if (typeof traced !== 'object' || traced === null) return model;
	for (const handler of Array.isArray(traced.callbacks) ? traced.callbacks : []) {
		if (isUsageTracing(handler)) handler.options.tokensUsageParser = readTokenUsage;
	}
	const bindTools = traced.bindTools;
	if (typeof bindTools === 'function') {
		traced.bindTools = function (this: unknown, ...args: unknown[]) {
			return recordStreamedUsage(bindTools.apply(this, args));
		};
	}
	return model;
}
