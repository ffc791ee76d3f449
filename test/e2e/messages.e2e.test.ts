/**
 * DigitalOcean Messages in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator: runs examples/messages-tool.json.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/messages
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

const MESSAGES_NODE = 'DigitalOcean Messages';
const CRED_TYPE = 'digitalOceanInferenceApi';
/** The credential the examples reference. */
const GOOD_CRED = { id: 'doInfCredential01', name: 'DigitalOcean Model Access Key' };
/** Random per run, so a leak check cannot pass by accident. */
const GOOD_KEY = `do-e2e-good-${randomBytes(12).toString('hex')}`;

const toolExample = readExample('messages-tool');

const BUILT_FILES = [
	'dist/credentials/DigitalOceanInferenceApi.credentials.js',
	'dist/nodes/DigitalOceanMessages/DigitalOceanMessages.node.js',
];

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
	await home.importWorkflows([toolExample]);
}, 15 * 60_000);

afterAll(async () => {
	home?.dispose();
	killAllN8nProcesses();
	await emulator?.close();
}, 30_000);

const RUN_TIMEOUT = 3 * 60_000;

test(
	'messages tool use: the tool definition goes out as input_schema and the tool call comes back parsed',
	async () => {
		const { result, run, requests } = await runWorkflow(toolExample.id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(result.exitCode).toBe(0);

		// The wire: one streamed POST /v1/messages with Bearer auth, anthropic-version and the tool.
		expect(requests).toHaveLength(1);
		const [req] = requests;
		expect(req.method).toBe('POST');
		expect(req.path).toBe('/v1/messages');
		expect(req.status).toBe(200);
		expect(req.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
		expect(req.headers['anthropic-version']).toBe('2023-06-01');
		const body = req.body as Record<string, any>;
		expect(body).toEqual({
			model: 'anthropic-claude-4.6-sonnet',
			max_tokens: 1024,
			system: 'You are a weather assistant. Use the tools you are given.',
			messages: [{ role: 'user', content: 'What is the weather in Paris right now? Use get_weather to find out.' }],
			tools: [
				{
					name: 'get_weather',
					description: 'Get the current weather for a city',
					input_schema: {
						type: 'object',
						properties: { city: { type: 'string', description: 'City name, e.g. Paris' } },
						required: ['city'],
					},
				},
			],
			stream: true,
		});
		expect(body.tools[0].input_schema).toBeDefined();
		expect(body.tools[0].parameters).toBeUndefined();

		// The output: a tool use with its input parsed to an object, and stop reason tool_use.
		const items = nodeOutput(run, MESSAGES_NODE);
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.json).sort()).toEqual(
			['messageId', 'model', 'requestId', 'stopReason', 'text', 'thinking', 'toolUses', 'usage'].sort(),
		);
		expect(item.json.stopReason).toBe('tool_use');
		expect(item.json.model).toBe('anthropic-claude-4.6-sonnet');
		expect(item.json.toolUses).toHaveLength(1);
		const [toolUse] = item.json.toolUses;
		expect(toolUse.name).toBe('get_weather');
		expect(typeof toolUse.id).toBe('string');
		expect(toolUse.id.length).toBeGreaterThan(0);
		expect(typeof toolUse.input).toBe('object');
		expect(typeof toolUse.input.city).toBe('string');
		expect(item.json.usage).toEqual(
			expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) }),
		);
		expect(typeof item.json.requestId).toBe('string');
	},
	RUN_TIMEOUT,
);

test(
	'no model access key appears in run output, n8n logs or n8n files',
	async () => {
		if (executions.length === 0) await runWorkflow(toolExample.id); // when run alone with -t
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
