/**
 * A stand-in for the parts of n8n's execute/load-options context that n8n itself provides: node
 * parameters (per item, dotted paths, resource locators), credentials, the binary store, continueOnFail
 * and the cancel signal. HTTP is never faked: nodes talk to the emulator over real sockets.
 */
import type { IBinaryData, IExecuteFunctions, ILoadOptionsFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const TEST_NODE: INode = {
	id: 'test-node-id',
	name: 'DigitalOcean Chat',
	type: 'n8n-nodes-digitalocean-inference.digitalOceanChat',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

export type Params = Record<string, unknown>;

export interface FakeContextOptions {
	/** Parameters shared by every item; `perItem[i]` overrides them for item i. */
	params: Params;
	perItem?: Params[];
	items?: INodeExecutionData[];
	credentials: { apiKey: string; baseUrl: string };
	/**
	 * Credentials of other types by name (e.g. the optional MCP server credential); a type listed
	 * with `null` is one the node has none selected for, which n8n reports by throwing.
	 */
	credentialsByType?: Record<string, Record<string, unknown> | null>;
	continueOnFail?: boolean;
	signal?: AbortSignal;
	/** Simulates an older n8n without getExecutionCancelSignal. */
	noCancelSignal?: boolean;
}

function readPath(source: unknown, path: string): unknown {
	let current = source;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

export function binaryItem(field: string, bytes: Buffer, mimeType: string, fileName: string): INodeExecutionData {
	const binary: IBinaryData = { data: bytes.toString('base64'), mimeType, fileName };
	return { json: {}, binary: { [field]: binary } };
}

export function fakeExecuteContext(options: FakeContextOptions): IExecuteFunctions & { debugLog: string[] } {
	const items: INodeExecutionData[] = options.items ?? (options.perItem ?? [{}]).map(() => ({ json: {} }));
	const debugLog: string[] = [];
	const parameter = (name: string, itemIndex: number, fallback?: unknown, extra?: { extractValue?: boolean }) => {
		const overrides = options.perItem?.[itemIndex] ?? {};
		let value = readPath(overrides, name);
		if (value === undefined) value = readPath(options.params, name);
		if (value === undefined) return fallback;
		if (extra?.extractValue && value && typeof value === 'object' && '__rl' in (value as object)) {
			return (value as { value: unknown }).value;
		}
		return value;
	};
	const binaryOf = (itemIndex: number, field: string): IBinaryData => {
		const binary = items[itemIndex]?.binary?.[field];
		if (!binary) {
			throw new NodeOperationError(TEST_NODE, `This operation expects the node's input data to contain a binary file '${field}', but none was found [item ${itemIndex}]`);
		}
		return binary;
	};
	const context = {
		debugLog,
		getNode: () => TEST_NODE,
		getInputData: () => items,
		getNodeParameter: parameter,
		getCredentials: async (type: string) => {
			if (!options.credentialsByType || !(type in options.credentialsByType)) return { ...options.credentials };
			const selected = options.credentialsByType[type];
			if (!selected) throw new NodeOperationError(TEST_NODE, `Node does not have any credentials set for "${type}"`);
			return { ...selected };
		},
		continueOnFail: () => options.continueOnFail === true,
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
	};
	return context as unknown as IExecuteFunctions & { debugLog: string[] };
}

export function fakeLoadOptionsContext(credentials: { apiKey: string; baseUrl: string }): ILoadOptionsFunctions {
	return {
		getNode: () => TEST_NODE,
		getCredentials: async () => ({ ...credentials }),
		logger: { debug: () => undefined },
	} as unknown as ILoadOptionsFunctions;
}
