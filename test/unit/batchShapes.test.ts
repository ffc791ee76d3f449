/**
 * Reading batch replies in both documented shapes (nodes/DigitalOceanBatch/batchShapes.ts): the OpenAPI
 * spec's and the Go client's (godo batch_inference_test.go fixtures, which look captured from live
 * traffic). The fixtures below copy the fields of those sources.
 */
import { batchErrorText, batchPageOf, resultLinksOf, summarizeBatch } from '../../nodes/DigitalOceanBatch/batchShapes';

/** The spec's models/batch.yml example values. */
const SPEC_BATCH = {
	batch_id: '0e9d1d35-3d1e-4d66-9a2f-8c7e0f6b3e21',
	status: 'in_progress',
	provider: 'openai',
	endpoint: '/v1/chat/completions',
	completion_window: '24h',
	input_file_id: 'a1b2c3d4-e5f6-4789-90ab-cdef12345678',
	output_file_id: null,
	error_file_id: null,
	request_counts: { total: 10000, completed: 0, failed: 0 },
	request_id: 'c7e3ad1e-20c3-4e47-9bf2-6f2a4d6a2f11',
	metadata: null,
	errors: null,
	created_at: '2026-04-24T19:19:19Z',
	in_progress_at: '2026-04-24T19:20:05Z',
	expires_at: '2026-04-25T19:19:19Z',
};

/** godo's batchGetResponse. */
const GODO_BATCH = {
	batch_id: '11f13da9-64a4-fe5b-8567-a23ae3abd3e2',
	cancel_requested_at: null,
	completion_window: '24h',
	created_at: '2026-04-21T17:41:57Z',
	expires_at: '2026-04-21T17:49:28Z',
	file_id: 'b7d562e0-49ae-43f7-820d-6a37a2f05435',
	provider: 'anthropic',
	request_counts: { total: 2, completed: 2, failed: 0 },
	request_id: 'postman-1776793316',
	result_available: true,
	status: 'completed',
	updated_at: '2026-04-21T17:44:26Z',
};

describe('batch shapes: the batch object', () => {
	it('reads the spec shape', () => {
		expect(summarizeBatch(SPEC_BATCH)).toEqual({
			batchId: SPEC_BATCH.batch_id,
			status: 'in_progress',
			finished: false,
			requestCounts: { total: 10000, completed: 0, failed: 0 },
			provider: 'openai',
			endpoint: '/v1/chat/completions',
			requestId: SPEC_BATCH.request_id,
			inputFileId: SPEC_BATCH.input_file_id,
			outputFileId: null,
			errorFileId: null,
			resultAvailable: false,
			errors: [],
			metadata: null,
			createdAt: '2026-04-24T19:19:19Z',
			updatedAt: null,
			completedAt: null,
			failedAt: null,
			cancelledAt: null,
			expiresAt: '2026-04-25T19:19:19Z',
		});
	});

	it("reads the Go client's shape: file_id, result_available, cancel_requested_at, updated_at", () => {
		expect(summarizeBatch(GODO_BATCH)).toMatchObject({
			batchId: GODO_BATCH.batch_id,
			status: 'completed',
			finished: true,
			provider: 'anthropic',
			endpoint: null,
			inputFileId: GODO_BATCH.file_id,
			resultAvailable: true,
			updatedAt: '2026-04-21T17:44:26Z',
		});
		expect(summarizeBatch({ ...GODO_BATCH, status: 'cancelled', cancel_requested_at: '2026-04-21T18:10:00Z' }).cancelledAt).toBe('2026-04-21T18:10:00Z');
	});

	it('takes `id` for the batch id, and knows the terminal statuses; unknown ones (queued, awaiting_processing) are not finished', () => {
		expect(summarizeBatch({ id: 'batch_1', status: 'validating' }).batchId).toBe('batch_1');
		for (const status of ['completed', 'failed', 'expired', 'cancelled']) expect(summarizeBatch({ status }).finished).toBe(true);
		for (const status of ['validating', 'in_progress', 'finalizing', 'cancelling', 'queued', 'awaiting_processing']) {
			expect(summarizeBatch({ status }).finished).toBe(false);
		}
		expect(summarizeBatch({}).status).toBe('unknown');
	});

	it('derives resultAvailable from the status when the reply has no flag (partial results after cancel or expiry)', () => {
		expect(summarizeBatch({ status: 'completed' }).resultAvailable).toBe(true);
		expect(summarizeBatch({ status: 'cancelled' }).resultAvailable).toBe(true);
		expect(summarizeBatch({ status: 'expired' }).resultAvailable).toBe(true);
		expect(summarizeBatch({ status: 'failed' }).resultAvailable).toBe(false);
		expect(summarizeBatch({ status: 'completed', result_available: false }).resultAvailable).toBe(false);
	});

	it('lists the errors of a failed batch (spec array or OpenAI list) as one text', () => {
		const failed = summarizeBatch({
			status: 'failed',
			errors: [{ code: 'invalid_input_file', message: "Line 42: missing required field 'custom_id'.", line: 42 }, { code: 'x', message: 'bad url', line: 7 }],
		});
		expect(batchErrorText(failed)).toBe("Line 42: missing required field 'custom_id'.; line 7: bad url");
		const openAiStyle = summarizeBatch({ status: 'failed', errors: { object: 'list', data: [{ code: 'c', message: 'm' }] } });
		expect(batchErrorText(openAiStyle)).toBe('m');
		const many = summarizeBatch({ errors: Array.from({ length: 8 }, (_, index) => ({ message: `e${index}` })) });
		expect(batchErrorText(many)).toBe('e0; e1; e2; e3; e4; and 3 more');
		expect(batchErrorText(summarizeBatch({ errors: null }))).toBeUndefined();
	});

	it('keeps metadata', () => {
		expect(summarizeBatch({ metadata: { team: 'ml-eval' } }).metadata).toEqual({ team: 'ml-eval' });
	});
});

