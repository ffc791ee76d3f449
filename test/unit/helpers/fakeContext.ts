/**
 * A stand-in for the parts of n8n's execute/load-options context that n8n itself provides, as strict as
 * n8n where it matters: node parameters resolved from the node's description (defaults, displayOptions,
 * expressions per item; see fakeParameters.ts), credentials checked against the types the node declares
 * (fakeCredentials.ts), the binary store, continueOnFail and the cancel signal. HTTP is never faked:
 * nodes talk to the emulator over real sockets.
 */
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IGetNodeParameterOptions,
	ILoadOptionsFunctions,
	INode,
	INodeCredentials,
	INodeExecutionData,
	INodeType,
	ISourceData,
	ISupplyDataFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { credentialData, readCredentials, type CredentialsByType } from './fakeCredentials';
import { mergeParams, nodeParameter, resolveBareNode, resolveNode, type Params, type ResolvedNode } from './fakeParameters';

export type { Params } from './fakeParameters';
export type { CredentialsByType } from './fakeCredentials';

/** The node of tests that run shared modules without a node type. */
export const TEST_NODE: INode = {
	id: 'test-node-id',
	name: 'DigitalOcean Chat',
	type: 'n8n-nodes-digitalocean-inference.digitalOceanChat',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** The Model Access Key credential (`digitalOceanInferenceApi`). */
export interface InferenceCredentials {
	apiKey: string;
	baseUrl: string;
}

export interface FakeContextOptions {
	/**
	 * The node under test. Its description gives every parameter the test does not set (resolved like n8n,
	 * displayOptions included), rejects parameters it does not have, and says which credentials the node
	 * may read. `null` for tests of shared modules that run without a node: parameters are then taken as given.
	 */
	node: INodeType | null;
	/** Parameters shared by every item; `perItem[i]` overrides them for item i (merged key by key). */
	params: Params;
	perItem?: Params[];
	items?: INodeExecutionData[];
	/** The Model Access Key credential (`digitalOceanInferenceApi`), if the test provides one. */
	credentials?: InferenceCredentials;
	/** Further credentials by type, e.g. `{ digitalOceanAgentApi: { endpointUrl, agentAccessKey } }`. */
	credentialsByType?: CredentialsByType;
	/** `true`: On Error "Continue (regular output)"; `'errorOutput'`: "Continue (using error output)". */
	continueOnFail?: boolean | 'errorOutput';
	signal?: AbortSignal;
	/** Simulates an older n8n without getExecutionCancelSignal. */
	noCancelSignal?: boolean;
	/** `getExecutionId()` answers this, and `getInputSourceData()` `inputSource`; without them the context has neither. */
	executionId?: string;
	inputSource?: ISourceData;
	/**
	 * n8n's streaming to the workflow's caller: `isStreaming()` answers this and `sendChunk()` records into
	 * the context's `chunks`. Not set: an n8n without either method (as before streaming existed).
	 */
	streaming?: boolean;
	/** `sendChunk()` fails, as when the caller has gone away. */
	sendChunkFails?: boolean;
	/**
	 * Runs the node as an AI Agent's tool, marked as n8n marks it: `rewired` (the engine runs the node for
	 * the agent, its output rewired to ai_tool) or `toolContext` (`isToolExecution()` is true).
	 */
	asTool?: 'rewired' | 'toolContext';
}

/** One `sendChunk()` call, with when it was made (ms since the epoch). */
export interface RecordedChunk {
	type: string;
	itemIndex: number;
	content?: unknown;
	at: number;
}

export type FakeExecuteContext = IExecuteFunctions & { debugLog: string[]; chunks: RecordedChunk[] };

export function binaryItem(field: string, bytes: Buffer, mimeType: string, fileName: string): INodeExecutionData {
	const binary: IBinaryData = { data: bytes.toString('base64'), mimeType, fileName };
	return { json: {}, binary: { [field]: binary } };
}

/** Every credential the test provides, by type, each checked against its type and completed with its defaults. */
function providedCredentials(credentials: InferenceCredentials | undefined, byType: CredentialsByType = {}): CredentialsByType {
	const all: CredentialsByType = credentials ? { digitalOceanInferenceApi: { ...credentials }, ...byType } : { ...byType };
	return Object.fromEntries(Object.entries(all).map(([type, fields]) => [type, credentialData(type, fields)]));
}

/** How the node refers to its credentials in a saved workflow. */
function nodeCredentials(provided: CredentialsByType): INodeCredentials {
	return Object.fromEntries(Object.keys(provided).map((type) => [type, { id: `test-${type}`, name: `Test ${type}` }]));
}

function resolverFor(nodeType: INodeType | null, extra: Pick<INode, 'credentials' | 'onError'>) {
	return (params: Params): ResolvedNode =>
		nodeType ? resolveNode(nodeType, params, extra) : resolveBareNode({ ...TEST_NODE, ...extra }, params);
}

/** isStreaming / sendChunk / isToolExecution as `options` asks; nothing when it does not. */
function streamingMethods(options: FakeContextOptions, chunks: RecordedChunk[]) {
	const methods: Record<string, unknown> = {};
	if (options.streaming !== undefined) {
		methods.isStreaming = () => options.streaming;
		// Async like n8n's: the chunk is written by a hook n8n awaits.
		methods.sendChunk = async (type: string, itemIndex: number, content?: unknown) => {
			if (options.sendChunkFails) throw new Error('write after end');
			chunks.push({ type, itemIndex, content, at: Date.now() });
		};
	}
	if (options.asTool === 'toolContext') methods.isToolExecution = () => true;
	return methods;
}

export function fakeExecuteContext(options: FakeContextOptions): FakeExecuteContext {
	const nodeType = options.node;
	const items: INodeExecutionData[] = options.items ?? (options.perItem ?? [{}]).map(() => ({ json: {} }));
	const provided = providedCredentials(options.credentials, options.credentialsByType);
	const resolve = resolverFor(nodeType, {
		credentials: nodeCredentials(provided),
		onError: options.continueOnFail === 'errorOutput' ? 'continueErrorOutput' : options.continueOnFail ? 'continueRegularOutput' : undefined,
	});
	// Resolved up front, so a parameter the description lacks fails the test even if the node never reads it.
	const shared = resolve(options.params);
	const perItem = (options.perItem ?? []).map((override) =>
		Object.keys(override).length === 0 ? shared : resolve(mergeParams(options.params, override)),
	);
	const resolvedFor = (itemIndex: number): ResolvedNode => perItem[itemIndex] ?? shared;
	const debugLog: string[] = [];
	const chunks: RecordedChunk[] = [];
	const node = options.asTool === 'rewired' ? { ...shared.node, rewireOutputLogTo: 'ai_tool' as const } : shared.node;
	const binaryOf = (itemIndex: number, field: string): IBinaryData => {
		const binary = items[itemIndex]?.binary?.[field];
		if (!binary) {
			throw new NodeOperationError(shared.node, `This operation expects the node's input data to contain a binary file '${field}', but none was found [item ${itemIndex}]`);
		}
		return binary;
	};
	const context = {
		debugLog,
		chunks,
		getNode: () => node,
		getInputData: () => items,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown, parameterOptions?: IGetNodeParameterOptions) =>
			nodeParameter(resolvedFor(itemIndex), nodeType, items, name, itemIndex, fallback, parameterOptions),
		// n8n checks a credential's displayOptions against the node's parameters, which are the same for every item.
		getCredentials: async (type: string) => readCredentials(nodeType, shared.node, provided, type),
		continueOnFail: () => options.continueOnFail === true || options.continueOnFail === 'errorOutput',
		logger: {
			debug: (message: string, meta?: unknown) => debugLog.push(`${message} ${JSON.stringify(meta ?? {})}`),
			info: () => undefined,
			warn: () => undefined,
			error: () => undefined,
		},
		helpers: {
			assertBinaryData: binaryOf,
			getBinaryDataBuffer: async (itemIndex: number, field: string) =>
				Buffer.from(binaryOf(itemIndex, field).data, 'base64'),
			/** Like n8n's default binary mode: the bytes end up base64 in `data`; streams are read fully. */
			prepareBinaryData: async (data: Buffer | NodeJS.ReadableStream, fileName?: string, mimeType?: string): Promise<IBinaryData> => {
				let bytes: Buffer;
				if (Buffer.isBuffer(data)) bytes = data;
				else {
					const chunks: Buffer[] = [];
					for await (const chunk of data) chunks.push(Buffer.from(chunk as Buffer));
					bytes = Buffer.concat(chunks);
				}
				const extension = fileName?.includes('.') ? fileName.split('.').pop() : undefined;
				return {
					data: bytes.toString('base64'),
					// n8n sniffs Buffers but not streams: a stream without a mime type becomes text/plain.
					mimeType: mimeType ?? (Buffer.isBuffer(data) ? 'application/octet-stream' : 'text/plain'),
					fileName,
					fileExtension: extension,
					fileSize: String(bytes.length),
				};
			},
		},
		...(options.noCancelSignal ? {} : { getExecutionCancelSignal: () => options.signal }),
		...(options.executionId === undefined ? {} : { getExecutionId: () => options.executionId }),
		...(options.inputSource === undefined ? {} : { getInputSourceData: () => options.inputSource }),
		...streamingMethods(options, chunks),
	};
	return context as unknown as FakeExecuteContext;
}

