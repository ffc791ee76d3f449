/**
 * DigitalOcean Chat in a real n8n (pinned, installed on demand outside the clone), driven by the n8n
 * CLI against the local emulator. Runs the importable workflows in examples/.
 *
 *   npm run test:e2e            (builds first; the first run installs n8n: a few minutes)
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import {
	PACKAGE_ROOT,
	cloneWorkflow,
	createN8nHome,
	ensureN8n,
	killAllN8nProcesses,
	nodeOutput,
	readExample,
	type ExecuteResult,
	type N8nHome,
} from './harness';

const CHAT_NODE = 'DigitalOcean Chat';
const CRED_TYPE = 'digitalOceanInferenceApi';
/** The credential the examples reference. */
const GOOD_CRED = { id: 'doInfCredential01', name: 'DigitalOcean Model Access Key' };
const WRONG_CRED = { id: 'doInfCredWrongKey1', name: 'DigitalOcean wrong key (e2e)' };
/** Random per run, so a leak check cannot pass by accident. */
const GOOD_KEY = `do-e2e-good-${randomBytes(12).toString('hex')}`;
const WRONG_KEY = `do-e2e-wrong-${randomBytes(12).toString('hex')}`;

const basic = readExample('chat-basic');
const vision = readExample('chat-vision');
const continueOnFail = readExample('chat-continue-on-fail');
const wrongKey = cloneWorkflow(basic, {
	id: 'doInfChatWrongKey01',
	name: 'DigitalOcean Chat: wrong key (e2e)',
	credentials: { [CRED_TYPE]: WRONG_CRED },
});

const PNG_BASE64 = (() => {
	const setImage = vision.nodes.find((n) => n.name === 'Set Image')!;
	return (setImage.parameters as any).assignments.assignments[0].value as string;
})();

const BUILT_FILES = [
	'dist/credentials/DigitalOceanInferenceApi.credentials.js',
	'dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js',
];

let emulator: Emulator | undefined;
let home: N8nHome | undefined;
/** Every execute result of this file (for the leak check). */
const executions: ExecuteResult[] = [];

/** Runs a workflow and returns its result plus the emulator requests it caused. */
async function runWorkflow(id: string) {
	const before = emulator!.control.requests().length;
	const result = await home!.executeWorkflow(id);
	executions.push(result);
	const requests = emulator!.control.requests().slice(before);
	if (!result.run) {
		throw new Error(
			`n8n printed no run JSON for ${id} (exit ${result.exitCode})\n--- stdout ---\n${result.stdout.slice(-4000)}\n--- stderr ---\n${result.stderr.slice(-4000)}`,
		);
	}
	return { result, run: result.run, requests };
}

function chatRequests(requests: ReturnType<Emulator['control']['requests']>) {
	return requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
}

beforeAll(async () => {
	const missing = BUILT_FILES.filter((f) => !fs.existsSync(path.join(PACKAGE_ROOT, f)));
	if (missing.length) {
		throw new Error(`The package is not built (missing ${missing.join(', ')}). Run \`npm run build\`, or use \`npm run test:e2e\` which builds first.`);
	}
	const install = await ensureN8n();
	emulator = await startEmulator({ port: 0, keys: [GOOD_KEY] });
	home = await createN8nHome(install);
	await home.importCredentials([
		{ ...GOOD_CRED, type: CRED_TYPE, data: { apiKey: GOOD_KEY, baseUrl: emulator.url } },
		{ ...WRONG_CRED, type: CRED_TYPE, data: { apiKey: WRONG_KEY, baseUrl: emulator.url } },
	]);
	await home.importWorkflows([basic, vision, continueOnFail, wrongKey]);
}, 15 * 60_000);

afterAll(async () => {
	home?.dispose();
	killAllN8nProcesses();
	await emulator?.close();
}, 30_000);

const RUN_TIMEOUT = 3 * 60_000;

test(
	'chat: a prompt from the previous node goes to the model and the answer comes back',
	async () => {
		const { result, run, requests } = await runWorkflow(basic.id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(result.exitCode).toBe(0);

		const items = nodeOutput(run, CHAT_NODE);
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.json).sort()).toEqual(
			['content', 'finishReason', 'model', 'reasoning', 'requestId', 'toolCalls', 'usage'].sort(),
		);
		expect(typeof item.json.content).toBe('string');
		expect(item.json.content).toContain('What is the capital of France?');
		expect(item.json.model).toEqual(expect.stringContaining('llama3.3-70b-instruct'));
		expect(item.json.finishReason).toBe('stop');
		expect(item.json.usage).toEqual(
			expect.objectContaining({
				prompt_tokens: expect.any(Number),
				completion_tokens: expect.any(Number),
				total_tokens: expect.any(Number),
			}),
		);
		expect(typeof item.json.requestId).toBe('string');
		expect(item.json.requestId.length).toBeGreaterThan(0);

		const chats = chatRequests(requests);
		expect(requests).toHaveLength(1);
		expect(chats).toHaveLength(1);
		const [req] = chats;
		expect(req.status).toBe(200);
		expect(req.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
		expect(req.headers['content-type']).toMatch(/^application\/json/);
		// Only what the user set, plus the transport's own streaming switch (the node's default).
		const { stream, stream_options, ...body } = req.body as Record<string, unknown>;
		expect(body).toEqual({
			model: 'llama3.3-70b-instruct',
			messages: [{ role: 'user', content: 'What is the capital of France? Answer in one word.' }],
		});
		if (stream !== undefined) {
			expect(stream).toBe(true);
			expect(stream_options).toEqual({ include_usage: true });
		} else {
			expect(stream_options).toBeUndefined();
		}
	},
	RUN_TIMEOUT,
);

