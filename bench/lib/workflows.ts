/**
 * The bench workflows, generated in code: Manual Trigger → Set (an array of N strings) → Split Out
 * (one item per string) → the node under test, always named `UNDER_TEST` so its `executionTime`
 * is read the same way for every variant; and Webhook-started ones for a running n8n (`webhookWorkflow`).
 */
import { randomUUID } from 'node:crypto';

import type { WorkflowJson } from '../../test/e2e/harness';
import { DO_CREDENTIAL, HEADER_CREDENTIAL, OPENAI_CREDENTIAL } from './n8nBench';

export const UNDER_TEST = 'Under Test';
export const CHAT_MODEL = 'llama3.3-70b-instruct';
export const EMBEDDING_MODEL = 'qwen3-embedding-0.6b';
/** qwen3-embedding-0.6b's real vector size. */
export const EMBEDDING_DIMENSIONS = 1024;
export const VIDEO_MODEL = 'wan2.2-t2v-a14b';
export const PACKAGE = 'n8n-nodes-digitalocean-inference';

type WorkflowNode = WorkflowJson['nodes'][number];

/** What a node is, without its name: a sub-node as the builders write it (connected by `vectorStoreWorkflow`). */
export interface SubNodeSpec {
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

/** A node as the builders write it (id and position are added by `chain`). */
export interface NodeSpec extends SubNodeSpec {
	name: string;
	[setting: string]: unknown;
}
export type UnnamedNode = Omit<NodeSpec, 'name'> & { type: string; typeVersion: number; parameters: Record<string, unknown> };

/** A linear workflow: each node feeds the next. `id` must contain a digit (n8n execute-batch) and be ≤ 21 chars. */
export function chain(id: string, name: string, nodes: NodeSpec[]): WorkflowJson {
	if (!/\d/.test(id) || id.length > 21) throw new Error(`bad workflow id ${id}`);
	const placed: WorkflowNode[] = nodes.map((node, i) => ({ id: `${id}-node-${i}`, position: [i * 240, 0], ...node }));
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < placed.length; i++) {
		connections[placed[i].name] = { main: [[{ node: placed[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, nodes: placed, connections, settings: { executionOrder: 'v1' }, pinData: {}, active: false };
}

const trigger: NodeSpec = { name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };

/** Set + Split Out: `count` items with `field` = `template` where `#` is the item number. */
function items(field: string, count: number, template: string): NodeSpec[] {
	const [before, after] = template.split('#');
	return [
		{
			name: 'Make List',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{
							id: 'list',
							name: 'list',
							type: 'array',
							value: `={{ Array.from({ length: ${count} }, (_, i) => ${JSON.stringify(before)} + i + ${JSON.stringify(after ?? '')}) }}`,
						},
					],
				},
				options: {},
			},
		},
		{
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'list', options: { destinationFieldName: field } },
		},
	];
}

/** Node settings n8n keeps beside the parameters (On Error, Retry On Fail, …). */
export type NodeSettings = Record<string, unknown>;

/** N prompts → the node under test. */
export function promptWorkflow(id: string, name: string, count: number, node: UnnamedNode): WorkflowJson {
	return chain(id, name, [trigger, ...items('prompt', count, 'Question number #: what comes after it?'), { name: UNDER_TEST, ...node }]);
}

/** N texts → the node under test. */
export function textWorkflow(id: string, name: string, count: number, node: UnnamedNode): WorkflowJson {
	return chain(id, name, [trigger, ...items('text', count, 'Sentence number # of the bench corpus'), { name: UNDER_TEST, ...node }]);
}

/** Only the node under test after the trigger (one item). */
export function singleNodeWorkflow(id: string, name: string, node: UnnamedNode): WorkflowJson {
	return chain(id, name, [trigger, { name: UNDER_TEST, ...node }]);
}

// ---------------------------------------------------------------------------------------------
// The nodes under test
// ---------------------------------------------------------------------------------------------

/** Where the text nodes read their prompt by default: the field Split Out writes (`items`). */
const ITEM_PROMPT = '$json.prompt';

/** What the text nodes may change besides the defaults: the prompt expression (without `={{ }}`) and the node's Options. */
export interface TextNodeOptions {
	prompt?: string;
	options?: Record<string, unknown>;
}

/** One of our text nodes on `CHAT_MODEL` with its defaults but for `text`. */
function ourTextNode(name: string, typeVersion: number, concurrency: number, { prompt = ITEM_PROMPT, options = {} }: TextNodeOptions) {
	return {
		type: `${PACKAGE}.${name}`,
		typeVersion,
		parameters: {
			model: { __rl: true, mode: 'id', value: CHAT_MODEL },
			prompt: `={{ ${prompt} }}`,
			options,
			requestOptions: { concurrency },
		},
		credentials: { digitalOceanInferenceApi: { ...DO_CREDENTIAL } },
	};
}

/** Our DigitalOcean Chat node (streaming on, its default). */
export function ourChat(concurrency: number, settings: NodeSettings = {}, text: TextNodeOptions = {}) {
	return { ...ourTextNode('digitalOceanChat', 1, concurrency, text), ...settings };
}

/** Our DigitalOcean Responses node (v1.1, its default; streaming on, its default). */
export function ourResponses(concurrency: number, text: TextNodeOptions = {}) {
	return ourTextNode('digitalOceanResponses', 1.1, concurrency, text);
}

/**
 * n8n's built-in OpenAI node, version 2.3 (its default in n8n 2.41.1), Text → "Message a Model"
 * (operation `response`, i.e. POST {Base URL}/responses, one item after the other).
 */
export function openAiMessage(settings: NodeSettings = {}, prompt = ITEM_PROMPT) {
	return {
		type: '@n8n/n8n-nodes-langchain.openAi',
		typeVersion: 2.3,
		parameters: {
			resource: 'text',
			operation: 'response',
			modelId: { __rl: true, mode: 'id', value: CHAT_MODEL },
			responses: { values: [{ type: 'text', role: 'user', content: `={{ ${prompt} }}` }] },
			simplify: true,
			options: {},
			builtInTools: {},
		},
		credentials: { openAiApi: { ...OPENAI_CREDENTIAL } },
		...settings,
	};
}

/** The JSON body (an expression) of a chat completion for `prompt`, as a user of the HTTP Request node writes it. */
export function chatCompletionBody(prompt = ITEM_PROMPT): string {
	return `={{ JSON.stringify({ model: ${JSON.stringify(CHAT_MODEL)}, messages: [{ role: 'user', content: ${prompt} }] }) }}`;
}

/** n8n's HTTP Request node (v4.2) POSTing one JSON body per item with a Header Auth credential; `options` = its Options (e.g. batching). */
export function httpRequest(url: string, jsonBody: string, settings: NodeSettings = {}, options: Record<string, unknown> = {}) {
	return {
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody,
			options,
		},
		credentials: { httpHeaderAuth: { ...HEADER_CREDENTIAL } },
		...settings,
	};
}

