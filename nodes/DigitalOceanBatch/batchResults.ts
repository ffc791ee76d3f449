/**
 * The lines of a batch's result files, in the provider's native format: OpenAI `{id, custom_id,
 * response: {status_code, request_id, body} | null, error: {code, message} | null}` and Anthropic
 * Message Batches `{custom_id, result: {type: succeeded | errored | canceled | expired, message | error}}`.
 * Each line is recognised by its shape, so a file in either format reads the same. A succeeded line's
 * body becomes the Simplified output of the node that calls that API directly (Chat, Responses,
 * Messages); a failed line becomes its message.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ChatCompletion } from '../shared/chatCompletion';
import { parseErrorBody } from '../shared/errors';
import { simplifyCompletion } from '../DigitalOceanChat/chatResponse';
import { simplifyMessage, type Message } from '../DigitalOceanMessages/messagesResponse';
import { simplifyResponse } from '../DigitalOceanResponses/responsesOutput';
import type { ResponseObject } from '../DigitalOceanResponses/responsesStream';
import { itemIndexOfCustomId } from './batchFile';

export type LineResult =
	| { ok: true; customId: string; body: IDataObject; requestId: string | null }
	| { ok: false; customId: string; message: string; code: string | null; statusCode: number | null };

function record(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

/** A message and code from any error object a result line may hold (OpenAI, Anthropic, DigitalOcean). */
function errorOf(error: unknown, fallback: string): { message: string; code: string | null } {
	if (typeof error === 'string') return { message: error, code: null };
	const parsed = parseErrorBody(JSON.stringify(error ?? null));
	const flat = record(error);
	const nested = record(flat?.error);
	return {
		message: parsed.message && parsed.message !== 'null' ? parsed.message : fallback,
		code: parsed.code ?? text(nested?.type) ?? text(flat?.type) ?? null,
	};
}

function openAiLine(customId: string, line: Record<string, unknown>): LineResult {
	const response = record(line.response);
	const statusCode = typeof response?.status_code === 'number' ? response.status_code : null;
	const body = record(response?.body);
	if (line.error !== null && line.error !== undefined) {
		return { ok: false, customId, ...errorOf(line.error, 'The request failed'), statusCode };
	}
	if (!response || !body || (statusCode !== null && statusCode >= 400)) {
		const fallback = statusCode !== null ? `The request failed with status ${statusCode}` : 'The result has no response';
		return { ok: false, customId, ...errorOf(body ?? null, fallback), statusCode };
	}
	return { ok: true, customId, body: body as IDataObject, requestId: text(response.request_id) };
}

const UNFINISHED: Record<string, string> = {
	canceled: 'The batch was cancelled before this request ran',
	cancelled: 'The batch was cancelled before this request ran',
	expired: 'The batch expired before this request ran',
};

function anthropicLine(customId: string, result: Record<string, unknown>): LineResult {
	const type = text(result.type);
	const message = record(result.message);
	if (type === 'succeeded' && message) return { ok: true, customId, body: message as IDataObject, requestId: null };
	if (type !== null && UNFINISHED[type]) return { ok: false, customId, message: UNFINISHED[type], code: type, statusCode: null };
	return { ok: false, customId, ...errorOf(result.error ?? null, `The request ${type ?? 'failed'}`), statusCode: null };
}

/** One line of a result file (already parsed JSON); undefined when it is no result line at all. */
export function readResultLine(value: unknown): LineResult | undefined {
	const line = record(value);
	const customId = typeof line?.custom_id === 'string' ? line.custom_id : typeof line?.custom_id === 'number' ? String(line.custom_id) : undefined;
	if (!line || customId === undefined) return undefined;
	const result = record(line.result);
	if (result) return anthropicLine(customId, result);
	if ('response' in line || 'error' in line) return openAiLine(customId, line);
	return undefined;
}

/**
 * The Simplified output for a succeeded request's body, by its shape: a chat completion (one json per
 * choice, like the Chat node), a response object (Responses node) or an Anthropic message (Messages).
 * A body of none of these comes out as it is.
 */
export function simplifyResultBody(body: IDataObject, requestId: string | null): IDataObject[] {
	const context = { requestId: requestId ?? undefined };
	if (Array.isArray(body.choices)) return simplifyCompletion(body as unknown as ChatCompletion, context);
	if (body.object === 'response' || Array.isArray(body.output)) return [simplifyResponse(body as unknown as ResponseObject, context)];
	if (body.type === 'message' || Array.isArray(body.content)) return [simplifyMessage(body as unknown as Message, context)];
	return [body];
}

/** What a failed line becomes: its message under `error`, so it reads like any n8n error item. */
export function failedLineJson(result: Extract<LineResult, { ok: false }>): IDataObject {
	return { error: result.message, errorCode: result.code, statusCode: result.statusCode };
}

/**
 * Sorts custom_ids into the order their requests were submitted: default ids (`item-<n>`) by n, any
 * other id after them in natural order ("sku-2" before "sku-10").
 */
export function submissionOrder(customIds: Iterable<string>): string[] {
	const collator = new Intl.Collator('en', { numeric: true });
	return [...customIds].sort((a, b) => {
		const left = itemIndexOfCustomId(a);
		const right = itemIndexOfCustomId(b);
		if (left !== undefined && right !== undefined) return left - right;
		if (left !== undefined) return -1;
		if (right !== undefined) return 1;
		return collator.compare(a, b);
	});
}
