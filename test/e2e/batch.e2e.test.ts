/**
 * DigitalOcean Batch in a real n8n (pinned, installed on demand outside the clone), driven by the n8n
 * CLI against the local emulator:
 * - examples/batch-nightly-submit.json: 500 products → one batch (one create, the file uploaded to the
 *   presigned host without the key); re-run the same night → the same batch, nothing new.
 * - examples/batch-collect-results.json: lists completed batches, lets each through once (Remove
 *   Duplicates across executions), writes the 500 answers as a CSV in SKU order.
 * - examples/batch-submit-poll.json: Submit → Wait loop → Get Results: 500 items in input order, each
 *   paired with its product so `$('Products').item` in the next node is that product.
 * - Submit → Wait for Completion → Get Results with one failing request and "On Error: Continue (using
 *   error output)": 499 answers, the failed line on the error output.
 * - A create whose answer is cut after DigitalOcean made the batch: the run fails, the re-run returns
 *   that batch (the emulator holds one).
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/batch
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { keyFingerprint, type LoggedRequest } from '../emulator';
import { cloneWorkflow, nodeOutput, readExample, type NodeOutputItem, type WorkflowJson } from './harness';
import { expectCleanExit, postsTo, RUN_TIMEOUT, testNoKeyLeak, useN8nWithEmulator } from './setup';

const PRODUCTS = 500;
const CREATE = '/v1/batches';
const FILES = '/v1/batches/files';
const MANUAL = 'When clicking ‘Execute workflow’';

const nightly = readExample('batch-nightly-submit');
const collect = readExample('batch-collect-results');
const poll = readExample('batch-submit-poll');

function nodeOf(wf: WorkflowJson, name: string): WorkflowJson['nodes'][number] {
	const node = wf.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`${wf.id} has no node "${name}"`);
	return node;
}

const sku = (index: number) => `SKU-${String(index + 1).padStart(4, '0')}`;

/** The collector, writing below the test home's ~/.n8n-files (n8n's default file access root) instead of /home/node. */
const collectHere = cloneWorkflow(collect, { id: 'doInfBatchCollect02', name: 'DigitalOcean Batch: collect (e2e paths)' });
nodeOf(collectHere, 'Write CSV').parameters!.fileName = "={{ '.n8n-files/' + $binary.data.fileName }}";

/** Nightly without retries: a cut create answer fails the run, as a dropped connection would. */
const nightlyNoRetry = cloneWorkflow(nightly, { id: 'doInfBatchNoRetry01', name: 'DigitalOcean Batch: nightly without retries (e2e)' });
nodeOf(nightlyNoRetry, 'Submit Descriptions').parameters!.requestOptions = { maxRetries: 0 };

/** Submit → Wait for Completion (in the node) → Get Results with an error output; SKU-0042's request fails. */
const FAILING = 41;
const waitInNode = cloneWorkflow(poll, { id: 'doInfBatchWaitFail01', name: 'DigitalOcean Batch: wait in the node, one failed request (e2e)' });
{
	const keep = new Set([MANUAL, 'Product List', 'Products', 'Submit', 'Get Results', 'Description per Product']);
	waitInNode.nodes = waitInNode.nodes.filter((node) => keep.has(node.name));
	const submit = nodeOf(waitInNode, 'Submit');
	submit.parameters!.prompt = `={{ $json.sku === '${sku(FAILING)}' ? '__fail__' : 'Describe ' + $json.name }}`;
	const results = nodeOf(waitInNode, 'Get Results');
	results.onError = 'continueErrorOutput';
	waitInNode.nodes.push(
		{
			parameters: { operation: 'waitForCompletion', batchId: '={{ $json.batchId }}', waitTimeout: 120, pollInterval: 2 },
			id: 'e2e-wait-for-completion',
			name: 'Wait for Completion',
			type: submit.type,
			typeVersion: 1,
			position: [620, 80],
			credentials: submit.credentials,
		},
		{
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{ id: 'e2e-failed-sku', name: 'sku', value: "={{ $('Products').item.json.sku }}", type: 'string' },
						{ id: 'e2e-failed-error', name: 'error', value: '={{ $json.error }}', type: 'string' },
					],
				},
				options: {},
			},
			id: 'e2e-failed-requests',
			name: 'Failed Requests',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [1500, 160],
		},
	);
	const main = (...groups: string[][]) => ({ main: groups.map((group) => group.map((node) => ({ node, type: 'main', index: 0 }))) });
	waitInNode.connections = {
		[MANUAL]: main(['Product List']),
		'Product List': main(['Products']),
		Products: main(['Submit']),
		Submit: main(['Wait for Completion']),
		'Wait for Completion': main(['Get Results']),
		'Get Results': main(['Description per Product'], ['Failed Requests']),
	};
}