export interface FakeLoadOptionsExtra {
	/** The node whose list is searched; its declared credentials are then checked as in an execution. */
	node?: INodeType;
	/** The node's current parameters in the editor. */
	params?: Params;
	credentialsByType?: CredentialsByType;
}

export function fakeLoadOptionsContext(credentials: InferenceCredentials | undefined, extra: FakeLoadOptionsExtra = {}): ILoadOptionsFunctions {
	const provided = providedCredentials(credentials, extra.credentialsByType);
	const { node } = resolverFor(extra.node ?? null, { credentials: nodeCredentials(provided) })(extra.params ?? {});
	return {
		getNode: () => node,
		getCredentials: async (type: string): Promise<ICredentialDataDecryptedObject> => readCredentials(extra.node ?? null, node, provided, type),
		logger: { debug: () => undefined },
	} as unknown as ILoadOptionsFunctions;
}

/** One entry n8n's AI tracing wrote into the sub-node's panel (`addInputData` / `addOutputData`). */
export interface AiPanelEntry {
	connectionType: string;
	index: number;
	data: unknown;
}

export interface FakeSupplyDataContext extends ISupplyDataFunctions {
	debugLog: string[];
	/** What the sub-node's input and output panels would show, in order. */
	panel: { inputs: AiPanelEntry[]; outputs: AiPanelEntry[] };
}

/**
 * A sub-node's context (supplyData): the execute context's parameters, credentials and cancel signal,
 * plus the run-data hooks n8n gives sub-nodes, recording what the SDK's tracing writes into the panel.
 */
export function fakeSupplyDataContext(options: FakeContextOptions): FakeSupplyDataContext {
	const base = fakeExecuteContext(options);
	const panel: FakeSupplyDataContext['panel'] = { inputs: [], outputs: [] };
	let runIndex = 0;
	const context = Object.assign(base, {
		panel,
		getNextRunIndex: () => runIndex,
		addInputData: (connectionType: string, data: unknown) => {
			const index = runIndex++;
			panel.inputs.push({ connectionType, index, data });
			return { index };
		},
		addOutputData: (connectionType: string, index: number, data: unknown) => {
			panel.outputs.push({ connectionType, index, data });
		},
		logAiEvent: () => undefined,
	});
	return context as unknown as FakeSupplyDataContext;
}