describe('batch shapes: results links', () => {
	it('reads the spec shape', () => {
		expect(
			resultLinksOf({
				batch_id: 'b',
				result_available: true,
				output_file_url: 'https://cdn/out.jsonl?X-Amz-Signature=1',
				error_file_url: 'https://cdn/err.jsonl?X-Amz-Signature=2',
				expires_at: '2026-04-24T20:19:19Z',
			}),
		).toEqual({ available: true, outputUrl: 'https://cdn/out.jsonl?X-Amz-Signature=1', errorUrl: 'https://cdn/err.jsonl?X-Amz-Signature=2', expiresAt: '2026-04-24T20:19:19Z' });
		expect(resultLinksOf({ batch_id: 'b', result_available: false, output_file_url: null, error_file_url: null }).available).toBe(false);
	});

	it("reads the Go client's shape {download: {presigned_url, expires_at}, output_file_id}", () => {
		expect(
			resultLinksOf({
				download: { presigned_url: 'https://spaces.example.com/batch-results/1/output.jsonl?token=abc', expires_at: '2026-04-21T18:07:47Z' },
				output_file_id: 'msgbatch_015UytMT8cCLD8332Hb3BhNe',
			}),
		).toEqual({ available: true, outputUrl: 'https://spaces.example.com/batch-results/1/output.jsonl?token=abc', errorUrl: undefined, expiresAt: '2026-04-21T18:07:47Z' });
	});
});

describe('batch shapes: list pages', () => {
	it('reads the spec page and its cursor (last_id while has_more)', () => {
		const page = batchPageOf({ object: 'list', data: [{ batch_id: 'a' }, { batch_id: 'b' }], first_id: 'a', last_id: 'b', has_more: true });
		expect(page).toEqual({ batches: [{ batch_id: 'a' }, { batch_id: 'b' }], next: 'b' });
		expect(batchPageOf({ object: 'list', data: [{ batch_id: 'c' }], has_more: false }).next).toBeUndefined();
		expect(batchPageOf({ object: 'list', data: [], first_id: null, last_id: null, has_more: true }).next).toBeUndefined();
	});

	it('takes the last batch id when the page has no last_id', () => {
		expect(batchPageOf({ data: [{ batch_id: 'a' }, { id: 'z' }], has_more: true }).next).toBe('z');
	});

	it("reads the Go client's Relay page {edges[{cursor, node}], page_info{endCursor, hasNextPage}}", () => {
		const edges = [
			{ cursor: 'eyJjIjoxfQ==', node: { batch_id: 'a' } },
			{ cursor: 'eyJjIjoyfQ==', node: { batch_id: 'b' } },
		];
		expect(batchPageOf({ edges, page_info: { endCursor: 'eyJjIjoyfQ==', hasNextPage: true } })).toEqual({
			batches: [{ batch_id: 'a' }, { batch_id: 'b' }],
			next: 'eyJjIjoyfQ==',
		});
		expect(batchPageOf({ edges, page_info: { endCursor: 'eyJjIjoyfQ==', hasNextPage: false } }).next).toBeUndefined();
		// Without an endCursor the last edge's cursor continues.
		expect(batchPageOf({ edges, page_info: { hasNextPage: true } }).next).toBe('eyJjIjoyfQ==');
	});

	it('reads an empty or unknown reply as an empty last page', () => {
		expect(batchPageOf({})).toEqual({ batches: [], next: undefined });
		expect(batchPageOf({ edges: [], page_info: { hasNextPage: true, endCursor: 'x' } })).toEqual({ batches: [], next: undefined });
	});
});
