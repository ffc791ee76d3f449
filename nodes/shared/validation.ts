/**
 * Input checks shared by the nodes: they throw InputError, which `asItemInputError` turns into a
 * NodeOperationError with the item index — always before any billable request is sent.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { passOn } from './errors';

export class InputError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

/** Checks an option's number; the error says where to fix it (or pass a better `description`). */
export function checkRange(
	value: number | undefined,
	label: string,
	min: number,
	max = Number.MAX_SAFE_INTEGER,
	description = `Change "${label}" under Options, or remove it to use the model's default.`,
): void {
	if (value === undefined) return;
	if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
		const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
		throw new InputError(`${label} must be ${range} (got ${String(value)})`, description);
	}
}

/** Parses a JSON parameter that n8n may hand over as a string or as already-parsed JSON. */
export function parseJsonParameter(value: unknown, label: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- InputError is the package's bad-input error (no node here); asItemInputError and withItemIndex make it a NodeOperationError of the item
		throw new InputError(`${label} is not valid JSON`, `Check the "${label}" field.`);
	}
}

/** Splits "a, b" into trimmed non-empty parts. */
export function commaList(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/** Drops the keys whose value is undefined, so only what the user set reaches the wire. */
export function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
	const result: Partial<T> = {};
	for (const [key, value] of Object.entries(fields)) {
		if (value !== undefined) (result as Record<string, unknown>)[key] = value;
	}
	return result;
}

/** Runs `build` and reports an InputError as a NodeOperationError of item `itemIndex`. */
export async function asItemInputError<T>(ctx: Pick<IExecuteFunctions, 'getNode'>, itemIndex: number, build: () => Promise<T> | T): Promise<T> {
	try {
		return await build();
	} catch (error) {
		if (error instanceof InputError) {
			throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex, description: error.description });
		}
		throw passOn(ctx.getNode(), error, itemIndex);
	}
}
