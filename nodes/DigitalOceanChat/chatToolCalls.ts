/**
 * The function-calling loop in a Message List: an assistant message repeats the tool calls of an
 * earlier answer (its `tool_calls`), and a Tool message answers one of them by its `tool_call_id`.
 * Tool calls are accepted as the node gives them — the Simplified output's `toolCalls`
 * (`{id, name, arguments, input}` with parsed arguments) or the raw `message.tool_calls` — and sent in the
 * wire shape `{id, type: "function", function: {name, arguments: "<JSON text>"}}` (§3.2).
 */
import type { IDataObject } from 'n8n-workflow';

import { FUNCTION_NAME } from '../shared/tools';
import { InputError, parseJsonParameter } from '../shared/validation';

export interface WireToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

const HELP =
	'Map the toolCalls of the earlier DigitalOcean Chat answer, e.g. {{ JSON.stringify($json.toolCalls) }}: a JSON array of {id, name, arguments}.';

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wireCall(raw: unknown, label: string): WireToolCall {
	if (!isObject(raw)) throw new InputError(`${label} is not a JSON object`, HELP);
	// The raw reply nests name and arguments under `function`; the Simplified output has them flat.
	const fn = isObject(raw.function) ? raw.function : raw;
	if (raw.type !== undefined && raw.type !== 'function') {
		throw new InputError(`${label} has type ${JSON.stringify(raw.type)}; only "function" calls can be sent back`, HELP);
	}
	if (typeof raw.id !== 'string' || raw.id.trim() === '') throw new InputError(`${label} has no id`, HELP);
	if (typeof fn.name !== 'string' || !FUNCTION_NAME.test(fn.name)) {
		throw new InputError(`${label} needs a function name of 1–64 letters, digits, "_" or "-" (got ${JSON.stringify(fn.name ?? null)})`, HELP);
	}
	// `input` is the Simplified output's copy of the arguments that n8n expressions can read.
	const args = fn.arguments ?? fn.input;
	// The API wants the JSON text the model wrote; parsed arguments (the Simplified output) are written back as JSON.
	const text = typeof args === 'string' ? args : JSON.stringify(args ?? {});
	return { id: raw.id.trim(), type: 'function', function: { name: fn.name, arguments: text } };
}

/** Reads a message's "Tool Calls" (JSON text or an expression's array); empty means none. */
export function parseToolCalls(value: unknown, messageLabel: string): WireToolCall[] {
	const parsed = parseJsonParameter(value, `Tool Calls of ${messageLabel}`);
	if (parsed === undefined || parsed === null) return [];
	if (!Array.isArray(parsed)) throw new InputError(`Tool Calls of ${messageLabel} must be a JSON array`, HELP);
	return parsed.map((call, k) => wireCall(call, `Tool call ${k + 1} of ${messageLabel}`));
}

/** A Tool message's id of the call it answers; the API requires it (§3.2). */
export function toolCallIdOf(value: unknown, messageLabel: string): string {
	const id = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (id === '') {
		throw new InputError(
			`${messageLabel} is a Tool message without a Tool Call ID`,
			'Enter the id of the tool call it answers, e.g. {{ $json.toolCalls[0].id }} from the earlier DigitalOcean Chat answer.',
		);
	}
	return id;
}
