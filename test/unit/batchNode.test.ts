/**
 * The DigitalOcean Batch node against the emulator over real HTTP: Submit (file intent, presigned PUT
 * without the key, idempotent create), Get Status, Wait for Completion, Get Results (input order,
 * pairing, failed lines), Cancel and List — under every shape the emulator's switches offer.
 */
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanBatch } from '../../nodes/DigitalOceanBatch/DigitalOceanBatch.node';
import { DEFAULT_KEY } from '../emulator';
import { nodeRunner } from './helpers/runNode';
import { useEmulator } from './helpers/useEmulator';

const emulator = useEmulator();
const { run, runError } = nodeRunner(() => new DigitalOceanBatch(), {}, emulator);

const FAST = { validatingMs: 40, inProgressMs: 120, finalizingMs: 40, cancellingMs: 40 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const model = (value: string) => ({ __rl: true, mode: 'id', value });
const products = (count: number, text = (index: number) => `Product ${index}`): INodeExecutionData[] =>
	Array.from({ length: count }, (_, index) => ({ json: { text: text(index), sku: `sku-${index}` } }));

const CHAT = { operation: 'submit', api: 'chat', model: model('openai-gpt-4o'), prompt: '={{ $json.text }}' };
const MESSAGES = { operation: 'submit', api: 'messages', model: model('anthropic-claude-4.6-sonnet'), prompt: '={{ $json.text }}', maxTokens: 256 };
const RESPONSES = { operation: 'submit', api: 'responses', model: model('openai-gpt-5.2'), prompt: '={{ $json.text }}' };

const requests = (method: string, path: string) => emulator.control.requests().filter((r) => r.method === method && r.path === path);
const createRequests = () => requests('POST', '/v1/batches');

async function submit(items: INodeExecutionData[], params: Record<string, unknown> = CHAT, extra = {}): Promise<INodeExecutionData> {
	const output = await run(params, { items, ...extra });
	expect(output).toHaveLength(1);
	return output[0];
}

/** Polls the emulator (not the node) until the batch has finished. */
async function finished(batchId: string): Promise<Record<string, unknown>> {
	for (let attempt = 0; attempt < 200; attempt++) {
		const res = await fetch(`${emulator.url}/v1/batches/${batchId}`, { headers: { authorization: `Bearer ${DEFAULT_KEY}` } });
		const batch = (await res.json()) as Record<string, unknown>;
		if (['completed', 'failed', 'expired', 'cancelled'].includes(batch.status as string)) return batch;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	throw new Error(`batch ${batchId} did not finish`);
}

const onBatch = (operation: string, batchId: string, params: Record<string, unknown> = {}, extra = {}) =>
	run({ operation, ...params }, { items: [{ json: { batchId } }], ...extra });

beforeEach(() => emulator.control.configure({ batchTimings: FAST }));

describe('DigitalOcean Batch node: Submit', () => {
	it('uploads one file without the key and creates one batch with a content-derived request_id', async () => {
		const item = await submit(products(3));
		expect(item.json).toMatchObject({
			batchId: expect.stringMatching(UUID),
			status: 'validating',
			finished: false,
			provider: 'openai',
			endpoint: '/v1/chat/completions',
			requestId: expect.stringMatching(UUID),
			fileId: expect.stringMatching(UUID),
			lines: 3,
			reused: false,
			requestCounts: { total: 0, completed: 0, failed: 0 },
		});
		expect(item.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(requests('POST', '/v1/batches/files')[0].body).toEqual({ file_name: `n8n-batch-${item.json.requestId}.jsonl` });
		expect(createRequests().map((r) => r.body)).toEqual([
			{ file_id: item.json.fileId, provider: 'openai', endpoint: '/v1/chat/completions', completion_window: '24h', request_id: item.json.requestId },
		]);
		const uploads = emulator.control.cdnRequests().filter((r) => r.path.startsWith('/uploads/'));
		expect(uploads).toHaveLength(1);
		expect(uploads[0]).toMatchObject({ status: 200, headers: { 'content-type': 'application/octet-stream' } });
		expect(uploads[0].headers.authorization).toBeUndefined();
		expect(emulator.control.batches()).toHaveLength(1);
		expect(JSON.stringify(item.json)).not.toContain(DEFAULT_KEY);
	});

	it('returns the same batch when the same items are submitted again: nothing new is created', async () => {
		const first = await submit(products(4));
		const again = await submit(products(4));
		expect(again.json.batchId).toBe(first.json.batchId);
		expect(again.json.requestId).toBe(first.json.requestId);
		expect(again.json.reused).toBe(true);
		expect(emulator.control.batches()).toEqual([expect.objectContaining({ id: first.json.batchId, creates: 2 })]);
		// Changed content, or an Idempotency Key, is a new batch.
		const changed = await submit(products(4, (index) => `Item ${index}`));
		const keyed = await submit(products(4), { ...CHAT, batchOptions: { idempotencyKey: '2026-05-01' } });
		expect(new Set([first.json.batchId, changed.json.batchId, keyed.json.batchId]).size).toBe(3);
		expect(emulator.control.batches()).toHaveLength(3);
	});

	it('retries a create whose answer was cut after DigitalOcean made the batch: still one batch', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: '/v1/batches' }]);
		const item = await submit(products(3));
		expect(createRequests()).toHaveLength(2);
		expect(emulator.control.batches()).toEqual([expect.objectContaining({ id: item.json.batchId, creates: 2 })]);
	});

	it('without retries fails on the cut answer; running it again returns the batch made the first time', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: '/v1/batches' }]);
		const error = await run({ ...CHAT, requestOptions: { maxRetries: 0 } }, { items: products(3) }).catch((e: unknown) => e as NodeApiError);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).description).toMatch(/Running the node again with the same items is safe: request ID [0-9a-f-]{36} returns this batch/);
		expect(emulator.control.batches()).toHaveLength(1);
		const item = await submit(products(3));
		expect(item.json.batchId).toBe(emulator.control.batches()[0].id);
		expect(emulator.control.batches()).toEqual([expect.objectContaining({ creates: 2 })]);
	});

	it('writes Anthropic lines as {custom_id, params} and creates without endpoint; the emulator validates them', async () => {
		const item = await submit(products(2), MESSAGES);
		expect(item.json).toMatchObject({ provider: 'anthropic', endpoint: null, lines: 2 });
		expect(createRequests()[0].body).toEqual({ file_id: item.json.fileId, provider: 'anthropic', completion_window: '24h', request_id: item.json.requestId });
		expect(await finished(item.json.batchId as string)).toMatchObject({ status: 'completed', request_counts: { total: 2, completed: 2, failed: 0 } });
	});

	it('sends metadata with the batch (string values) and builds the Responses body with instructions and options', async () => {
		const item = await submit(products(1), {
			...RESPONSES,
			instructions: 'Be brief.',
			options: { maxOutputTokens: 64 },
			batchOptions: { metadata: { entry: [{ key: 'workflow', value: 'nightly' }, { key: 'run', value: '={{ 1 + 1 }}' }] } },
		});
		expect(createRequests()[0].body).toMatchObject({ endpoint: '/v1/responses', metadata: { workflow: 'nightly', run: '2' } });
		expect(item.json.metadata).toEqual({ workflow: 'nightly', run: '2' });
		expect(await finished(item.json.batchId as string)).toMatchObject({ status: 'completed' });
	});

	it('takes a raw JSON body per item', async () => {
		const item = await submit(products(2), {
			operation: 'submit',
			api: 'chat',
			bodySource: 'json',
			jsonBody: '={{ JSON.stringify({ model: "openai-gpt-4o", messages: [{ role: "user", content: $json.text }], max_tokens: 50 }) }}',
		});
		expect(await finished(item.json.batchId as string)).toMatchObject({ status: 'completed', request_counts: { completed: 2 } });
	});

	it('checks every item before anything is sent: a bad item fails the run naming it', async () => {
		const items = products(3);
		items[1].json.text = '';
		const error = await runError(CHAT, { items });
		expect(error.message).toBe('The prompt is empty');
		expect(error.context.itemIndex).toBe(1);
		expect(emulator.control.requests()).toEqual([]);
	});

	it.each([
		['an image part', { model: 'openai-gpt-4o', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }, 'non-text part at messages[0].content[0]'],
		['stream: true', { model: 'openai-gpt-4o', stream: true, messages: [{ role: 'user', content: 'x' }] }, 'cannot stream'],
		['no messages', { model: 'openai-gpt-4o' }, 'has no "messages"'],
	])('refuses a JSON body with %s before any request', async (_what, body, message) => {
		const error = await runError({ operation: 'submit', api: 'chat', bodySource: 'json', jsonBody: JSON.stringify(body) }, { items: products(1) });
		expect(error.message).toContain(message);
		expect(emulator.control.requests()).toEqual([]);
	});

	it('refuses duplicate custom IDs and two models in an OpenAI batch before any request', async () => {
		const duplicate = await runError({ ...CHAT, batchOptions: { customId: '={{ $json.sku === "sku-2" ? "sku-0" : $json.sku }}' } }, { items: products(3) });
		expect(duplicate.message).toBe('Custom ID "sku-0" is used by item 0 too');
		expect(duplicate.context.itemIndex).toBe(2);
		const models = await runError({ ...CHAT, model: model('={{ $json.sku === "sku-1" ? "openai-gpt-5.2" : "openai-gpt-4o" }}') }, { items: products(2) });
		expect(models.message).toBe('Item 1 uses model "openai-gpt-5.2", item 0 "openai-gpt-4o"');
		expect(emulator.control.requests()).toEqual([]);
	});

	it('with Continue On Fail submits the good items and outputs the bad ones as error items', async () => {
		const items = products(3);
		items[1].json.text = '';
		const output = await run(CHAT, { items, continueOnFail: true });
		expect(output).toHaveLength(2);
		expect(output[0].json).toMatchObject({ lines: 2, status: 'validating' });
		expect(output[0].pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
		expect(output[1]).toEqual({ json: { error: 'The prompt is empty' }, pairedItem: { item: 1 } });
	});

	it('gets a new upload URL once when the first is refused (403), then reports the refusal clearly', async () => {
		emulator.control.configure({ batchUrlTtlSeconds: { upload: 0 } });
		const error = await runError(CHAT, { items: products(1) });
		expect(error.message).toBe('The storage refused the batch file upload twice (403)');
		expect(requests('POST', '/v1/batches/files')).toHaveLength(2);
		expect(createRequests()).toHaveLength(0);
	});

	it('refuses an upload URL on a private address before any connection, and creates nothing', async () => {
		emulator.control.configure({ mediaHost: 'http://169.254.169.254' });
		const error = await runError(CHAT, { items: products(1) });
		expect(error.message).toMatch(/^Refused to upload to 169\.254\.169\.254: .*blocked range 169\.254\.0\.0\/16/);
		expect(error.description).toMatch(/^Upload URLs come from DigitalOcean's reply, so n8n does not send files to private networks\..*Nothing was uploaded\.$/);
		expect(createRequests()).toHaveLength(0);
		const port = new URL(emulator.cdnUrl).port;
		emulator.control.configure({ mediaHost: `http://localhost:${port}` });
		const resolved = await runError(CHAT, { items: products(1) });
		expect(resolved.message).toMatch(/^Refused to upload to localhost: localhost resolves to/);
		expect(emulator.control.cdnRequests()).toEqual([]);
	});

	it.each([
		['the Go client\'s first status "queued"', { batchFirstStatus: 'queued' }],
		['the console\'s first status "awaiting_processing"', { batchFirstStatus: 'awaiting_processing' }],
		['uploads signed for application/octet-stream only', { batchUploadContentTypes: 'octet-stream' }],
		['request_id optional (godo)', { batchRequestId: 'optional' }],
		['file problems reported at create', { batchValidation: 'at-create' }],
		['batch objects in the godo shape', { batchObjectShape: 'godo' }],
		['results pending as result_available false', { batchResultsPending: 'unavailable' }],
	])('runs the whole flow with %s', async (_what, config) => {
		emulator.control.configure(config as never);
		const { json } = await submit(products(3));
		const [done] = await onBatch('waitForCompletion', json.batchId as string, { waitTimeout: 20, pollInterval: 1 });
		expect(done.json).toMatchObject({ status: 'completed', finished: true });
		const results = await onBatch('getResults', json.batchId as string);
		expect(results.map((item) => item.json.content)).toEqual(['Echo: Product 0', 'Echo: Product 1', 'Echo: Product 2']);
		expect(emulator.control.batches()).toHaveLength(1);
	});

	it('records where its items came from, for Get Results to pair the results with them', async () => {
		const item = await submit(products(1), CHAT, { executionId: '42', inputSource: { previousNode: 'Products', previousNodeOutput: 0, previousNodeRun: 0 } });
		expect(item.json.inputSource).toEqual({ executionId: '42', node: 'Products', output: 0, run: 0 });
	});
});

