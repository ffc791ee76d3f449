/**
 * DigitalOcean Responses in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator: runs examples/responses-two-turn.json, where the second node
 * continues the first one's stored response through `previous_response_id`.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/responses
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import {
	PACKAGE_ROOT,
	createN8nHome,
	ensureN8n,
	killAllN8nProcesses,
	nodeOutput,
	readExample,
	type ExecuteResult,
	type N8nHome,
} from './harness';

const FIRST = 'First Turn';
const SECOND = 'Second Turn';
const CRED_TYPE = 'digitalOceanInferenceApi';
/** The credential the examples reference. */
const GOOD_CRED = { id: 'doInfCredential01', name: 'DigitalOcean Model Access Key' };
/** Random per run, so a leak check cannot pass by accident. */
const GOOD_KEY = `do-e2e-good-${randomBytes(12).toString('hex')}`;

const twoTurn = readExample('responses-two-turn');

const BUILT_FILES = [
	'dist/credentials/DigitalOceanInferenceApi.credentials.js',
	'dist/nodes/DigitalOceanResponses/DigitalOceanResponses.node.js',
];

const OUTPUT_KEYS = ['builtInToolCalls', 'functionCalls', 'model', 'reasoning', 'requestId', 'responseId', 'status', 'text', 'usage'];

let emulator: Emulator | undefined;
let home: N8nHome | undefined;
const executions: ExecuteResult[] = [];

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

beforeAll(async () => {
	const missing = BUILT_FILES.filter((f) => !fs.existsSync(path.join(PACKAGE_ROOT, f)));
	if (missing.length) {
		throw new Error(`The package is not built (missing ${missing.join(', ')}). Run \`npm run build\`, or use \`npm run test:e2e\` which builds first.`);
	}
	const install = await ensureN8n();
	emulator = await startEmulator({ port: 0, keys: [GOOD_KEY] });
	home = await createN8nHome(install);
	await home.importCredentials([{ ...GOOD_CRED, type: CRED_TYPE, data: { apiKey: GOOD_KEY, baseUrl: emulator.url } }]);
	await home.importWorkflows([twoTurn]);
}, 15 * 60_000);

afterAll(async () => {
	home?.dispose();
	killAllN8nProcesses();
	await emulator?.close();
}, 30_000);

const RUN_TIMEOUT = 3 * 60_000;

/** Runs the example and checks the chain end to end; returns both answers. */
async function runChain() {
	const { result, run, requests } = await runWorkflow(twoTurn.id);
	expect(run.data.resultData.error).toBeUndefined();
	expect(result.exitCode).toBe(0);

	const [first] = nodeOutput(run, FIRST);
	const [second] = nodeOutput(run, SECOND);
	for (const item of [first, second]) {
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.json).sort()).toEqual(OUTPUT_KEYS);
		expect(item.json).toMatchObject({ status: 'completed', model: 'openai-gpt-oss-20b', functionCalls: [], builtInToolCalls: [] });
		// openai-gpt-oss-20b is a reasoning model: its trace and reasoning tokens come through.
		expect(item.json.reasoning).toEqual(expect.any(String));
		expect(item.json.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
		expect(item.json.requestId).toEqual(expect.any(String));
	}
	expect(first.json.text).toBe('Echo: My name is Ada and my favourite colour is teal.');
	expect(first.json.responseId).toEqual(expect.stringMatching(/\S/));
	expect(second.json.responseId).not.toBe(first.json.responseId);

	// Exactly two requests: the first stores, the second continues exactly the first response.
	const posts = requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
	expect(requests).toHaveLength(2);
	expect(posts.map((r) => r.status)).toEqual([200, 200]);
	for (const request of posts) expect(request.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
	const [firstBody, secondBody] = posts.map((r) => r.body as Record<string, unknown>);
	expect(firstBody).toEqual({
		model: 'openai-gpt-oss-20b',
		input: 'My name is Ada and my favourite colour is teal.',
		instructions: 'Answer in one short sentence.',
		store: true,
		stream: true,
		stream_options: { include_usage: true },
	});
	expect(secondBody).toEqual({
		model: 'openai-gpt-oss-20b',
		input: 'What is my favourite colour?',
		instructions: 'Answer in one short sentence.',
		store: true,
		previous_response_id: first.json.responseId,
		stream: true,
		stream_options: { include_usage: true },
	});
	// The emulator quotes the stored turn the second request continued from: the chain reached the model.
	expect(second.json.text).toBe(
		'Echo: What is my favourite colour? (previous turn: "Echo: My name is Ada and my favourite colour is teal.")',
	);
	return { first, second };
}

test(
	'responses two-turn: the second node continues the first stored response via previous_response_id',
	async () => {
		emulator!.control.configure({ responsesStreamFormat: 'events' });
		await runChain();
	},
	RUN_TIMEOUT,
);

test(
	'responses two-turn with the response.chunk stream format: the same chain and answers',
	async () => {
		emulator!.control.configure({ responsesStreamFormat: 'chunks' });
		try {
			await runChain();
		} finally {
			emulator!.control.configure({ responsesStreamFormat: 'events' });
		}
	},
	RUN_TIMEOUT,
);

test(
	'no model access key appears in run output, n8n logs or n8n files',
	async () => {
		if (executions.length === 0) await runWorkflow(twoTurn.id); // when run alone with -t
		const leaks: string[] = [];
		for (const [i, t] of home!.transcript.entries()) {
			if (t.stdout.includes(GOOD_KEY)) leaks.push(`stdout of n8n ${t.args.slice(1, 3).join(' ')} (#${i})`);
			if (t.stderr.includes(GOOD_KEY)) leaks.push(`stderr of n8n ${t.args.slice(1, 3).join(' ')} (#${i})`);
		}
		for (const e of executions) {
			if (JSON.stringify(e.run ?? null).includes(GOOD_KEY)) leaks.push(`run JSON of ${e.workflowId}`);
		}
		leaks.push(...home!.filesContaining(GOOD_KEY));
		expect(leaks).toEqual([]);
	},
	RUN_TIMEOUT,
);