/** Our DigitalOcean Embeddings node. */
export function ourEmbeddings(batchSize: number, concurrency = 1) {
	return {
		type: `${PACKAGE}.digitalOceanEmbeddings`,
		typeVersion: 1,
		parameters: {
			model: { __rl: true, mode: 'id', value: EMBEDDING_MODEL },
			text: '={{ $json.text }}',
			options: { batchSize },
			requestOptions: { concurrency },
		},
		credentials: { digitalOceanInferenceApi: { ...DO_CREDENTIAL } },
	};
}

/** Our DigitalOcean Video node, Generate (submit, wait inside the node, download into binary). */
export function ourVideo(options: { waitTimeout: number; maxFileSizeMb?: number; concurrency?: number }) {
	return {
		type: `${PACKAGE}.digitalOceanVideo`,
		typeVersion: 1,
		parameters: {
			operation: 'generate',
			model: { __rl: true, mode: 'id', value: VIDEO_MODEL },
			prompt: '={{ $json.prompt ?? "A paper boat drifting down a rainy street" }}',
			waitTimeout: options.waitTimeout,
			options: options.maxFileSizeMb ? { maxFileSize: options.maxFileSizeMb } : {},
			requestOptions: { concurrency: options.concurrency ?? 1 },
		},
		credentials: { digitalOceanInferenceApi: { ...DO_CREDENTIAL } },
	};
}

// ---------------------------------------------------------------------------------------------
// Vector stores: n8n's Simple (in-memory) Vector Store with an embeddings sub-node
// ---------------------------------------------------------------------------------------------

