/**
 * The bench workflows, generated in code: Manual Trigger → Set (an array of N strings) → Split Out
 * (one item per string) → the node under test, always named `UNDER_TEST` so its `executionTime`
 * is read the same way for every variant.
 */
import type { WorkflowJson } from '../../test/e2e/harness';
import { DO_CREDENTIAL, HEADER_CREDENTIAL, OPENAI_CREDENTIAL } from './n8nBench';

export const UNDER_TEST = 'Under Test';
export const CHAT_MODEL = 'llama3.3-70b-instruct';
export const EMBEDDING_MODEL = 'qwen3-embedding-0.6b';
export const VIDEO_MODEL = 'wan2.2-t2v-a14b';
export const PACKAGE = 'n8n-nodes-digitalocean-inference';

type WorkflowNode = WorkflowJson['nodes'][number];

/** A node as the builders write it (id and position are added by `chain`). */
export interface NodeSpec {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[setting: string]: unknown;
}
type UnnamedNode = Omit<NodeSpec, 'name'> & { type: string; typeVersion: number; parameters: Record<string, unknown> };

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

/** Our DigitalOcean Chat node (streaming on, its default). */
export function ourChat(concurrency: number, settings: NodeSettings = {}) {
	return {
		type: `${PACKAGE}.digitalOceanChat`,
		typeVersion: 1,
		parameters: {
			model: { __rl: true, mode: 'id', value: CHAT_MODEL },
			prompt: '={{ $json.prompt }}',
			options: {},
			requestOptions: { concurrency },
		},
		credentials: { digitalOceanInferenceApi: { ...DO_CREDENTIAL } },
		...settings,
	};
}

/**
 * n8n's built-in OpenAI node, version 2.3 (its default in n8n 2.41.1), Text → "Message a Model"
 * (operation `response`, i.e. POST {Base URL}/responses, one item after the other).
 */
export function openAiMessage(settings: NodeSettings = {}) {
	return {
		type: '@n8n/n8n-nodes-langchain.openAi',
		typeVersion: 2.3,
		parameters: {
			resource: 'text',
			operation: 'response',
			modelId: { __rl: true, mode: 'id', value: CHAT_MODEL },
			responses: { values: [{ type: 'text', role: 'user', content: '={{ $json.prompt }}' }] },
			simplify: true,
			options: {},
			builtInTools: {},
		},
		credentials: { openAiApi: { ...OPENAI_CREDENTIAL } },
		...settings,
	};
}

/** n8n's HTTP Request node (v4.2) POSTing one JSON body per item with a Header Auth credential. */
export function httpRequest(url: string, jsonBody: string, settings: NodeSettings = {}) {
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
			options: {},
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
