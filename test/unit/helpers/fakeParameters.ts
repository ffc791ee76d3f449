/**
 * Node parameters the way n8n resolves them, built from n8n-workflow's own code: the test's values on
 * top of the node description's defaults (the `Workflow` constructor applies NodeHelpers.getNodeParameters,
 * so a parameter hidden by displayOptions has no value), expressions evaluated per item by n8n's
 * evaluator (the legacy engine, which needs no isolated-vm and so runs on Node 20), resource locators
 * extracted like n8n-core's getNodeParameter. A value the description has no place for fails the test.
 */
import {
	isExpression,
	NodeHelpers,
	NodeOperationError,
	UserError,
	Workflow,
	type IExecuteData,
	type IGetNodeParameterOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyCollection,
	type INodeType,
	type INodeTypes,
	type NodeParameterValueType,
} from 'n8n-workflow';

export type Params = Record<string, unknown>;

/** The package name n8n puts in front of a community node's type name. */
const PACKAGE_NAME = 'n8n-nodes-digitalocean-inference';

/** One node in a one-node workflow, its parameters resolved against its description. */
export interface ResolvedNode {
	workflow: Workflow;
	node: INode;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Per-item values replace shared ones key by key, at every depth of plain objects (arrays are values). */
export function mergeParams(base: Params, override: Params | undefined): Params {
	if (!override) return base;
	const merged: Params = { ...base };
	for (const [key, value] of Object.entries(override)) {
		merged[key] = isPlainObject(value) && isPlainObject(base[key]) ? mergeParams(base[key], value) : value;
	}
	return merged;
}

function describe(path: string, name: string): string {
	return path ? `${path}.${name}` : name;
}

/** Every name the test sets must exist in the description (at its depth); a fixed option list must hold the value. */
function assertDescribed(values: Params, properties: INodeProperties[], path: string): void {
	for (const [name, value] of Object.entries(values)) {
		const where = describe(path, name);
		const candidates = properties.filter((property) => property.name === name);
		if (candidates.length === 0) {
			const known = [...new Set(properties.map((property) => property.name))].join(', ');
			throw new Error(`The node description has no parameter "${where}" (known here: ${known})`);
		}
		// An expression stands for any value, as a user's expression would.
		if (value === undefined || isExpression(value)) continue;
		const kind = candidates[0].type;
		if (kind === 'options') assertOption(where, value, candidates);
		if (kind === 'collection') {
			const options = candidates.flatMap((property) => (property.options ?? []) as INodeProperties[]);
			for (const entry of Array.isArray(value) ? value : [value]) {
				if (!isPlainObject(entry)) throw new Error(`Parameter "${where}" is a collection, the test sets ${JSON.stringify(entry)}`);
				assertDescribed(entry, options, where);
			}
		}
		if (kind === 'fixedCollection') {
			if (!isPlainObject(value)) throw new Error(`Parameter "${where}" is a fixed collection, the test sets ${JSON.stringify(value)}`);
			const groups = candidates.flatMap((property) => (property.options ?? []) as INodePropertyCollection[]);
			for (const [groupName, entries] of Object.entries(value)) {
				const group = groups.find((candidate) => candidate.name === groupName);
				if (!group) {
					throw new Error(`The node description has no group "${describe(where, groupName)}" (known here: ${groups.map((g) => g.name).join(', ')})`);
				}
				for (const entry of Array.isArray(entries) ? entries : [entries]) {
					if (!isPlainObject(entry)) throw new Error(`"${describe(where, groupName)}" holds objects, the test sets ${JSON.stringify(entry)}`);
					assertDescribed(entry, group.values, describe(where, groupName));
				}
			}
		}
	}
}

function assertOption(where: string, value: unknown, candidates: INodeProperties[]): void {
	// Options loaded at run time (loadOptionsMethod) cannot be checked here.
	if (candidates.some((property) => !Array.isArray(property.options))) return;
	const allowed = candidates.flatMap((property) => (property.options ?? []).map((option) => ('value' in option ? option.value : undefined)));
	if (!allowed.includes(value as never)) {
		throw new Error(
			`Parameter "${where}" has no option ${JSON.stringify(value)} (it has ${allowed.map((option) => JSON.stringify(option)).join(', ')}); ` +
				'write an expression (e.g. \'={{ "bad" }}\') to send a value the UI would not offer',
		);
	}
}

/** The node of a one-node workflow with the test's parameters; n8n's Workflow fills in the description's defaults. */
export function resolveNode(nodeType: INodeType, params: Params, extra: Pick<INode, 'credentials' | 'onError'>): ResolvedNode {
	const { description } = nodeType;
	assertDescribed(params, description.properties, '');
	const version = Array.isArray(description.version) ? Math.max(...description.version) : description.version;
	const node: INode = {
		id: 'test-node-id',
		name: String(description.defaults.name ?? description.displayName),
		type: `${PACKAGE_NAME}.${description.name}`,
		typeVersion: version,
		position: [0, 0],
		parameters: structuredClone(params) as INodeParameters,
		...extra,
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return { workflow, node: workflow.getNode(node.name)! };
}

/** A node whose type n8n does not know (tests of shared modules): parameters are taken as given. */
export function resolveBareNode(node: INode, params: Params): ResolvedNode {
	const bare: INode = { ...node, parameters: structuredClone(params) as INodeParameters };
	const nodeTypes: INodeTypes = {
		getByName: () => undefined as never,
		getByNameAndVersion: () => undefined as never,
		getKnownTypes: () => ({}),
	};
	return { workflow: new Workflow({ nodes: [bare], connections: {}, active: false, nodeTypes }), node: bare };
}

function readPath(source: unknown, path: string): unknown {
	let current = source;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/** Whether `path` (e.g. `messages.message`, `options.stream`) names a place in the description, shown or not. */
function isDescribed(properties: INodeProperties[], path: string): boolean {
	let level: Array<INodeProperties | INodePropertyCollection> = properties;
	for (const part of path.split('.')) {
		const found = level.filter((entry) => entry.name === part.replace(/\[\d+\]$/, ''));
		if (found.length === 0) return false;
		level = found.flatMap((entry) => {
			if ('values' in entry) return entry.values;
			return 'options' in entry && (entry.type === 'collection' || entry.type === 'fixedCollection')
				? ((entry.options ?? []) as Array<INodeProperties | INodePropertyCollection>)
				: [];
		});
	}
	return true;
}

/** What the fake supports of getNodeParameter's options; anything else fails instead of being ignored. */
const SUPPORTED_OPTIONS = ['extractValue', 'rawExpressions'];

/** n8n-core's getNodeParameter: the resolved value or the fallback, expressions evaluated against the item. */
export function nodeParameter(
	resolved: ResolvedNode,
	nodeType: INodeType | null,
	items: INodeExecutionData[],
	name: string,
	itemIndex: number,
	fallback?: unknown,
	options?: IGetNodeParameterOptions,
): unknown {
	const unsupported = Object.keys(options ?? {}).filter((option) => !SUPPORTED_OPTIONS.includes(option));
	if (unsupported.length > 0) throw new Error(`The fake context does not support getNodeParameter option(s) ${unsupported.join(', ')}`);
	// n8n would quietly return the fallback: a renamed or misspelled name in the node would go unnoticed.
	if (nodeType && !isDescribed(nodeType.description.properties, name)) {
		throw new Error(`The node reads parameter "${name}", which its description does not have`);
	}
	const { workflow, node } = resolved;
	const found = readPath(node.parameters, name);
	const value = found === undefined ? fallback : found;
	if (value === undefined) throw new UserError(`Could not get parameter "${name}"`, { extra: { parameterName: name } });
	if (options?.rawExpressions) return value;
	const executeData: IExecuteData = { node, data: { main: [items] }, source: null };
	const result = workflow.expression.getParameterValue(
		value as NodeParameterValueType,
		null,
		0,
		itemIndex,
		node.name,
		items,
		'manual',
		{},
		executeData,
	);
	return options?.extractValue && nodeType ? extractValue(result, name, node, nodeType) : result;
}

/** n8n-core's extractValue for resource locators (the only kind these nodes extract): the value, or its regex group. */
function extractValue(value: unknown, name: string, node: INode, nodeType: INodeType): unknown {
	const property = NodeHelpers.findDisplayedProperty(name, nodeType.description.properties, node.parameters, node, nodeType.description);
	if (!property) throw new NodeOperationError(node, 'Could not find property');
	if (!('type' in property) || property.type !== 'resourceLocator') return value;
	if (!isPlainObject(value) || !('mode' in value) || !('value' in value)) return value;
	const mode = (property.modes ?? []).find((candidate) => candidate.name === value.mode);
	if (!mode?.extractValue) return value.value;
	if (typeof value.value !== 'string') {
		throw new NodeOperationError(node, "ERROR: This parameter's value is invalid. Please enter a valid mode.");
	}
	const { regex } = mode.extractValue;
	const match = (typeof regex === 'string' ? new RegExp(regex) : regex).exec(value.value);
	if (!match) {
		throw new NodeOperationError(node, `ERROR: ${property.displayName} parameter's value is invalid. This is likely because the URL entered is incorrect`);
	}
	return match[1];
}