const setup = useN8nWithEmulator({
	workflows: [nightly, collectHere, poll, nightlyNoRetry, waitInNode],
	builtFiles: ['dist/nodes/DigitalOceanBatch/DigitalOceanBatch.node.js'],
});

/** A clean emulator (request log, CDN log, batches) with quick batch phases. */
function freshEmulator(): void {
	setup.emulator.control.reset();
	setup.emulator.control.configure({ batchTimings: { validatingMs: 200, inProgressMs: 800, finalizingMs: 200 } });
}

/** Polls the emulator until the batch has finished. */
async function finished(batchId: string): Promise<void> {
	for (let attempt = 0; attempt < 300; attempt++) {
		const res = await fetch(`${setup.emulator.url}/v1/batches/${batchId}`, { headers: { authorization: `Bearer ${setup.modelKey}` } });
		const batch = (await res.json()) as { status: string };
		if (['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`batch ${batchId} did not finish`);
}

/** The presigned host never got the key: every upload and download there went without Authorization. */
function expectNoKeyOnCdn(): void {
	const cdn = setup.emulator.control.cdnRequests();
	expect(cdn.length).toBeGreaterThan(0);
	for (const request of cdn) {
		expect(request.headers.authorization).toBeUndefined();
		expect(JSON.stringify(request.headers)).not.toContain(setup.modelKey);
	}
}

/** One create request and one batch with the given lines (the emulator's record), authorized with the key. */
function expectOneBatch(requests: LoggedRequest[], lines: number) {
	const [create, ...more] = postsTo(requests, CREATE);
	expect(more).toEqual([]);
	expect(create.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
	const batches = setup.emulator.control.batches();
	expect(batches).toHaveLength(1);
	expect(batches[0]).toMatchObject({ lines, key: keyFingerprint(setup.modelKey), provider: 'openai', endpoint: '/v1/chat/completions' });
	return { create, batch: batches[0] };
}

const pairedTo = (item: NodeOutputItem) => item.pairedItem as Array<{ item: number; sourceOverwrite?: Record<string, unknown> }>;

test(
	'nightly example: 500 products become one batch, uploaded without the key; the same night again submits nothing new',
	async () => {
		freshEmulator();
		const { result, run, requests } = await setup.run(nightly.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const { create, batch } = expectOneBatch(requests, PRODUCTS);
		expect(create.body).toEqual({
			file_id: expect.any(String),
			provider: 'openai',
			endpoint: '/v1/chat/completions',
			completion_window: '24h',
			request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			metadata: { workflow: 'nightly-product-descriptions' },
		});
		expect(postsTo(requests, FILES)).toHaveLength(1);
		const uploads = setup.emulator.control.cdnRequests().filter((r) => r.path.startsWith('/uploads/'));
		expect(uploads.map((r) => r.status)).toEqual([200]);
		expectNoKeyOnCdn();

		const [item, ...more] = nodeOutput(run, 'Submit Descriptions');
		expect(more).toEqual([]);
		expect(item.json).toMatchObject({
			batchId: batch.id,
			status: 'validating',
			requestId: (create.body as { request_id: string }).request_id,
			lines: PRODUCTS,
			reused: false,
			metadata: { workflow: 'nightly-product-descriptions' },
			inputSource: { node: 'Products', output: 0, run: 0 },
		});
		expect(pairedTo(item)).toHaveLength(PRODUCTS);
		expect(pairedTo(item).every((paired, index) => paired.item === index)).toBe(true);

		const again = await setup.run(nightly.id);
		expectCleanExit(again.result);
		const [same] = nodeOutput(again.run, 'Submit Descriptions');
		expect(same.json).toMatchObject({ batchId: batch.id, reused: true });
		expect(setup.emulator.control.batches()).toEqual([expect.objectContaining({ id: batch.id, creates: 2 })]);
	},
	RUN_TIMEOUT,
);

test(
	'collect example: writes the finished batch as a CSV in SKU order, once',
	async () => {
		const [batch] = setup.emulator.control.batches();
		expect(batch).toBeDefined(); // submitted by the nightly test
		await finished(batch.id);
		fs.mkdirSync(path.join(setup.home.folder, '.n8n-files'), { recursive: true });

		const { result, run, requests } = await setup.run(collectHere.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);
		expect(requests.filter((r) => r.method === 'GET' && r.path === CREATE).map((r) => r.query)).toEqual([{ limit: '20', status: 'completed' }]);
		const results = nodeOutput(run, 'Get Results');
		expect(results.map((item) => item.json.customId)).toEqual(Array.from({ length: PRODUCTS }, (_, index) => sku(index)));
		expect(results.every((item) => typeof item.json.content === 'string' && item.json.content.startsWith('Echo: Write a product description'))).toBe(true);

		const [written] = nodeOutput(run, 'Write CSV');
		const file = path.join(setup.home.folder, '.n8n-files', written.binary!.data.fileName as string);
		const rows = fs.readFileSync(file, 'utf8').trim().split('\n');
		expect(rows[0]).toBe('sku,description,error,batchId');
		expect(rows).toHaveLength(PRODUCTS + 1);
		expect(rows[1].startsWith(`${sku(0)},`)).toBe(true);
		expect(rows[PRODUCTS].startsWith(`${sku(PRODUCTS - 1)},`)).toBe(true);
		expectNoKeyOnCdn();

		// Every 30 minutes the same batch is listed again: it is not written twice.
		const again = await setup.run(collectHere.id);
		expectCleanExit(again.result);
		expect(nodeOutput(again.run, 'Not Written Yet')).toEqual([]);
		expect(again.run.data.resultData.runData['Get Results']).toBeUndefined();
		expect(again.requests.filter((r) => r.path.endsWith('/results'))).toEqual([]);
	},
	RUN_TIMEOUT,
);

test(
	'submit-poll example: the Wait loop ends with 500 results in input order, each paired with its product',
	async () => {
		freshEmulator();
		const { result, run, requests } = await setup.run(poll.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);
		expectOneBatch(requests, PRODUCTS);

		const results = nodeOutput(run, 'Get Results');
		expect(results).toHaveLength(PRODUCTS);
		const sourceOverwrite = { previousNode: 'Products', previousNodeOutput: 0, previousNodeRun: 0 };
		results.forEach((item, index) => {
			expect(item.json.customId).toBe(`item-${index}`);
			expect(pairedTo(item)).toEqual([{ item: 0 }, { item: index, sourceOverwrite }]);
		});
		// n8n resolved $('Products').item of each result to the product it was submitted for.
		const products = nodeOutput(run, 'Products');
		const described = nodeOutput(run, 'Description per Product');
		expect(described).toHaveLength(PRODUCTS);
		described.forEach((item, index) => {
			expect(item.json.sku).toBe(sku(index));
			expect(item.json.name).toBe(products[index].json.name);
			expect(item.json.description).toContain(`"${products[index].json.name as string}"`);
		});
		expect(run.data.resultData.runData['Get Status'].length).toBeGreaterThanOrEqual(1);
		expectNoKeyOnCdn();
	},
	RUN_TIMEOUT,
);

test(
	'Wait for Completion in the node; a failed request becomes an item on the error output, the 499 others stay in order',
	async () => {
		freshEmulator();
		const { result, run, requests } = await setup.run(waitInNode.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);
		expectOneBatch(requests, PRODUCTS);

		const [waited] = nodeOutput(run, 'Wait for Completion');
		expect(waited.json).toMatchObject({ status: 'completed', finished: true, timedOut: false, requestCounts: { total: PRODUCTS, completed: PRODUCTS - 1, failed: 1 } });
		const answers = nodeOutput(run, 'Get Results', 0);
		const failed = nodeOutput(run, 'Get Results', 1);
		expect(answers.map((item) => item.json.customId)).toEqual(
			Array.from({ length: PRODUCTS }, (_, index) => `item-${index}`).filter((id) => id !== `item-${FAILING}`),
		);
		// On the error output n8n keeps only the error's message as json; the pairing still leads to the product.
		expect(failed).toHaveLength(1);
		expect(failed[0].json).toEqual({ error: expect.stringMatching(new RegExp(`^Request item-${FAILING} failed: .+`)) });
		expect(pairedTo(failed[0])).toEqual([{ item: 0 }, { item: FAILING, sourceOverwrite: { previousNode: 'Products', previousNodeOutput: 0, previousNodeRun: 0 } }]);
		expect(nodeOutput(run, 'Failed Requests').map((item) => item.json)).toEqual([{ sku: sku(FAILING), error: failed[0].json.error }]);
		const described = nodeOutput(run, 'Description per Product');
		expect(described.map((item) => item.json.sku)).toEqual(Array.from({ length: PRODUCTS }, (_, index) => sku(index)).filter((id) => id !== sku(FAILING)));
	},
	RUN_TIMEOUT,
);

test(
	'a create cut after DigitalOcean made the batch: the run fails, and running it again returns that batch, no second one',
	async () => {
		freshEmulator();
		setup.emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CREATE }]);
		const failed = await setup.run(nightlyNoRetry.id);
		expect(failed.result.exitCode).not.toBe(0);
		expect(failed.run.data.resultData.error?.message).toBeDefined();
		expect(postsTo(failed.requests, CREATE)).toHaveLength(1);
		expect(setup.emulator.control.batches()).toHaveLength(1);

		const again = await setup.run(nightlyNoRetry.id);
		expectCleanExit(again.result);
		const [item] = nodeOutput(again.run, 'Submit Descriptions');
		expect(item.json.batchId).toBe(setup.emulator.control.batches()[0].id);
		expect(setup.emulator.control.batches()).toEqual([expect.objectContaining({ lines: PRODUCTS, creates: 2 })]);
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, nightly.id);