describe('DigitalOcean Batch node: Get Status, Wait for Completion, Cancel', () => {
	it('gets the status once, passing on where the items came from', async () => {
		const { json } = await submit(products(2));
		const source = { executionId: '42', node: 'Products', output: 0, run: 0 };
		const [status] = await run({ operation: 'getStatus' }, { items: [{ json: { batchId: json.batchId, inputSource: source } }] });
		expect(status.json).toMatchObject({ batchId: json.batchId, status: expect.any(String), inputSource: source });
		expect(status.pairedItem).toEqual({ item: 0 });
	});

	it('waits until the batch has completed', async () => {
		const { json } = await submit(products(3));
		const [done] = await onBatch('waitForCompletion', json.batchId as string, { waitTimeout: 20, pollInterval: 1 });
		expect(done.json).toMatchObject({
			batchId: json.batchId,
			status: 'completed',
			finished: true,
			timedOut: false,
			requestCounts: { total: 3, completed: 3, failed: 0 },
			resultAvailable: true,
			polls: expect.any(Number),
		});
	});

	it('outputs the status with timedOut when the wait timeout passes, or fails when asked to', async () => {
		emulator.control.configure({ batchTimings: { inProgressMs: 60_000 } });
		const { json } = await submit(products(1));
		const [late] = await onBatch('waitForCompletion', json.batchId as string, { waitTimeout: 1 });
		expect(late.json).toMatchObject({ finished: false, timedOut: true });
		const error = await runError({ operation: 'waitForCompletion', waitTimeout: 1, onTimeout: 'fail' }, { items: [{ json }] });
		expect(error.message).toMatch(new RegExp(`^Batch ${json.batchId} did not finish within 1 s \\(status: (validating|in_progress)\\)$`));
	});

	it('fails when the batch failed, naming its errors', async () => {
		emulator.control.configure({ batchOutcome: 'failed' });
		const { json } = await submit(products(1));
		const error = await runError({ operation: 'waitForCompletion', waitTimeout: 20 }, { items: [{ json }] });
		expect(error.message).toMatch(new RegExp(`^Batch ${json.batchId} failed: .+`));
	});

	it('ends the wait at an expired batch without an error; its answered part can be fetched', async () => {
		emulator.control.configure({ batchOutcome: 'expired' });
		const { json } = await submit(products(4));
		const [done] = await onBatch('waitForCompletion', json.batchId as string, { waitTimeout: 20, pollInterval: 1 });
		expect(done.json).toMatchObject({ status: 'expired', finished: true, timedOut: false });
		const results = await onBatch('getResults', json.batchId as string);
		expect(results.map((item) => item.json.customId)).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
		expect(results.filter((item) => item.json.errorCode === 'batch_expired')).toHaveLength(2);
	});

	it('cancels a running batch; a batch that cannot be cancelled (first phase, finished) gives a clear error', async () => {
		emulator.control.configure({ batchTimings: { validatingMs: 300, inProgressMs: 60_000 } });
		const { json } = await submit(products(2));
		const early = await runError({ operation: 'cancel' }, { items: [{ json }] });
		expect(early.message).toBe(`Batch ${json.batchId} cannot be cancelled (status: validating)`);
		expect(early.description).toContain('handed to the model provider');
		await new Promise((resolve) => setTimeout(resolve, 350));
		const [cancelling] = await onBatch('cancel', json.batchId as string);
		expect(cancelling.json).toMatchObject({ batchId: json.batchId, status: expect.stringMatching(/^cancell(ing|ed)$/) });
		expect(await finished(json.batchId as string)).toMatchObject({ status: 'cancelled' });
		const late = await runError({ operation: 'cancel' }, { items: [{ json }] });
		expect(late.message).toBe(`Batch ${json.batchId} cannot be cancelled (status: cancelled)`);
		expect(late.description).toContain('already finished');
		// A 409 is an answer: it is not retried.
		expect(requests('POST', `/v1/batches/${json.batchId}/cancel`)).toHaveLength(3);
	});

	it('refuses an empty batch ID before any request', async () => {
		const error = await runError({ operation: 'getStatus', batchId: '' }, { items: [{ json: {} }] });
		expect(error.message).toBe('Batch ID is empty');
		expect(emulator.control.requests()).toEqual([]);
	});
});

