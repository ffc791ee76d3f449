/**
 * Function tools: users paste definitions in whichever format they have (chat's nested
 * `{type:"function", function:{…}}`, the Responses API's flat `{type:"function", name, …}`, Anthropic's
 * `{name, input_schema}` or plain `{name, description, parameters}`); they are validated once and
 * written out in the format each endpoint expects.
 */
import type { IDataObject } from 'n8n-workflow';

import { InputError, parseJsonParameter } from './validation';

export interface FunctionTool {
	name: string;
	description?: string;
	parameters?: IDataObject;
}

/** OA function_object.yml: a-z, A-Z, 0-9, "_" and "-", at most 64 characters. */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const HELP = 'Give a JSON array of functions, each with a "name" and a JSON Schema under "parameters".';

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeOne(raw: unknown, position: number): FunctionTool {
	if (!isObject(raw)) throw new InputError(`Function tool ${position + 1} is not a JSON object`, HELP);
	const inner = isObject(raw.function) ? raw.function : raw;
	const { name, description } = inner;
	const parameters = inner.parameters ?? inner.input_schema;
	if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
		throw new InputError(
			`Function tool ${position + 1} needs a name of 1–64 letters, digits, "_" or "-" (got ${JSON.stringify(name)})`,
			HELP,
		);
	}
	if (description !== undefined && typeof description !== 'string') {
		throw new InputError(`The description of function "${name}" must be text`, HELP);
	}
	if (parameters !== undefined && !isObject(parameters)) {
		throw new InputError(`The parameters of function "${name}" must be a JSON Schema object`, HELP);
	}
	return { name, ...(description ? { description } : {}), ...(parameters ? { parameters } : {}) };
}

/** Reads the "Function Tools" JSON parameter; an empty value means no tools. */
export function parseFunctionTools(value: unknown): FunctionTool[] {
	const parsed = parseJsonParameter(value, 'Function Tools');
	if (parsed === undefined || parsed === null) return [];
	const list = Array.isArray(parsed) ? parsed : [parsed];
	const tools = list.map(normalizeOne);
	const seen = new Set<string>();
	for (const tool of tools) {
		if (seen.has(tool.name)) throw new InputError(`Function "${tool.name}" is defined twice`, HELP);
		seen.add(tool.name);
	}
	return tools;
}

/** /v1/chat/completions: `{type:"function", function:{name, description, parameters}}`. */
export function toChatTools(tools: FunctionTool[]): IDataObject[] {
	return tools.map((tool) => ({ type: 'function', function: { ...tool } }));
}

/** /v1/responses: the flat `{type:"function", name, description, parameters}`. */
export function toResponsesTools(tools: FunctionTool[]): IDataObject[] {
	return tools.map((tool) => ({ type: 'function', ...tool }));
}

/** /v1/messages: `{name, description, input_schema}` (a schema is required there). */
export function toAnthropicTools(tools: FunctionTool[]): IDataObject[] {
	return tools.map(({ name, description, parameters }) => ({
		name,
		...(description ? { description } : {}),
		input_schema: parameters ?? { type: 'object', properties: {} },
	}));
}

/** Tool call arguments arrive as a JSON string; hand n8n an object when they parse. */
export function parseToolArguments(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw ?? {};
	if (raw === '') return {};
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}
