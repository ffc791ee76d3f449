/**
 * Reading DigitalOcean's batch replies, whose shapes differ between its two sources: the OpenAPI spec
 * (`batch_id`, `input_file_id`, `output_file_id`, `errors`, `{object:"list", data, last_id, has_more}`,
 * results `{output_file_url, error_file_url, result_available}`) and the official Go client, whose
 * fixtures look captured from live traffic (`file_id`, `result_available`, `cancel_requested_at`,
 * Relay-style lists `{edges[{cursor, node}], page_info{endCursor, hasNextPage}}`, results
 * `{download:{presigned_url}, output_file_id}`). Every reader accepts both, and `id` for `batch_id`.
 */
import type { IDataObject } from 'n8n-workflow';

/** A batch in one of these will not change any more (spec: "Terminal states"). */
export const TERMINAL_STATUSES = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** Batches that ended with results to fetch: all of them for completed, the finished part otherwise. */
export const STATUSES_WITH_RESULTS = new Set(['completed', 'expired', 'cancelled']);

function record(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** The batch's ID in either shape. */
export function batchIdOf(raw: unknown): string | null {
	const batch = record(raw);
	return text(batch.batch_id) ?? text(batch.id);
}

/** The output of every operation that describes a batch: the same keys whichever shape came in. */
export interface BatchSummary extends IDataObject {
	batchId: string | null;
	status: string;
	/** The status is terminal: completed, failed, expired or cancelled. */
	finished: boolean;
	requestCounts: { total: number; completed: number; failed: number };
	provider: string | null;
	endpoint: string | null;
	requestId: string | null;
	inputFileId: string | null;
	outputFileId: string | null;
	errorFileId: string | null;
	/** Whether Get Results can fetch something now (the reply's own flag, else derived from the status). */
	resultAvailable: boolean;
	errors: IDataObject[];
	metadata: IDataObject | null;
	createdAt: string | null;
	updatedAt: string | null;
	completedAt: string | null;
	failedAt: string | null;
	cancelledAt: string | null;
	expiresAt: string | null;
}

export function summarizeBatch(raw: unknown): BatchSummary {
	const batch = record(raw);
	const status = text(batch.status) ?? 'unknown';
	const counts = record(batch.request_counts);
	// An array in the spec; OpenAI's own batches wrap it as {object: "list", data}.
	const errorList = Array.isArray(batch.errors) ? batch.errors : record(batch.errors).data;
	const errors = Array.isArray(errorList) ? errorList : [];
	return {
		batchId: batchIdOf(batch),
		status,
		finished: TERMINAL_STATUSES.has(status),
		requestCounts: { total: count(counts.total), completed: count(counts.completed), failed: count(counts.failed) },
		provider: text(batch.provider),
		endpoint: text(batch.endpoint),
		requestId: text(batch.request_id),
		inputFileId: text(batch.input_file_id) ?? text(batch.file_id),
		outputFileId: text(batch.output_file_id),
		errorFileId: text(batch.error_file_id),
		resultAvailable: typeof batch.result_available === 'boolean' ? batch.result_available : STATUSES_WITH_RESULTS.has(status),
		errors: errors.map((error) => record(error) as IDataObject),
		metadata: Object.keys(record(batch.metadata)).length > 0 ? (record(batch.metadata) as IDataObject) : null,
		createdAt: text(batch.created_at),
		updatedAt: text(batch.updated_at),
		completedAt: text(batch.completed_at),
		failedAt: text(batch.failed_at),
		// The Go client knows only when the cancel was asked for.
		cancelledAt: text(batch.cancelled_at) ?? text(batch.cancel_requested_at),
		expiresAt: text(batch.expires_at),
	};
}

/** Why a batch failed, from its `errors` (e.g. "Line 42: missing required field 'custom_id'"). */
export function batchErrorText(summary: BatchSummary): string | undefined {
	const messages = summary.errors
		.map((error) => {
			const message = text(error.message) ?? text(error.code);
			if (message === null) return undefined;
			return typeof error.line === 'number' && !message.includes(`${error.line}`) ? `line ${error.line}: ${message}` : message;
		})
		.filter((message): message is string => message !== undefined);
	if (messages.length === 0) return undefined;
	const shown = messages.slice(0, 5).join('; ');
	return messages.length > 5 ? `${shown}; and ${messages.length - 5} more` : shown;
}

/** The download links of a batch's results. */
export interface ResultLinks {
	available: boolean;
	outputUrl?: string;
	errorUrl?: string;
	expiresAt: string | null;
}

export function resultLinksOf(raw: unknown): ResultLinks {
	const reply = record(raw);
	const download = record(reply.download);
	const outputUrl = text(reply.output_file_url) ?? text(download.presigned_url) ?? undefined;
	const errorUrl = text(reply.error_file_url) ?? undefined;
	const flagged = typeof reply.result_available === 'boolean' ? reply.result_available : undefined;
	return {
		available: flagged ?? (outputUrl !== undefined || errorUrl !== undefined),
		outputUrl,
		errorUrl,
		expiresAt: text(reply.expires_at) ?? text(download.expires_at),
	};
}

/** One page of the batch list: its batches and the cursor of the next page, if there is one. */
export interface BatchPage {
	batches: unknown[];
	next?: string;
}

export function batchPageOf(raw: unknown): BatchPage {
	const page = record(raw);
	if (Array.isArray(page.edges)) {
		const edges = page.edges.map(record);
		const info = record(page.page_info ?? page.pageInfo);
		const lastCursor = text(edges[edges.length - 1]?.cursor);
		const next = info.hasNextPage === true || info.has_next_page === true ? (text(info.endCursor) ?? text(info.end_cursor) ?? lastCursor) : null;
		return { batches: edges.map((edge) => edge.node), next: edges.length > 0 ? (next ?? undefined) : undefined };
	}
	const batches = Array.isArray(page.data) ? page.data : [];
	const lastId = text(page.last_id) ?? batchIdOf(batches[batches.length - 1]);
	return { batches, next: page.has_more === true && batches.length > 0 ? (lastId ?? undefined) : undefined };
}