describe('DigitalOcean Batch node: Get Results', () => {
	it('outputs one item per request in input order, matched by custom_id, though the file is shuffled', async () => {
		const count = 40;
		const { json } = await submit(products(count));
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string);
		expect(results.map((item) => item.json.customId)).toEqual(Array.from({ length: count }, (_, index) => `item-${index}`));
		expect(results.map((item) => item.json.content)).toEqual(Array.from({ length: count }, (_, index) => `Echo: Product ${index}`));
		expect(results[0].json).toMatchObject({ model: 'openai-gpt-4o', finishReason: 'stop', usage: expect.objectContaining({ total_tokens: expect.any(Number) }), batchId: json.batchId });
		// Without the record of where the items came from, each result pairs with the batch item.
		expect(results.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		// The output file was shuffled: its order is not the input order.
		const cdn = emulator.control.cdnRequests().filter((r) => r.path.startsWith('/signed/'));
		expect(cdn.length).toBeGreaterThan(0);
		expect(cdn.every((r) => r.headers.authorization === undefined && r.status === 200)).toBe(true);
	});

	it('pairs each result with the submitted item too, in the execution that submitted it', async () => {
		const inputSource = { executionId: '42', node: 'Products', output: 0, run: 1 };
		const { json } = await submit(products(3));
		await finished(json.batchId as string);
		const results = await run({ operation: 'getResults' }, { items: [{ json: { batchId: json.batchId, inputSource } }], executionId: '42' });
		const sourceOverwrite = { previousNode: 'Products', previousNodeOutput: 0, previousNodeRun: 1 };
		expect(results.map((item) => item.pairedItem)).toEqual([0, 1, 2].map((index) => [{ item: 0 }, { item: index, sourceOverwrite }]));
		// In another execution the record means nothing: only the batch item.
		const later = await run({ operation: 'getResults' }, { items: [{ json: { batchId: json.batchId, inputSource } }], executionId: '43' });
		expect(later.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
	});

	it('orders results of custom IDs naturally, and keeps the custom ID', async () => {
		const { json } = await submit(products(12), { ...CHAT, batchOptions: { customId: '={{ $json.sku }}' } });
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string);
		expect(results.map((item) => item.json.customId)).toEqual(Array.from({ length: 12 }, (_, index) => `sku-${index}`));
	});

	it('turns a failed line into an item with its error, in its place; with the error output it carries n8n\'s item error', async () => {
		const { json } = await submit(products(4, (index) => (index === 2 ? '__fail__' : `Product ${index}`)));
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string);
		expect(results).toHaveLength(4);
		expect(results[2].json).toEqual({ customId: 'item-2', error: expect.any(String), errorCode: expect.any(String), statusCode: 500, batchId: json.batchId });
		expect(results[2].error).toBeUndefined();
		expect(results[3].json.content).toBe('Echo: Product 3');
		// "Continue (regular output)": the same items.
		expect(await onBatch('getResults', json.batchId as string, {}, { continueOnFail: true })).toEqual(results);
		const routed = await onBatch('getResults', json.batchId as string, {}, { continueOnFail: 'errorOutput' });
		expect(routed[2].error).toBeInstanceOf(NodeOperationError);
		expect(routed[2].error!.message).toBe(`Request item-2 failed: ${results[2].json.error as string}`);
		expect(routed.filter((item) => item.error)).toHaveLength(1);
	});

	it('reads Anthropic results (and their errored lines) like the Messages node', async () => {
		const { json } = await submit(products(3, (index) => (index === 0 ? '__fail__' : `Product ${index}`)), MESSAGES);
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string);
		expect(results.map((item) => item.json.customId)).toEqual(['item-0', 'item-1', 'item-2']);
		expect(results[0].json.error).toEqual(expect.any(String));
		expect(results[1].json).toMatchObject({ text: 'Echo: Product 1', stopReason: 'end_turn', messageId: expect.any(String) });
	});

	it('reads Responses results like the Responses node', async () => {
		const { json } = await submit(products(2), RESPONSES);
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string);
		expect(results.map((item) => item.json.text)).toEqual(['Echo: Product 0', 'Echo: Product 1']);
		expect(results[0].json).toMatchObject({ status: 'completed', responseId: expect.any(String), output: 'Echo: Product 0' });
	});

	it.each([
		['spec', { batchResultsShape: 'spec' }],
		['godo (one file, failed lines inline)', { batchResultsShape: 'godo' }],
		['spec with failed lines inline', { batchErrorLines: 'inline' }],
		['godo batch and list objects', { batchObjectShape: 'godo', batchListShape: 'godo' }],
	])('gets the same results from the %s shape', async (_shape, config) => {
		emulator.control.configure(config as never);
		const { json } = await submit(products(5, (index) => (index === 3 ? '__fail__' : `Product ${index}`)));
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string);
		expect(results.map((item) => item.json.content ?? `error: ${String(item.json.error !== undefined)}`)).toEqual([
			'Echo: Product 0',
			'Echo: Product 1',
			'Echo: Product 2',
			'error: true',
			'Echo: Product 4',
		]);
	});

	it('says the batch is still running (412, or result_available false), or outputs the status when asked', async () => {
		emulator.control.configure({ batchTimings: { inProgressMs: 60_000 } });
		const { json } = await submit(products(1));
		const error = await runError({ operation: 'getResults' }, { items: [{ json }] });
		expect(error.message).toMatch(new RegExp(`^Batch ${json.batchId} is still running \\(status: (validating|in_progress)\\)$`));
		expect(error.description).toContain('Wait for Completion');
		emulator.control.configure({ batchResultsPending: 'unavailable' });
		const [status] = await onBatch('getResults', json.batchId as string, { resultsOptions: { ifNotReady: 'status' } });
		expect(status.json).toMatchObject({ batchId: json.batchId, resultsReady: false, finished: false });
	});

	it('keeps the partial results of a cancelled batch, the rest as cancelled lines', async () => {
		emulator.control.configure({ batchTimings: { validatingMs: 20, inProgressMs: 2_000 } });
		const { json } = await submit(products(20));
		await new Promise((resolve) => setTimeout(resolve, 400));
		await onBatch('cancel', json.batchId as string);
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string);
		expect(results).toHaveLength(20);
		const answered = results.filter((item) => item.json.content !== undefined);
		expect(answered.length).toBeGreaterThan(0);
		expect(answered.length).toBeLessThan(20);
		expect(results.filter((item) => item.json.error !== undefined).length).toBe(20 - answered.length);
	});

	it('outputs the raw result lines when asked', async () => {
		const { json } = await submit(products(2));
		await finished(json.batchId as string);
		const results = await onBatch('getResults', json.batchId as string, { output: 'raw' });
		expect(results.map((item) => item.json.custom_id)).toEqual(['item-0', 'item-1']);
		expect(results[0].json).toMatchObject({ response: { status_code: 200, body: { object: 'chat.completion' } }, error: null });
	});

	it('outputs the result files as binary data when asked', async () => {
		const { json } = await submit(products(3, (index) => (index === 1 ? '__fail__' : `Product ${index}`)));
		await finished(json.batchId as string);
		const [item] = await onBatch('getResults', json.batchId as string, { output: 'files' });
		const lines = (field: string) => Buffer.from(item.binary![field].data, 'base64').toString('utf8').trim().split('\n').map((line) => JSON.parse(line));
		expect(lines('data').map((line) => line.custom_id).sort()).toEqual(['item-0', 'item-2']);
		expect(lines('errors').map((line) => line.custom_id)).toEqual(['item-1']);
		expect(item.binary!.data).toMatchObject({ mimeType: 'application/jsonl', fileName: `batch-${json.batchId}-output.jsonl` });
		expect(item.json).toMatchObject({ batchId: json.batchId, outputFile: { fileName: `batch-${json.batchId}-output.jsonl` }, errorFile: { mimeType: 'application/jsonl' } });
	});

	it('refuses a result file larger than Max File Size', async () => {
		const { json } = await submit(products(3));
		await finished(json.batchId as string);
		const error = await runError({ operation: 'getResults', resultsOptions: { maxFileSize: 0.0001 } }, { items: [{ json }] });
		expect(error.message).toContain('larger than the limit');
	});
});

