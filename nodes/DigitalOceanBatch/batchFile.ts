/**
 * The batch input file: one JSONL line per request in the provider's native batch format (OpenAI
 * `{custom_id, method, url, body}`, Anthropic Message Batches `{custom_id, params}`), checked against
 * DigitalOcean's limits while it is built — before anything is uploaded — and the deterministic
 * `request_id` (DigitalOcean's idempotency key) that makes a repeated Submit of the same content return
 * the batch it already created instead of a second, paid one.
 */
import { createHash, type Hash } from 'node:crypto';

import { InputError } from '../shared/validation';

/** Which API the batch's requests call; it fixes the provider and the line format. */
export type BatchApi = 'chat' | 'responses' | 'messages';
export type Provider = 'openai' | 'anthropic';

export interface ApiTarget {
	provider: Provider;
	/** Sent on create for OpenAI (it must match every line's `url`); omitted for Anthropic (spec). */
	endpoint?: string;
	/** For messages: "OpenAI Chat Completions". */
	label: string;
}

export const API_TARGETS: Record<BatchApi, ApiTarget> = {
	chat: { provider: 'openai', endpoint: '/v1/chat/completions', label: 'OpenAI Chat Completions' },
	responses: { provider: 'openai', endpoint: '/v1/responses', label: 'OpenAI Responses' },
	messages: { provider: 'anthropic', label: 'Anthropic Messages' },
};

/**
 * DigitalOcean's limits (how-to "Use Batch Inference"): files of at most 200 MB — counted as 200,000,000
 * bytes, the stricter reading of "MB" — and at most 50,000 (OpenAI) / 100,000 (Anthropic) requests.
 */
export const MAX_FILE_BYTES = 200_000_000;
export const MAX_LINES: Record<Provider, number> = { openai: 50_000, anthropic: 100_000 };

/** A limit of the file as a whole (lines, bytes): no single item's fault. */
export class BatchLimitError extends InputError {}

/** Anthropic's Message Batches rule for custom_id. */
const ANTHROPIC_CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const DEFAULT_CUSTOM_ID = /^item-(0|[1-9]\d*)$/;

/** The custom_id of item `itemIndex` when the user sets none: the index comes back with each result. */
export function defaultCustomId(itemIndex: number): string {
	return `item-${itemIndex}`;
}

/** The item index a default custom_id stands for, or undefined for any other id. */
export function itemIndexOfCustomId(customId: string): number | undefined {
	const match = DEFAULT_CUSTOM_ID.exec(customId);
	return match ? Number(match[1]) : undefined;
}

/** Content part types that carry something other than text (batch inference takes text prompts only). */
const NON_TEXT_PARTS = new Set(['image', 'image_url', 'input_image', 'file', 'input_file', 'document', 'audio', 'input_audio', 'video', 'video_url']);

