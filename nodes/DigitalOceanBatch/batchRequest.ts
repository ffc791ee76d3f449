/**
 * What Submit reads for each item: its request body — built by the Chat, Responses or Messages node's
 * own request builder from the same fields, or taken as raw JSON — and its custom_id; and, once per
 * batch, the metadata and Idempotency Key. Everything is checked here, before anything is uploaded.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { buildChatRequest } from '../DigitalOceanChat/chatRequest';
import { buildMessagesRequest } from '../DigitalOceanMessages/messagesRequest';
import { buildResponsesRequest } from '../DigitalOceanResponses/responsesRequest';
import type { RequestFeatures } from '../shared/builtInTools';
import { textOf } from '../shared/conversation';
import { readModelId } from '../shared/models';
import { InputError, parseJsonParameter } from '../shared/validation';
import { checkRequestBody, defaultCustomId, type BatchApi, type IdempotencyInput } from './batchFile';

/** DigitalOcean's built-in tools run on its own endpoints, not in a provider's batch. */
const IN_BATCH: RequestFeatures = { builtInTools: false };

async function bodyFromFields(ctx: IExecuteFunctions, itemIndex: number, api: BatchApi): Promise<unknown> {
	if (api === 'chat') return (await buildChatRequest(ctx, itemIndex, 'model', IN_BATCH)).body;
	const model = readModelId(ctx, itemIndex);
	if (api === 'responses') return (await buildResponsesRequest(ctx, itemIndex, model, IN_BATCH)).body;
	return (await buildMessagesRequest(ctx, itemIndex, model, IN_BATCH)).body;
}

/** The request body of item `itemIndex`, checked (throws InputError or the builders' NodeOperationError). */
export async function readRequestBody(ctx: IExecuteFunctions, itemIndex: number, api: BatchApi): Promise<Record<string, unknown>> {
	const source = ctx.getNodeParameter('bodySource', itemIndex, 'fields') as 'fields' | 'json';
	const body =
		source === 'json' ? parseJsonParameter(ctx.getNodeParameter('jsonBody', itemIndex, ''), 'JSON Body') : await bodyFromFields(ctx, itemIndex, api);
	return checkRequestBody(api, body);
}

interface BatchOptions {
	customId?: unknown;
	idempotencyKey?: unknown;
	metadata?: { entry?: Array<{ key?: unknown; value?: unknown }> };
}

function batchOptions(ctx: IExecuteFunctions, itemIndex: number): BatchOptions {
	return ctx.getNodeParameter('batchOptions', itemIndex, {}) as BatchOptions;
}

/** The item's custom_id: the Custom ID option, or item-<index> when it is not set or empty. */
export function readCustomId(ctx: IExecuteFunctions, itemIndex: number): string {
	const custom = textOf(batchOptions(ctx, itemIndex).customId).trim();
	return custom === '' ? defaultCustomId(itemIndex) : custom;
}

/** Metadata and Idempotency Key belong to the whole batch: they are read from the first item. */
export function readBatchSettings(ctx: IExecuteFunctions): IdempotencyInput {
	const options = batchOptions(ctx, 0);
	const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
	for (const { key, value } of options.metadata?.entry ?? []) {
		const name = textOf(key).trim();
		if (name === '') throw new InputError('A metadata entry has no key', 'Give every metadata entry a key, or remove it.');
		if (Object.hasOwn(metadata, name)) throw new InputError(`Metadata key "${name}" is used twice`, 'Every metadata key may appear once.');
		metadata[name] = textOf(value);
	}
	const key = textOf(options.idempotencyKey).trim();
	return { metadata: Object.keys(metadata).length > 0 ? { ...metadata } : undefined, key: key === '' ? undefined : key };
}