describe('DigitalOcean Batch node: List', () => {
	const AUTH = { authorization: `Bearer ${DEFAULT_KEY}`, 'content-type': 'application/json' };
	const post = async (path: string, body: unknown) =>
		(await (await fetch(`${emulator.url}${path}`, { method: 'POST', headers: AUTH, body: JSON.stringify(body) })).json()) as Record<string, string>;

	/** Batches made straight over HTTP (quicker than the node for many); ids newest first. */
	async function makeBatches(count: number): Promise<string[]> {
		const ids: string[] = [];
		for (let index = 0; index < count; index++) {
			const intent = await post('/v1/batches/files', { file_name: 'list.jsonl' });
			const line = { custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'openai-gpt-4o', messages: [{ role: 'user', content: `List ${index}` }] } };
			await (await fetch(intent.upload_url, { method: 'PUT', body: Buffer.from(`${JSON.stringify(line)}\n`) })).arrayBuffer();
			const batch = await post('/v1/batches', { file_id: intent.file_id, provider: 'openai', endpoint: '/v1/chat/completions', completion_window: '24h', request_id: `list-${index}` });
			ids.push(batch.batch_id);
		}
		return ids.reverse();
	}

	it.each([
		['spec', {}],
		['godo Relay', { batchListShape: 'godo', batchObjectShape: 'godo' }],
	])('pages through the %s list: all, or up to a limit', async (_shape, config) => {
		emulator.control.configure(config as never);
		const ids = await makeBatches(103);
		const all = await run({ operation: 'list', returnAll: true });
		expect(all.map((item) => item.json.batchId)).toEqual(ids);
		expect(requests('GET', '/v1/batches').map((r) => [r.query.limit, r.query.after === undefined])).toEqual([
			['100', true],
			['100', false],
		]);
		const some = await run({ operation: 'list', limit: 101 });
		expect(some.map((item) => item.json.batchId)).toEqual(ids.slice(0, 101));
		expect(requests('GET', '/v1/batches').slice(2).map((r) => r.query.limit)).toEqual(['100', '1']);
		const three = await run({ operation: 'list', limit: 3 });
		expect(three.map((item) => item.json.batchId)).toEqual(ids.slice(0, 3));
		expect(three[0].json).toMatchObject({ status: expect.any(String), provider: 'openai', requestId: 'list-102' });
	});

	it('filters by status', async () => {
		const [id] = await makeBatches(1);
		await finished(id);
		await makeBatches(1);
		const completed = await run({ operation: 'list', returnAll: true, filters: { status: 'completed' } });
		expect(completed.map((item) => item.json.batchId)).toEqual([id]);
		expect(requests('GET', '/v1/batches').at(-1)!.query.status).toBe('completed');
	});
});