test(
	'chat vision: a binary PNG from Convert to File is sent as an image_url data URL',
	async () => {
		const { result, run, requests } = await runWorkflow(vision.id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(result.exitCode).toBe(0);

		// The binary really went through n8n's (filesystem) binary store.
		const [file] = nodeOutput(run, 'Convert to File');
		expect(file.binary?.data).toEqual(expect.objectContaining({ mimeType: 'image/png', fileName: 'pixel.png' }));
		expect(String(file.binary?.data.id)).toMatch(/^filesystem/);

		const chats = chatRequests(requests);
		expect(chats).toHaveLength(1);
		const body = chats[0].body as { model: string; messages: Array<{ role: string; content: unknown }> };
		expect(body.model).toBe('nemotron-nano-12b-v2-vl');
		expect(body.messages).toHaveLength(1);
		const [message] = body.messages;
		expect(message.role).toBe('user');
		expect(Array.isArray(message.content)).toBe(true);
		const parts = message.content as Array<Record<string, any>>;
		expect(parts).toContainEqual({ type: 'text', text: 'Describe this image in one sentence.' });
		const images = parts.filter((p) => p.type === 'image_url');
		expect(images).toHaveLength(1);
		const url: string = images[0].image_url.url;
		expect(url.startsWith('data:image/png;base64,')).toBe(true);
		const bytes = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
		expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // PNG magic number
		expect(bytes.equals(Buffer.from(PNG_BASE64, 'base64'))).toBe(true);

		const [item] = nodeOutput(run, CHAT_NODE);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json.content).toMatch(/image/i);
	},
	RUN_TIMEOUT,
);

test(
	'chat with a wrong key: the workflow fails with a 401 that points at the Model Access Key',
	async () => {
		const { result, run, requests } = await runWorkflow(wrongKey.id);
		expect(result.exitCode).toBe(1);
		const error = run.data.resultData.error!;
		expect(error).toBeDefined();
		expect(String(error.httpCode)).toBe('401');
		expect(`${error.message} ${error.description ?? ''}`).toMatch(/Model Access Key/i);
		expect(run.data.resultData.lastNodeExecuted).toBe(CHAT_NODE);

		const chats = chatRequests(requests);
		expect(chats.length).toBeGreaterThanOrEqual(1);
		expect(chats.every((r) => r.status === 401)).toBe(true);
		expect(chats.length).toBe(1); // a 401 is not retried
		expect(chats[0].headers.authorization).toBe(`Bearer ${WRONG_KEY}`);
	},
	RUN_TIMEOUT,
);

test(
	'chat continue on fail: 3 items, the 2nd uses an unknown model → 3 outputs in order, the 2nd is {error}',
	async () => {
		const { result, run, requests } = await runWorkflow(continueOnFail.id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(result.exitCode).toBe(0);

		const items = nodeOutput(run, CHAT_NODE);
		expect(items).toHaveLength(3);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.content).toContain('Name a primary color.');
		expect(items[2].json.content).toContain('Name a planet.');
		expect(Object.keys(items[1].json)).toEqual(['error']);
		expect(typeof items[1].json.error).toBe('string');
		expect(items[1].json.error).toMatch(/model/i);
		expect(items[1].binary).toBeUndefined();

		const chats = chatRequests(requests);
		expect(chats.map((r) => (r.body as { model: string }).model)).toEqual([
			'llama3.3-70b-instruct',
			'no-such-model-e2e',
			'llama3.3-70b-instruct',
		]);
		expect(chats.map((r) => r.status)).toEqual([200, 404, 200]);
	},
	RUN_TIMEOUT,
);

test(
	'no model access key appears in run output, n8n logs or n8n files',
	async () => {
		if (executions.length === 0) await runWorkflow(basic.id); // when run alone with -t
		const leaks: string[] = [];
		for (const key of [GOOD_KEY, WRONG_KEY]) {
			for (const [i, t] of home!.transcript.entries()) {
				if (t.stdout.includes(key)) leaks.push(`stdout of n8n ${t.args.slice(1, 3).join(' ')} (#${i})`);
				if (t.stderr.includes(key)) leaks.push(`stderr of n8n ${t.args.slice(1, 3).join(' ')} (#${i})`);
			}
			for (const e of executions) {
				if (JSON.stringify(e.run ?? null).includes(key)) leaks.push(`run JSON of ${e.workflowId}`);
			}
			// Database (credentials are stored encrypted; executions must not hold the key), binary data, config.
			leaks.push(...home!.filesContaining(key));
		}
		expect(leaks).toEqual([]);
	},
	RUN_TIMEOUT,
);