/** Our Embeddings DigitalOcean sub-node with its defaults (batches of up to 2,048 texts, one request at a time). */
export function ourEmbeddingsModel(options: Record<string, unknown> = {}): SubNodeSpec {
	return {
		type: `${PACKAGE}.digitalOceanEmbeddingsModel`,
		typeVersion: 1,
		parameters: { model: { __rl: true, mode: 'id', value: EMBEDDING_MODEL }, options },
		credentials: { digitalOceanInferenceApi: { ...DO_CREDENTIAL } },
	};
}

/** n8n's Embeddings OpenAI sub-node (v1.2, its default in n8n 2.41.1) on the OpenAI credential whose Base URL is the emulator's /v1. */
export function openAiEmbeddingsModel(): SubNodeSpec {
	return {
		type: '@n8n/n8n-nodes-langchain.embeddingsOpenAi',
		typeVersion: 1.2,
		parameters: { model: EMBEDDING_MODEL, options: {} },
		credentials: { openAiApi: { ...OPENAI_CREDENTIAL } },
	};
}

export const STORE_CHECK = 'Check Store';
/** The embeddings sub-node of the insert (its runs' times are the embedding calls). */
export const INSERT_EMBEDDINGS = 'Embeddings (insert)';

/**
 * N texts → the Simple Vector Store, Insert (the node under test, memory key `bench`, Clear Store off:
 * n8n clears before every batch it embeds), with a Default Data Loader (the text of `$json.text`) and
 * `embeddings`; then, to check what the store holds, one Get Many (`STORE_CHECK`, top `count`) for
 * `query` with a second sub-node of the same kind.
 */
export function vectorStoreWorkflow(
	id: string,
	name: string,
	count: number,
	embeddings: SubNodeSpec,
	options: { embeddingBatchSize: number; query: string },
): WorkflowJson {
	const memoryKey = { __rl: true, mode: 'id', value: 'bench' };
	const store = { type: '@n8n/n8n-nodes-langchain.vectorStoreInMemory', typeVersion: 1.3 };
	const wf = chain(id, name, [
		trigger,
		...items('text', count, 'Sentence number # of the bench corpus'),
		{ name: UNDER_TEST, ...store, parameters: { mode: 'insert', memoryKey, clearStore: false, embeddingBatchSize: options.embeddingBatchSize } },
		{
			name: 'Question',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			executeOnce: true,
			parameters: { mode: 'manual', assignments: { assignments: [{ id: 'q', name: 'question', type: 'string', value: options.query }] }, options: {} },
		},
		{ name: STORE_CHECK, ...store, parameters: { mode: 'load', memoryKey, prompt: '={{ $json.question }}', topK: count } },
	]);
	const subNodes: Array<[WorkflowJson['nodes'][number], string, string]> = [
		[{ id: `${id}-loader`, name: 'Default Data Loader', position: [720, 240], type: '@n8n/n8n-nodes-langchain.documentDefaultDataLoader', typeVersion: 1.1, parameters: { jsonMode: 'expressionData', jsonData: '={{ $json.text }}', options: {} } }, 'ai_document', UNDER_TEST],
		[{ id: `${id}-embed-insert`, name: INSERT_EMBEDDINGS, position: [600, 240], ...embeddings }, 'ai_embedding', UNDER_TEST],
		[{ id: `${id}-embed-check`, name: 'Embeddings (check)', position: [1200, 240], ...embeddings }, 'ai_embedding', STORE_CHECK],
	];
	for (const [node, type, parent] of subNodes) {
		wf.nodes.push(node);
		wf.connections[node.name] = { [type]: [[{ node: parent, type, index: 0 }]] };
	}
	return wf;
}

// ---------------------------------------------------------------------------------------------
// AI Agent: n8n's AI Agent behind a Chat Trigger, on a chat model sub-node, with one tool
// ---------------------------------------------------------------------------------------------

/** Our DigitalOcean Chat Model sub-node with its defaults (Streaming on: it asks for a streamed answer). */
export function ourChatModel(options: Record<string, unknown> = {}): SubNodeSpec {
	return {
		type: `${PACKAGE}.digitalOceanChatModel`,
		typeVersion: 1,
		parameters: { model: { __rl: true, mode: 'id', value: CHAT_MODEL }, options },
		credentials: { digitalOceanInferenceApi: { ...DO_CREDENTIAL } },
	};
}

