/**
 * Feature detection for older n8n: everything the nodes take from n8n's context that not every
 * version has is looked up, never assumed. `noCancelSignal` simulates an n8n whose execute context
 * has no getExecutionCancelSignal(): the nodes must then behave exactly as with one that is never
 * aborted (requests, retries with their waits, job polling and binary downloads all still work).
 * The e2e suite runs the same nodes in real n8n 2.41.1 and 2.8.4 (npm run test:e2e / test:e2e:n8n-2.8).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { IExecuteFunctions } from 'n8n-workflow';

import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DigitalOceanVideo } from '../../nodes/DigitalOceanVideo/DigitalOceanVideo.node';
import { cancelSignalOf } from '../../nodes/shared/client';
import { DEFAULT_KEY, isMp4 } from '../emulator';
import { fakeExecuteContext, fakeLoadOptionsContext } from './helpers/fakeContext';
import { nodeRunner } from './helpers/runNode';
import { useEmulator } from './helpers/useEmulator';

const CHAT = '/v1/chat/completions';
const model = (value: string) => ({ __rl: true, mode: 'id', value });

const emulator = useEmulator();

const chat = nodeRunner(() => new DigitalOceanChat(), { model: model('llama3.3-70b-instruct') }, emulator);
const video = nodeRunner(
	() => new DigitalOceanVideo(),
	{ model: model('wan2.2-t2v-a14b'), prompt: 'A paper boat', waitTimeout: 30 },
	emulator,
);
const credentials = { apiKey: DEFAULT_KEY, baseUrl: 'http://127.0.0.1:1' };

describe('cancelSignalOf (feature detection of getExecutionCancelSignal)', () => {
	it("is the execution's signal when n8n provides one", () => {
		const controller = new AbortController();
		const ctx = fakeExecuteContext({ node: null, params: {}, credentials, signal: controller.signal });
		expect(cancelSignalOf(ctx)).toBe(controller.signal);
	});

	it('is undefined on an n8n without the method, and in load-options contexts (model lists)', () => {
		const ctx = fakeExecuteContext({ node: null, params: {}, credentials, noCancelSignal: true });
		expect('getExecutionCancelSignal' in ctx).toBe(false);
		expect(cancelSignalOf(ctx)).toBeUndefined();
		expect(cancelSignalOf(fakeLoadOptionsContext(credentials))).toBeUndefined();
	});

	it('is undefined when the method exists but returns nothing, and ignores a non-function property', () => {
		expect(cancelSignalOf(fakeExecuteContext({ node: null, params: {}, credentials }))).toBeUndefined();
		const odd = { ...fakeExecuteContext({ node: null, params: {}, credentials, noCancelSignal: true }), getExecutionCancelSignal: 'no' };
		expect(cancelSignalOf(odd as unknown as IExecuteFunctions)).toBeUndefined();
	});
});

describe('nodes on an n8n without getExecutionCancelSignal', () => {
	it('Chat gives the same output as with a signal, for several items in parallel', async () => {
		const prompts = ['one', 'two', 'three'].map((word) => ({ prompt: `Say ${word}` }));
		const opts = { requestOptions: { concurrency: 3 } };
		const withSignal = await chat.run(opts, { perItem: prompts, signal: new AbortController().signal });
		const without = await chat.run(opts, { perItem: prompts, noCancelSignal: true });
		const strip = (items: typeof without) => items.map((item) => ({ ...item, json: { ...item.json, requestId: 'x' } }));
		expect(strip(without)).toEqual(strip(withSignal));
		expect(without.map((item) => item.json.content)).toEqual(prompts.map((p) => expect.stringContaining(p.prompt)));
		expect(without.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('Chat still waits out a 429 (retry-after) and succeeds', async () => {
		emulator.control.enqueueFaults([{ kind: 'status', status: 429, headers: { 'retry-after': '1' }, path: CHAT }]);
		const started = Date.now();
		const [item] = await chat.run({ prompt: 'Hello' }, { noCancelSignal: true });
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
		expect(item.json.content).toEqual(expect.stringContaining('Hello'));
		const statuses = emulator.control.requests().filter((r) => r.path === CHAT).map((r) => r.status);
		expect(statuses).toEqual([429, 200]);
	});

	it('Video polls its job to the end and streams the MP4 into binary', async () => {
		emulator.control.configure({ videoTimings: { queuedMs: 50, processingMs: 250 } });
		const [item, ...rest] = await video.run({}, { noCancelSignal: true });
		expect(rest).toEqual([]);
		expect(item.json).toMatchObject({ status: 'completed', done: true, fileName: 'video.mp4', mimeType: 'video/mp4' });
		expect(isMp4(Buffer.from(item.binary!.data.data, 'base64'))).toBe(true);
	});
});

describe('n8n before 2.16, which has no AI node SDK', () => {
	/** Every .ts file under `dir`. */
	const sources = (dir: string): string[] =>
		fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
			const file = path.join(dir, entry.name);
			return entry.isDirectory() ? sources(file) : entry.name.endsWith('.ts') ? [file] : [];
		});

	it('no node loads @n8n/ai-node-sdk when n8n loads the package: type imports only, and one import() inside supplyData', () => {
		const root = path.resolve(__dirname, '..', '..');
		const uses = sources(path.join(root, 'nodes')).flatMap((file) =>
			fs
				.readFileSync(file, 'utf8')
				.split('\n')
				.filter((line) => line.includes("'@n8n/ai-node-sdk'") && !/^import type .* from '@n8n\/ai-node-sdk';$/.test(line))
				.map((line) => `${path.relative(root, file)}: ${line.trim()}`),
		);
		// n8n loads a package's node files without catching errors: a top-level import would take every node down.
		expect(uses).toEqual([
			"nodes/DigitalOceanChatModel/aiNodeSdk.ts: export type AiNodeSdk = typeof import('@n8n/ai-node-sdk');",
			"nodes/DigitalOceanChatModel/aiNodeSdk.ts: const SDK = '@n8n/ai-node-sdk';",
			"nodes/DigitalOceanChatModel/aiNodeSdk.ts: return await import('@n8n/ai-node-sdk');",
		]);
	});
});
