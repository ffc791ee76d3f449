/**
 * Builds the transport client for one node execution (or one sub-node's supplyData) from n8n's
 * context: credential, request options and the execution's cancel signal (feature-detected: older n8n
 * versions have none).
 */
import type { IExecuteFunctions, ILoadOptionsFunctions, ISupplyDataFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { normalizeAgentUrl } from './agent';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, InferenceClient, type TransportConfig } from './transport';

export const INFERENCE_CREDENTIAL = 'digitalOceanInferenceApi';
export const AGENT_CREDENTIAL = 'digitalOceanAgentApi';

/** Which API a node talks to: serverless models (Model Access Key) or one agent's endpoint. */
export type Target = 'model' | 'agent';

interface Endpoint {
	baseUrl: string;
	apiKey: string;
}

async function readEndpoint(ctx: Context, target: Target): Promise<Endpoint> {
	if (target === 'agent') {
		const agent = await ctx.getCredentials<{ endpointUrl?: string; agentAccessKey?: string }>(AGENT_CREDENTIAL);
		const baseUrl = normalizeAgentUrl(agent.endpointUrl);
		// An empty URL would otherwise fall back to the serverless host and send it the agent key.
		if (baseUrl === '') {
			throw new NodeOperationError(ctx.getNode(), 'The DigitalOcean Agent API credential has no Agent Endpoint URL', {
				description: "Enter the URL shown on the agent's Overview page, e.g. https://abcdefghij1234567890.agents.do-ai.run.",
			});
		}
		return { baseUrl, apiKey: agent.agentAccessKey ?? '' };
	}
	const model = await ctx.getCredentials<{ apiKey?: string; baseUrl?: string }>(INFERENCE_CREDENTIAL);
	return { baseUrl: model.baseUrl ?? '', apiKey: model.apiKey ?? '' };
}

export interface RequestSettings {
	timeoutMs: number;
	maxRetries: number;
	concurrency: number;
	/** Send a paid request again even after its answer broke off half-way (billed again). */
	retryBrokenAnswers: boolean;
}

type Context = IExecuteFunctions | ISupplyDataFunctions | ILoadOptionsFunctions;

export function cancelSignalOf(ctx: Context): AbortSignal | undefined {
	const candidate = ctx as Partial<Pick<IExecuteFunctions, 'getExecutionCancelSignal'>>;
	return typeof candidate.getExecutionCancelSignal === 'function'
		? candidate.getExecutionCancelSignal()
		: undefined;
}

/** Reads the shared "Request Options" collection (see descriptions.ts) once per execution. */
export function readRequestSettings(ctx: IExecuteFunctions | ISupplyDataFunctions, itemIndex = 0): RequestSettings {
	const options = ctx.getNodeParameter('requestOptions', itemIndex, {}) as {
		timeout?: number;
		maxRetries?: number;
		concurrency?: number;
		retryBrokenAnswers?: boolean;
	};
	return {
		timeoutMs: options.timeout && options.timeout > 0 ? options.timeout * 1000 : DEFAULT_TIMEOUT_MS,
		maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
		concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
		retryBrokenAnswers: options.retryBrokenAnswers === true,
	};
}

export async function createClient(
	ctx: Context,
	settings: Partial<RequestSettings> & Pick<TransportConfig, 'offersRetryBrokenAnswers'> = {},
	target: Target = 'model',
): Promise<InferenceClient> {
	const endpoint = await readEndpoint(ctx, target);
	return new InferenceClient({
		node: ctx.getNode(),
		baseUrl: endpoint.baseUrl,
		// A key pasted with a trailing newline would otherwise be an invalid header, not a clear 401.
		apiKey: endpoint.apiKey.trim(),
		timeoutMs: settings.timeoutMs,
		maxRetries: settings.maxRetries,
		retryBrokenAnswers: settings.retryBrokenAnswers,
		offersRetryBrokenAnswers: settings.offersRetryBrokenAnswers,
		signal: cancelSignalOf(ctx),
		log: (message, meta) => ctx.logger?.debug(`[DigitalOcean] ${message}`, meta),
	});
}
