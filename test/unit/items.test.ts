import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { createClient } from '../../nodes/shared/client';
import { runItems } from '../../nodes/shared/items';
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

describe('runItems', () => {
	it('reuseValidated: each item is built once when small; a big one is rebuilt; none kept with continueOnFail', async () => {
		const builds: number[] = [];
		const build = async (i: number) => {
			builds.push(i);
			// Item 1 stands for a request with a big inline image.
			return { i, text: i === 1 ? 'x'.repeat(300 * 1024) : `item ${i}` };
		};
		const seen: Array<number | undefined> = [];
		const handler = async (i: number, validated?: { i: number }) => {
			seen.push(validated?.i);
			const request = validated ?? (await build(i));
			return [{ json: { i: request.i } }];
		};
		const output = await runItems(context(3), handler, { validate: build, reuseValidated: true });
		expect(output.map((item) => item.json.i)).toEqual([0, 1, 2]);
		expect(seen).toEqual([0, undefined, 2]);
		expect(builds).toEqual([0, 1, 2, 1]);

		// Without the option every item is built twice (validate, then the handler), as before.
		builds.length = 0;
		await runItems(context(3), handler, { validate: build });
		expect(builds).toEqual([0, 1, 2, 0, 1, 2]);

		// continueOnFail skips the up-front check, so the handler builds each item itself.
		builds.length = 0;
		seen.length = 0;
		await runItems(context(3, { continueOnFail: true }), handler, { validate: build, reuseValidated: true });
		expect(seen).toEqual([undefined, undefined, undefined]);
		expect(builds).toEqual([0, 1, 2]);
	});

	it('keeps input order and exact pairedItem with concurrency 4 over 20 items, never more than 4 in flight', async () => {
		emulator.control.configure({ latencyMs: 60 });
		const ctx = context(20);
		const client = await createClient(ctx, { maxRetries: 0 });
		const output = await runItems(
			ctx,
			async (i) => {
				// Later items answer faster (fewer tokens) so completion order differs from input order.
				const reply = await client.json<{ choices: Array<{ message: { content: string } }> }>({
					path: '/v1/chat/completions',
					body: { model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: `item ${i}` }] },
				});
				return [{ json: { i, content: reply.data.choices[0].message.content } }];
			},
			{ concurrency: 4 },
		);
		expect(output).toHaveLength(20);
		output.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.i).toBe(i);
			expect(String(item.json.content)).toContain(`item ${i}`);
		});
		const stats = emulator.control.stats();
		expect(stats.total).toBe(20);
		expect(stats.maxInFlight).toBeLessThanOrEqual(4);
		expect(stats.maxInFlight).toBeGreaterThanOrEqual(2);
	});

	it('keeps order when items finish out of order', async () => {
		const ctx = context(5);
		const output = await runItems(
			ctx,
			async (i) => {
				await new Promise((resolve) => setTimeout(resolve, (5 - i) * 20));
				return [{ json: { i } }, { json: { i, second: true } }];
			},
			{ concurrency: 5 },
		);
		expect(output.map((item) => [item.json.i, item.pairedItem])).toEqual(
			[0, 0, 1, 1, 2, 2, 3, 3, 4, 4].map((i) => [i, { item: i }]),
		);
	});

	it('turns a failed item into {json:{error}, pairedItem} with continueOnFail, other items unharmed', async () => {
		const ctx = context(3, { continueOnFail: true });
		const output = await runItems(ctx, async (i) => {
			if (i === 1) throw new NodeOperationError(ctx.getNode(), 'The prompt is empty', { itemIndex: i });
			return [{ json: { ok: i } }];
		});
		expect(output).toEqual([
			{ json: { ok: 0 }, pairedItem: { item: 0 } },
			{ json: { error: 'The prompt is empty' }, pairedItem: { item: 1 } },
			{ json: { ok: 2 }, pairedItem: { item: 2 } },
		]);
	});

	it('rethrows the first failure by item order with its itemIndex', async () => {
		const ctx = context(6);
		const error = await runItems(
			ctx,
			async (i) => {
				if (i === 2 || i === 4) {
					await new Promise((resolve) => setTimeout(resolve, i === 2 ? 80 : 10));
					throw new Error(`boom ${i}`);
				}
				return [{ json: {} }];
			},
			{ concurrency: 6 },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('boom 2');
		expect(error.context.itemIndex).toBe(2);
	});

	it('sets itemIndex on a rethrown NodeApiError from the API', async () => {
		const ctx = context(2);
		const client = await createClient(ctx, { maxRetries: 0 });
		const error = await runItems(ctx, async (i) => {
			const model = i === 1 ? 'no-such-model' : 'llama3.3-70b-instruct';
			await client.json({ path: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: 'hi' }] } });
			return [{ json: {} }];
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(error.context.itemIndex).toBe(1);
	});

	it('an API error item names the HTTP status, the fix and DigitalOcean request id (not just the message)', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 401, bodyIncludes: 'item 1' },
			{ kind: 'status', status: 503, bodyIncludes: 'item 2' },
		]);
		const ctx = context(3, { continueOnFail: true });
		const client = await createClient(ctx, { maxRetries: 0 });
		const output = await runItems(ctx, async (i) => {
			await client.json({
				path: '/v1/chat/completions',
				body: { model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: `item ${i}` }] },
			});
			return [{ json: { ok: i } }];
		});
		const [, unauthorized, unavailable] = emulator.control.requests();
		expect(output.map((item) => Object.keys(item.json))).toEqual([['ok'], ['error'], ['error']]);
		expect(output[1].json.error).toMatch(
			new RegExp(`^Authorization failed – check your Model Access Key \\(HTTP 401\\)\\. Create or copy a Model Access Key .* Request ID: ${unauthorized.id}$`),
		);
		// The status is named once, where the message already has it.
		expect(output[2].json.error).toMatch(new RegExp(`^DigitalOcean Serverless Inference had a temporary problem \\(HTTP 503\\)\\. This is usually transient.* Request ID: ${unavailable.id}$`));
		expect(String(output[2].json.error).match(/HTTP 503/g)).toHaveLength(1);
	});

	it('never swallows a cancellation of a real in-flight request, even with continueOnFail', async () => {
		emulator.control.enqueueFaults([{ kind: 'hang', path: '/v1/chat/completions' }]);
		const controller = new AbortController();
		const ctx = context(3, { continueOnFail: true, signal: controller.signal });
		const client = await createClient(ctx, { maxRetries: 0 });
		setTimeout(() => controller.abort(), 200);
		const started = Date.now();
		const error = await runItems(ctx, async () => {
			await client.json({
				path: '/v1/chat/completions',
				body: { model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: 'hi' }] },
			});
			return [{ json: {} }];
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/cancelled/);
		expect(Date.now() - started).toBeLessThan(1500);
		expect(emulator.control.requests()).toHaveLength(1);
	});

	it('never swallows a cancellation, even with continueOnFail', async () => {
		const controller = new AbortController();
		const ctx = context(3, { continueOnFail: true, signal: controller.signal });
		const error = await runItems(ctx, async (i) => {
			if (i === 1) {
				controller.abort();
				throw new CancelledError();
			}
			return [{ json: {} }];
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/cancelled/);
	});
});
