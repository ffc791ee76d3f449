/** The batch runner on its own (nodes/shared/batches.ts); the Embeddings node tests run it against the emulator. */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { runBatches, splitIntoBatches, type Batch } from '../../nodes/shared/batches';
import { createClient } from '../../nodes/shared/client';
import { CancelledError } from '../../nodes/shared/sleep';
import { DEFAULT_KEY } from '../emulator';
import { fakeExecuteContext } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const emulator = useEmulator();

function context(itemCount: number, extra: { continueOnFail?: boolean; signal?: AbortSignal } = {}) {
	return fakeExecuteContext({
		node: null,
		params: {},
		perItem: Array.from({ length: itemCount }, () => ({})),
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
	});
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const indexesOf = (batches: Array<Batch<unknown>>) => batches.map((batch) => batch.entries.map((entry) => entry.itemIndex));

describe('splitIntoBatches', () => {
	const entries = (count: number) => Array.from({ length: count }, (_, itemIndex) => ({ itemIndex, input: itemIndex }));

	it('cuts consecutive batches of at most batchSize', () => {
		expect(indexesOf(splitIntoBatches(entries(7), 3))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
		expect(indexesOf(splitIntoBatches(entries(3), 1))).toEqual([[0], [1], [2]]);
		expect(indexesOf(splitIntoBatches(entries(3), 10))).toEqual([[0, 1, 2]]);
		expect(splitIntoBatches(entries(0), 10)).toEqual([]);
	});

	it('never mixes two group keys in one batch, groups in order of their first item', () => {
		const batches = splitIntoBatches(entries(7), 2, (input) => (input % 3 === 1 ? 'b' : 'a'));
		expect(indexesOf(batches)).toEqual([[0, 2], [3, 5], [6], [1, 4]]);
		expect(batches.map((batch) => batch.index)).toEqual([0, 1, 2, 3]);
	});
});

describe('runBatches', () => {
	it('keeps input order and exact pairedItem when batches finish out of order, never more than `concurrency` in flight', async () => {
		const ctx = context(10);
		let inFlight = 0;
		let maxInFlight = 0;
		const output = await runBatches<string>(
			ctx,
			async (batch) => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				await sleep((5 - batch.index) * 15); // later batches finish first
				inFlight--;
				return batch.entries.map((entry) => [{ json: { value: entry.input } }]);
			},
			{ batchSize: 2, concurrency: 3, prepare: (i) => `text ${i}` },
		);
		expect(output.map((item) => [item.json.value, item.pairedItem])).toEqual(
			Array.from({ length: 10 }, (_, i) => [`text ${i}`, { item: i }]),
		);
		expect(maxInFlight).toBe(3);
	});

	it('prepares every item before the first batch, so bad input in item 3 sends nothing', async () => {
		const ctx = context(5);
		const handled: number[] = [];
		const error = await runBatches(
			ctx,
			async (batch) => {
				handled.push(batch.index);
				return batch.entries.map(() => [{ json: {} }]);
			},
			{
				batchSize: 1,
				prepare: (i) => {
					if (i === 2) throw new NodeOperationError(ctx.getNode(), 'The text to embed is empty');
					return i;
				},
			},
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBe(2);
		expect(handled).toEqual([]);
	});

	it('with continueOnFail leaves an item that failed to prepare out of every batch, in place as {error}', async () => {
		const ctx = context(5, { continueOnFail: true });
		const sent: number[][] = [];
		const output = await runBatches<number>(
			ctx,
			async (batch) => {
				sent.push(batch.entries.map((entry) => entry.itemIndex));
				return batch.entries.map((entry) => [{ json: { value: entry.input } }]);
			},
			{
				batchSize: 2,
				prepare: (i) => {
					if (i === 2) throw new Error('The text to embed is empty');
					return i * 10;
				},
			},
		);
		expect(sent).toEqual([[0, 1], [3, 4]]);
		expect(output).toEqual([
			{ json: { value: 0 }, pairedItem: { item: 0 } },
			{ json: { value: 10 }, pairedItem: { item: 1 } },
			{ json: { error: 'The text to embed is empty' }, pairedItem: { item: 2 } },
			{ json: { value: 30 }, pairedItem: { item: 3 } },
			{ json: { value: 40 }, pairedItem: { item: 4 } },
		]);
	});

	it('with continueOnFail gives every item of a failed batch the error, other batches unharmed', async () => {
		const ctx = context(6, { continueOnFail: true });
		const output = await runBatches(
			ctx,
			async (batch) => {
				if (batch.index === 1) throw new Error('DigitalOcean is down');
				return batch.entries.map(() => [{ json: { ok: true } }]);
			},
			{ batchSize: 2, concurrency: 2, prepare: (i) => i },
		);
		expect(output.map((item) => [item.json, item.pairedItem])).toEqual([
			[{ ok: true }, { item: 0 }],
			[{ ok: true }, { item: 1 }],
			[{ error: 'DigitalOcean is down' }, { item: 2 }],
			[{ error: 'DigitalOcean is down' }, { item: 3 }],
			[{ ok: true }, { item: 4 }],
			[{ ok: true }, { item: 5 }],
		]);
	});

	it('rethrows the first failed batch by item order with the itemIndex of its first item', async () => {
		const ctx = context(9);
		const error = await runBatches(
			ctx,
			async (batch) => {
				if (batch.index > 0) {
					await sleep(batch.index === 1 ? 80 : 10); // batch 2 fails first
					throw new Error(`boom ${batch.index}`);
				}
				return batch.entries.map(() => [{ json: {} }]);
			},
			{ batchSize: 3, concurrency: 3, prepare: (i) => i },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('boom 1');
		expect(error.context.itemIndex).toBe(3);
	});

	it('stops taking new batches after a failure without continueOnFail', async () => {
		const ctx = context(6);
		const handled: number[] = [];
		await runBatches(
			ctx,
			async (batch) => {
				handled.push(batch.index);
				throw new Error('boom');
			},
			{ batchSize: 2, prepare: (i) => i },
		).catch(() => undefined);
		expect(handled).toEqual([0]);
	});

	it('sets itemIndex on a NodeApiError from the API to the first item of its batch', async () => {
		const ctx = context(4);
		const client = await createClient(ctx, { maxRetries: 0 });
		const error = await runBatches(
			ctx,
			async (batch) => {
				const model = batch.index === 1 ? 'no-such-model' : 'llama3.3-70b-instruct';
				await client.json({ path: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: 'hi' }] } });
				return batch.entries.map(() => [{ json: {} }]);
			},
			{ batchSize: 2, prepare: (i) => i },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.context.itemIndex).toBe(2);
	});

	it('fails clearly when a handler returns a result count that does not match its batch', async () => {
		const ctx = context(3, { continueOnFail: true });
		const output = await runBatches(ctx, async () => [[{ json: {} }]], { batchSize: 3, prepare: (i) => i });
		expect(output).toHaveLength(3);
		output.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(String(item.json.error)).toMatch(/A batch of 3 items produced 1 results/);
		});
	});

	it('never swallows a cancellation of a real in-flight request, even with continueOnFail', async () => {
		emulator.control.enqueueFaults([{ kind: 'hang', path: '/v1/chat/completions' }]);
		const controller = new AbortController();
		const ctx = context(4, { continueOnFail: true, signal: controller.signal });
		const client = await createClient(ctx, { maxRetries: 0 });
		setTimeout(() => controller.abort(), 200);
		const started = Date.now();
		const error = await runBatches(
			ctx,
			async (batch) => {
				await client.json({
					path: '/v1/chat/completions',
					body: { model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: 'hi' }] },
				});
				return batch.entries.map(() => [{ json: {} }]);
			},
			{ batchSize: 2, prepare: (i) => i },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/cancelled/);
		expect(Date.now() - started).toBeLessThan(1500);
		expect(emulator.control.requests()).toHaveLength(1);
	});

	it('never swallows a cancellation thrown by a handler, even with continueOnFail', async () => {
		const ctx = context(4, { continueOnFail: true });
		const error = await runBatches(
			ctx,
			async (batch) => {
				if (batch.index === 1) throw new CancelledError();
				return batch.entries.map(() => [{ json: {} }]);
			},
			{ batchSize: 2, prepare: (i) => i },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/cancelled/);
	});

	it('returns nothing for no input items', async () => {
		const ctx = fakeExecuteContext({ node: null, params: {}, items: [], credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url } });
		const output = await runBatches(ctx, async () => [], { batchSize: 5, prepare: (i) => i });
		expect(output).toEqual([]);
	});
});