/**
 * n8n's OpenAI Chat Model sub-node (v1.3, its default in n8n 2.41.1) on the OpenAI credential whose Base
 * URL is the emulator's /v1, on chat completions (`responsesApiEnabled: false`) like ours.
 */
export function openAiChatModel(): SubNodeSpec {
	return {
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.3,
		parameters: { model: { __rl: true, mode: 'id', value: CHAT_MODEL }, responsesApiEnabled: false, options: {} },
		credentials: { openAiApi: { ...OPENAI_CREDENTIAL } },
	};
}

export const AGENT_MODEL = 'Chat Model';
export const AGENT_TOOL = 'Calculator';

/**
 * A public Chat Trigger in `responseMode` (`lastNode`: the answer when the workflow is done; `streaming`:
 * as it is written) → n8n's AI Agent (v3.1, the node under test) on `model`, with n8n's Calculator as its
 * one tool (in-process, no request: the same cost whichever model calls it).
 */
export function agentChatWorkflow(id: string, name: string, webhookId: string, responseMode: 'lastNode' | 'streaming', model: SubNodeSpec): WorkflowJson {
	const wf = chain(id, name, [
		{ name: 'Chat', type: '@n8n/n8n-nodes-langchain.chatTrigger', typeVersion: 1.4, webhookId, parameters: { public: true, options: { responseMode } } },
		{ name: UNDER_TEST, type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3.1, parameters: { options: {} } },
	]);
	const subNodes: Array<[WorkflowJson['nodes'][number], string]> = [
		[{ id: `${id}-model`, name: AGENT_MODEL, position: [160, 240], ...model }, 'ai_languageModel'],
		[{ id: `${id}-tool`, name: AGENT_TOOL, position: [400, 240], type: '@n8n/n8n-nodes-langchain.toolCalculator', typeVersion: 1, parameters: {} }, 'ai_tool'],
	];
	for (const [node, type] of subNodes) {
		wf.nodes.push(node);
		wf.connections[node.name] = { [type]: [[{ node: UNDER_TEST, type, index: 0 }]] };
	}
	return wf;
}

// ---------------------------------------------------------------------------------------------
// A running n8n: workflows started by a Webhook, answered by Respond to Webhook or streamed
// ---------------------------------------------------------------------------------------------

/** Where a Webhook-started node reads the prompt of a single-item call: the POSTed JSON body's `prompt`. */
export const WEBHOOK_PROMPT = '$json.body.prompt';

/**
 * How the workflow answers its caller: Respond to Webhook with the first item's JSON (`firstItem`) or
 * every item's (`allItems`), or the Webhook's Respond **Streaming**, with no Respond node: the nodes
 * stream their answers (`sendChunk`) and n8n ends the response when the workflow is done.
 */
export type WebhookAnswer = 'firstItem' | 'allItems' | 'streaming';

/** Split Out of the POSTed body's `prompts` array: one item per prompt, in `prompt` (where the text nodes read it by default). */
export const SPLIT_PROMPTS: NodeSpec = {
	name: 'Split Out',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	parameters: { fieldToSplitOut: 'body.prompts', options: { destinationFieldName: 'prompt' } },
};

/** A Webhook (v2.1, POST /webhook/`path`) → `before` (e.g. `SPLIT_PROMPTS`) → the node under test → the answer `answer` says. */
export function webhookWorkflow(id: string, name: string, path: string, answer: WebhookAnswer, node: UnnamedNode, before: NodeSpec[] = []): WorkflowJson {
	const webhook: NodeSpec = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: answer === 'streaming' ? 'streaming' : 'responseNode', options: {} },
	};
	const respond: NodeSpec[] =
		answer === 'streaming'
			? []
			: [
					{
						name: 'Respond to Webhook',
						type: 'n8n-nodes-base.respondToWebhook',
						typeVersion: 1.5,
						parameters: { respondWith: answer === 'firstItem' ? 'firstIncomingItem' : 'allIncomingItems', options: {} },
					},
				];
	return chain(id, name, [webhook, ...before, { name: UNDER_TEST, ...node }, ...respond]);
}