/** Where in a request body a non-text content part sits (e.g. `messages[0].content[1]`), if anywhere. */
export function findNonTextPart(value: unknown, path = ''): string | undefined {
	if (Array.isArray(value)) {
		for (let index = 0; index < value.length; index++) {
			const found = findNonTextPart(value[index], `${path}[${index}]`);
			if (found !== undefined) return found;
		}
		return undefined;
	}
	if (typeof value !== 'object' || value === null) return undefined;
	const record = value as Record<string, unknown>;
	if (typeof record.type === 'string' && NON_TEXT_PARTS.has(record.type)) return path || 'the body';
	for (const [key, child] of Object.entries(record)) {
		const found = findNonTextPart(child, path ? `${path}.${key}` : key);
		if (found !== undefined) return found;
	}
	return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What every request of a batch must have, whichever way its body was made. */
export function checkRequestBody(api: BatchApi, body: unknown): Record<string, unknown> {
	const target = API_TARGETS[api];
	if (!isObject(body)) {
		throw new InputError('The request body must be a JSON object', `Enter one ${target.label} request body per item, e.g. {"model": "…", …}.`);
	}
	if (typeof body.model !== 'string' || body.model.trim() === '') {
		throw new InputError('The request body has no model', 'Set "model" to the ID of an OpenAI or Anthropic model on DigitalOcean.');
	}
	const required: Record<BatchApi, string> = { chat: 'messages', responses: 'input', messages: 'messages' };
	const field = required[api];
	const value = body[field];
	const present = Array.isArray(value) ? value.length > 0 : typeof value === 'string' ? value.trim() !== '' : false;
	if (!present || (field === 'messages' && !Array.isArray(value))) {
		throw new InputError(`The request body has no "${field}"`, `A ${target.label} request needs "${field}"${field === 'messages' ? ' (a non-empty array)' : ''}.`);
	}
	if (api === 'messages' && !(Number.isInteger(body.max_tokens) && (body.max_tokens as number) >= 1)) {
		throw new InputError('The request body has no "max_tokens"', 'Anthropic requires "max_tokens", a whole number of at least 1.');
	}
	if (body.stream === true) {
		throw new InputError('A batch request cannot stream', 'Remove "stream" from the body: batch results arrive as a file.');
	}
	const nonText = findNonTextPart(body);
	if (nonText !== undefined) {
		throw new InputError(
			`The request contains a non-text part at ${nonText}`,
			'DigitalOcean batch inference takes text prompts only: remove images, files and audio from the request.',
		);
	}
	return body;
}

/** One request line as it goes into the file, without its newline. */
export function requestLine(api: BatchApi, customId: string, body: Record<string, unknown>): string {
	const target = API_TARGETS[api];
	if (target.provider === 'anthropic') return JSON.stringify({ custom_id: customId, params: body });
	return JSON.stringify({ custom_id: customId, method: 'POST', url: target.endpoint, body });
}

export interface IdempotencyInput {
	metadata?: Record<string, string>;
	/** The user's "Idempotency Key": the same content with another key is a new batch. */
	key?: string;
}

/** A name-based UUID (version 5 layout) from a SHA-256 digest: accepted wherever a UUID is expected. */
function uuidOf(digest: Buffer): string {
	const bytes = Buffer.from(digest.subarray(0, 16));
	bytes[6] = (bytes[6] & 0x0f) | 0x50;
	bytes[8] = (bytes[8] & 0x3f) | 0x80;
	const hex = bytes.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface BatchFile {
	api: BatchApi;
	/** The file's bytes, one Buffer per line (newline included), so it is never copied into one string. */
	chunks: Buffer[];
	bytes: number;
	lines: number;
	/** custom_id → item index of every line. */
	itemOfCustomId: Map<string, number>;
	/** A SHA-256 of the file's bytes. */
	contentDigest: Buffer;
}

/**
 * Collects the requests of one batch. Each `add` checks the request against the file's rules (custom_id
 * form and uniqueness, one model for OpenAI, line and size limits) and throws an InputError naming the
 * problem; the caller reports it for the item.
 */
export class BatchFileBuilder {
	private readonly chunks: Buffer[] = [];

	private bytes = 0;

	private readonly itemOfCustomId = new Map<string, number>();

	private readonly hash: Hash = createHash('sha256');

	private firstModel?: { model: string; itemIndex: number };

	constructor(readonly api: BatchApi) {}

	get lines(): number {
		return this.chunks.length;
	}

	add(itemIndex: number, customId: string, body: Record<string, unknown>): void {
		const { provider } = API_TARGETS[this.api];
		this.checkCustomId(provider, customId);
		this.checkModel(provider, itemIndex, body.model as string);
		const limit = MAX_LINES[provider];
		if (this.chunks.length >= limit) {
			throw new BatchLimitError(
				`A batch for ${provider === 'openai' ? 'OpenAI' : 'Anthropic'} models takes at most ${limit.toLocaleString('en-US')} requests`,
				'Split the items into several batches, e.g. with a Loop Over Items node before this one.',
			);
		}
		const line = Buffer.from(`${requestLine(this.api, customId, body)}\n`, 'utf8');
		if (this.bytes + line.length > MAX_FILE_BYTES) {
			throw new BatchLimitError(
				`The batch file would be larger than DigitalOcean's limit of 200 MB (${MAX_FILE_BYTES.toLocaleString('en-US')} bytes)`,
				'Split the items into several batches, e.g. with a Loop Over Items node before this one.',
			);
		}
		const existing = this.itemOfCustomId.get(customId);
		if (existing !== undefined) {
			throw new InputError(`Custom ID "${customId}" is used by item ${existing} too`, 'Every request of a batch needs its own Custom ID.');
		}
		this.itemOfCustomId.set(customId, itemIndex);
		this.chunks.push(line);
		this.bytes += line.length;
		this.hash.update(line);
	}

	finish(): BatchFile {
		if (this.chunks.length === 0) {
			throw new InputError('There is nothing to submit', 'The node received no items, or every item failed its checks.');
		}
		return {
			api: this.api,
			chunks: this.chunks,
			bytes: this.bytes,
			lines: this.chunks.length,
			itemOfCustomId: this.itemOfCustomId,
			contentDigest: this.hash.digest(),
		};
	}

	private checkCustomId(provider: Provider, customId: string): void {
		if (customId.trim() === '') {
			throw new InputError('The Custom ID is empty', 'Give every item a Custom ID, or clear the option to use item-<index>.');
		}
		if (provider === 'anthropic' && !ANTHROPIC_CUSTOM_ID.test(customId)) {
			throw new InputError(
				`Custom ID "${customId}" is not valid for Anthropic`,
				'Anthropic accepts 1–64 letters, digits, underscores and hyphens.',
			);
		}
	}

	private checkModel(provider: Provider, itemIndex: number, model: string): void {
		if (provider !== 'openai') return;
		if (!this.firstModel) {
			this.firstModel = { model, itemIndex };
			return;
		}
		if (model !== this.firstModel.model) {
			throw new InputError(
				`Item ${itemIndex} uses model "${model}", item ${this.firstModel.itemIndex} "${this.firstModel.model}"`,
				"OpenAI's batch API runs all requests of a batch on one model: submit each model in its own batch.",
			);
		}
	}
}

/**
 * The request_id of a batch: a hash of everything that makes it what it is — provider, endpoint, the
 * file's bytes, the metadata and the user's Idempotency Key — so running Submit again with the same
 * input (after a dropped connection, or a re-run of the workflow) returns the batch already created.
 */
export function batchRequestId(file: BatchFile, input: IdempotencyInput): string {
	const { provider, endpoint } = API_TARGETS[file.api];
	const metadata = Object.entries(input.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	const digest = createHash('sha256')
		.update(JSON.stringify(['n8n-digitalocean-batch/1', provider, endpoint ?? null, metadata, input.key ?? null]))
		.update(file.contentDigest)
		.digest();
	return uuidOf(digest);
}
