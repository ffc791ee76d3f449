/**
 * Streaming to the caller in a real n8n server (`n8n start`, pinned n8n, installed on demand outside the
 * clone) against the local emulator, whose streams send one event every CHUNK_DELAY_MS. Published
 * workflows are called over HTTP and their responses read as they arrive:
 *
 * - examples/chat-streaming.json: a Chat Trigger in Streaming response mode (its public chat URL, as
 *   n8n's chat widget calls it) → DigitalOcean Chat. The answer's text arrives in several `item` chunks,
 *   CHUNK_DELAY_MS apart and well before the `end`; they join into the node's `output`.
 * - the same chat with the Chat Trigger's "Last Node" response mode: the reply is the node's `output`.
 * - a Webhook with Response Mode "Streaming" → DigitalOcean Responses: the same, for the Responses node.
 * - a Webhook in streaming mode → n8n's AI Agent calling DigitalOcean Chat as a tool: only the agent
 *   streams; the tool's answer goes to the agent, not to the caller.
 *
 * n8n writes each chunk as one JSON line: `{"type":"begin"|"item"|"end", "content"?, "metadata":
 * {nodeId, nodeName, itemIndex, runIndex, timestamp}}` (plus `{"type":"keepalive"}` every 30 s in 2.41).
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/streaming
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startN8nServer, type N8nServer } from '../../scripts/lib/n8nServer';
import { N8nRest } from '../queue/rest';
import { cloneWorkflow, freePort, readExample, type NodeOutputItem, type WorkflowJson } from './harness';
import { expectNoKeyLeak, modelCredential, MODEL_CREDENTIAL, postsTo, useN8nWithEmulator, type CredentialContext } from './setup';

/** Between two events of every emulator stream: long enough to tell "as it arrives" from "all at the end". */
const CHUNK_DELAY_MS = 250;
const SERVER_TIMEOUT = 6 * 60_000;
const TEST_TIMEOUT = 3 * 60_000;

const CHAT_NODE = 'DigitalOcean Chat';
const RESPONSES_NODE = 'DigitalOcean Responses';
const MODEL_CREDENTIALS = { digitalOceanInferenceApi: { id: MODEL_CREDENTIAL.id, name: MODEL_CREDENTIAL.name } };

const chatStream = readExample('chat-streaming');
const CHAT_TRIGGER = chatStream.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.chatTrigger')!;

/** The same chat answered in the Chat Trigger's "Last Node" mode (its own webhook id: ids are global). */
const chatLastNode: WorkflowJson = (() => {
	const copy = cloneWorkflow(chatStream, { id: 'doInfChatLastNode01', name: 'DigitalOcean Chat: last node (e2e)' });
	const trigger = copy.nodes.find((node) => node.name === CHAT_TRIGGER.name)!;
	trigger.webhookId = '5d1c7a52-7a8e-4b0e-9c6e-3f7c1e5b00bb';
	(trigger.parameters as { options: Record<string, unknown> }).options.responseMode = 'lastNode';
	return copy;
})();

type WorkflowNode = WorkflowJson['nodes'][number];
type NodeSpec = Pick<WorkflowNode, 'name' | 'type' | 'parameters' | 'credentials'> & { typeVersion: number };

/**
 * A workflow started by a Webhook with Response Mode "Streaming" (POST /webhook/<webhookPath>) whose item
 * goes to `nodes[0]`; `connections` wires the rest. Ids derive from `uuid` (its last 4 digits replaced).
 */
function streamingWorkflow(
	id: string,
	name: string,
	webhookPath: string,
	uuid: string,
	nodes: NodeSpec[],
	connections: Record<string, unknown> = {},
): WorkflowJson {
	const nodeId = (n: number) => `${uuid.slice(0, -4)}${String(n).padStart(4, '0')}`;
	const webhook: WorkflowNode = {
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'streaming', options: {} },
		id: nodeId(1),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		webhookId: uuid,
	};
	return {
		id,
		name,
		nodes: [webhook, ...nodes.map((node, i) => ({ ...node, id: nodeId(i + 2), position: [240 * (i + 1), 0] }))],
		connections: { Webhook: { main: [[{ node: nodes[0].name, type: 'main', index: 0 }]] }, ...connections },
		settings: { executionOrder: 'v1' },
	};
}

const RESPONSES_PATH = 'do-stream-responses';
const responsesStream = streamingWorkflow('doInfRespStream01', 'DigitalOcean Responses: streaming webhook (e2e)', RESPONSES_PATH, '7a2e9c41-3b5d-4f6a-8e1c-2d4b6f8a0c10', [
	{
		parameters: { model: { __rl: true, mode: 'id', value: 'llama3.3-70b-instruct' }, prompt: '={{ $json.body.message }}', options: {} },
		name: RESPONSES_NODE,
		type: 'n8n-nodes-digitalocean-inference.digitalOceanResponses',
		typeVersion: 1.1,
		credentials: MODEL_CREDENTIALS,
	},
]);

/**
 * n8n's own OpenAI Chat Model pointed at the emulator drives this agent, so the check runs on n8n 2.8.4
 * too (the DigitalOcean Chat Model needs 2.16; its streaming through the Agent is in aiNodes.e2e).
 */
const OPENAI_CREDENTIAL = { id: 'doInfOpenAiCred01', name: 'DigitalOcean (OpenAI-compatible)', type: 'openAiApi' } as const;
const openAiCredential = (ctx: CredentialContext) => ({ ...OPENAI_CREDENTIAL, data: { apiKey: ctx.modelKey, url: `${ctx.emulatorUrl}/v1` } });

/** n8n's AI Agent (n8n's OpenAI Chat Model pointed at the emulator) with DigitalOcean Chat as its tool Ask_Llama. */
const AGENT_PATH = 'do-stream-agent';
const agentStream = streamingWorkflow(
	'doInfAgentStream01',
	'AI Agent with DigitalOcean Chat tool: streaming webhook (e2e)',
	AGENT_PATH,
	'9c4b1e73-6d2a-4e8f-b5a1-7f3c9e2d0b20',
	[
		{
			parameters: { promptType: 'define', text: '={{ $json.body.message }}', options: {} },
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
		},
		{
			parameters: { model: { __rl: true, mode: 'id', value: 'openai-gpt-oss-120b' }, responsesApiEnabled: false, options: {} },
			name: 'Agent Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.3,
			credentials: { openAiApi: { id: OPENAI_CREDENTIAL.id, name: OPENAI_CREDENTIAL.name } },
		},
		{
			parameters: {
				toolDescription: 'Asks the Llama 3.3 70B model on DigitalOcean a question and returns its answer in `content`.',
				model: { __rl: true, mode: 'id', value: 'llama3.3-70b-instruct' },
				prompt: "={{ $fromAI('question', 'The question to ask Llama', 'string') }}",
				options: {},
			},
			name: 'Ask Llama',
			type: 'n8n-nodes-digitalocean-inference.digitalOceanChatTool',
			typeVersion: 1.1,
			credentials: MODEL_CREDENTIALS,
		},
	],
	{
		'Agent Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		'Ask Llama': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	},
);

const workflows = [chatStream, chatLastNode, responsesStream, agentStream];
const setup = useN8nWithEmulator({
	workflows,
	builtFiles: [
		'dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js',
		'dist/nodes/DigitalOceanResponses/DigitalOceanResponses.node.js',
	],
	emulatorConfig: { streamChunkDelayMs: CHUNK_DELAY_MS },
	credentials: (ctx) => [modelCredential(ctx), openAiCredential(ctx)],
});

let server: N8nServer | undefined;
let rest: N8nRest | undefined;
let logFile = '';
/** Every response body read (for the leak check). */
const bodies: string[] = [];
/** Time to the first streamed chunk, printed at the end. */
const figures: string[] = [];

function ready<T>(value: T | undefined, name: string): T {
	if (value === undefined) throw new Error(`streaming e2e: ${name} is not set up (see beforeAll)`);
	return value;
}

const webhookUrl = (webhookPath: string) => `${ready(server, 'server').url}/webhook/${webhookPath}`;

/** The public URL of a workflow's Chat Trigger, which n8n's chat widget posts to. */
const chatUrl = (workflow: WorkflowJson) => {
	const trigger = workflow.nodes.find((node) => node.name === CHAT_TRIGGER.name)!;
	return webhookUrl(`${String(trigger.webhookId)}/chat`);
};

/** Until `url` takes POSTs: a CORS preflight names the methods a registered webhook accepts (404 before). */
async function waitForPostWebhook(url: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const res = await fetch(url, {
			method: 'OPTIONS',
			headers: { origin: ready(server, 'server').url, 'access-control-request-method': 'POST' },
			signal: AbortSignal.timeout(10_000),
		});
		await res.body?.cancel();
		if (res.ok && /\bPOST\b/.test(res.headers.get('access-control-allow-methods') ?? '')) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`${url} did not take POST requests within ${timeoutMs / 1000} s\n${ready(server, 'server').logTail()}`);
}

beforeAll(async () => {
	// Published before the server starts, so that it registers their webhooks.
	for (const workflow of workflows) {
		const published = await setup.home.n8n(['publish:workflow', `--id=${workflow.id}`]);
		if (published.exitCode !== 0) throw new Error(`publish:workflow --id=${workflow.id} failed:\n${published.stderr.slice(-2000)}`);
	}
	logFile = path.join(setup.home.folder, 'n8n-server.log');
	server = await startN8nServer(setup.home, { port: await freePort(), logFile });
	rest = new N8nRest(server.url);
	await rest.setupOwnerAndLogin();
	// n8n answers before it has activated the published workflows: wait for their webhooks.
	for (const url of [chatUrl(chatStream), chatUrl(chatLastNode), webhookUrl(RESPONSES_PATH), webhookUrl(AGENT_PATH)]) {
		await waitForPostWebhook(url, 60_000);
	}
}, SERVER_TIMEOUT);

afterAll(async () => {
	await server?.stop();
}, 30_000);

interface StreamChunk {
	type: string;
	content?: string;
	metadata?: { nodeId: string; nodeName: string; itemIndex: number; runIndex: number; timestamp: number };
}

/** One JSON line of the response and when it reached this client (ms since the epoch). */
interface Arrival {
	chunk: StreamChunk;
	at: number;
}

interface StreamedReply {
	status: number;
	contentType: string | null;
	sentAt: number;
	/** Every chunk but keep-alives, in order. */
	arrivals: Arrival[];
}

/** POSTs `body` and reads the reply as it arrives, line by line, noting when each line came. */
async function postAndRead(url: string, body: unknown): Promise<StreamedReply> {
	const sentAt = Date.now();
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(TEST_TIMEOUT - 10_000),
	});
	const reader = res.body!.getReader();
	const decoder = new TextDecoder();
	const arrivals: Arrival[] = [];
	let raw = '';
	let pending = '';
	const take = (line: string, at: number) => {
		if (line.trim() === '') return;
		const chunk = JSON.parse(line) as StreamChunk;
		if (chunk.type !== 'keepalive') arrivals.push({ chunk, at });
	};
	for (;;) {
		const { done, value } = await reader.read();
		const at = Date.now();
		if (done) break;
		const text = decoder.decode(value, { stream: true });
		raw += text;
		pending += text;
		for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
			take(pending.slice(0, newline), at);
			pending = pending.slice(newline + 1);
		}
	}
	take(pending, Date.now());
	bodies.push(raw);
	return { status: res.status, contentType: res.headers.get('content-type'), sentAt, arrivals };
}

/** The `item` chunks of a streamed reply, with what they add up to and when the first and the end came. */
interface StreamedMessage {
	items: Arrival[];
	text: string;
	/** When the request was sent (ms since the epoch). */
	sentAt: number;
	/** From the request to the first `item` reaching this client. */
	firstItemMs: number;
	/** From the first `item` to the `end`. */
	firstItemToEndMs: number;
}

/** The reply is one message of `nodeName` (item 0, run 0): `begin`, at least three `item`s, `end`, nothing else. */
function streamedMessage(reply: StreamedReply, workflow: WorkflowJson, nodeName: string): StreamedMessage {
	expect(reply.status).toBe(200);
	expect(reply.contentType).toMatch(/^application\/json/);
	const node = workflow.nodes.find((candidate) => candidate.name === nodeName)!;
	const types = reply.arrivals.map(({ chunk }) => chunk.type);
	expect(types[0]).toBe('begin');
	expect(types.at(-1)).toBe('end');
	expect(types.slice(1, -1).every((type) => type === 'item')).toBe(true);
	for (const { chunk } of reply.arrivals) {
		expect(chunk.metadata).toEqual({ nodeId: node.id, nodeName, itemIndex: 0, runIndex: 0, timestamp: expect.any(Number) });
	}
	const items = reply.arrivals.filter(({ chunk }) => chunk.type === 'item');
	expect(items.length).toBeGreaterThanOrEqual(3);
	return {
		items,
		text: items.map(({ chunk }) => chunk.content).join(''),
		sentAt: reply.sentAt,
		firstItemMs: items[0].at - reply.sentAt,
		firstItemToEndMs: reply.arrivals.at(-1)!.at - items[0].at,
	};
}

/**
 * The items reached the client one by one as DigitalOcean streamed them (CHUNK_DELAY_MS apart, with some
 * slack for scheduling), the first long before the end — not all at once when the node was done.
 */
function expectArrivedApart({ items, firstItemToEndMs }: StreamedMessage): void {
	for (let i = 1; i < items.length; i++) expect(items[i].at - items[i - 1].at).toBeGreaterThanOrEqual(CHUNK_DELAY_MS * 0.6);
	expect(firstItemToEndMs).toBeGreaterThanOrEqual(CHUNK_DELAY_MS * (items.length - 1) * 0.6 + CHUNK_DELAY_MS);
}

const QUICK_RUNS = 5;

/**
 * Time from the request to the first streamed item against a model that answers at once (the emulator's
 * default 2 ms between events): QUICK_RUNS questions one after the other, each answer checked.
 */
async function quickFirstItems(question: (n: number) => string, ask: (question: string) => Promise<StreamedMessage>): Promise<string> {
	setup.emulator.control.configure({ streamChunkDelayMs: 2 });
	const firstItem: number[] = [];
	const toDigitalOcean: number[] = [];
	for (let n = 1; n <= QUICK_RUNS; n++) {
		const message = await ask(question(n));
		expect(message.text).toBe(`Echo: ${question(n)}`);
		firstItem.push(message.firstItemMs);
		toDigitalOcean.push(setup.emulator.control.requests().at(-1)!.time - message.sentAt);
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	return (
		`first item after ${median(firstItem)} ms (median of ${QUICK_RUNS}; ${Math.min(...firstItem)}–${Math.max(...firstItem)} ms), ` +
		`of which ${median(toDigitalOcean)} ms until the request reached DigitalOcean`
	);
}

/** The output of `nodeName` in the latest execution of `workflowId` (read back through n8n's REST API). */
async function lastOutput(workflowId: string, nodeName: string): Promise<NodeOutputItem[]> {
	const client = ready(rest, 'rest');
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const list = await client.json<{ results: Array<{ id: string }> }>('GET', `/rest/executions?filter=${filter}`);
	expect(list.results.length).toBeGreaterThan(0);
	const id = list.results.map((execution) => Number(execution.id)).sort((a, b) => b - a)[0];
	const execution = await client.waitForExecution(String(id), 60_000);
	expect(execution.status).toBe('success');
	const runs = execution.run!.data.resultData.runData[nodeName];
	expect(runs).toHaveLength(1);
	return runs[0].data!.main[0] ?? [];
}

test(
	'streaming chat (examples/chat-streaming.json): the answer reaches the chat client in pieces as DigitalOcean streams it, before the end',
	async () => {
		setup.emulator.control.configure({ streamChunkDelayMs: CHUNK_DELAY_MS });
		const before = setup.emulator.control.requests().length;
		const message = 'Tell me about the lighthouse at the end of the old harbour pier';
		const reply = await postAndRead(chatUrl(chatStream), { action: 'sendMessage', sessionId: 'e2e-session-1', chatInput: message });
		const streamed = streamedMessage(reply, chatStream, CHAT_NODE);
		expectArrivedApart(streamed);
		expect(streamed.text).toBe(`Echo: ${message}`);

		const [item, ...more] = await lastOutput(chatStream.id, CHAT_NODE);
		expect(more).toEqual([]);
		expect(item.json).toMatchObject({ content: streamed.text, output: streamed.text, finishReason: 'stop' });
		const requests = setup.emulator.control.requests().slice(before);
		expect(requests).toHaveLength(1);
		expect(postsTo(requests, '/v1/chat/completions')[0].body).toMatchObject({
			stream: true,
			messages: [{ role: 'system' }, { role: 'user', content: message }],
		});

		const quick = await quickFirstItems((n) => `Question ${n}: and what about the harbour itself?`, async (question) =>
			streamedMessage(await postAndRead(chatUrl(chatStream), { action: 'sendMessage', sessionId: 'e2e-session-1', chatInput: question }), chatStream, CHAT_NODE),
		);
		figures.push(
			`chat: ${quick} (with ${CHUNK_DELAY_MS} ms between DigitalOcean's events, on the server's first request: ${streamed.firstItemMs} ms; ` +
				`${streamed.items.length} items over ${streamed.firstItemToEndMs} ms to the end)`,
		);
	},
	TEST_TIMEOUT,
);

test(
	'the same chat in the Chat Trigger\'s "Last Node" response mode answers with the node\'s output field',
	async () => {
		setup.emulator.control.configure({ streamChunkDelayMs: 2 });
		const message = 'What does the harbour look like at night?';
		const res = await fetch(chatUrl(chatLastNode), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ action: 'sendMessage', sessionId: 'e2e-session-2', chatInput: message }),
			signal: AbortSignal.timeout(TEST_TIMEOUT - 10_000),
		});
		const text = await res.text();
		bodies.push(text);
		expect(res.status).toBe(200);
		// n8n's chat widget shows `output` (it falls back to `text`, then to the whole JSON).
		expect(JSON.parse(text)).toMatchObject({ output: `Echo: ${message}`, content: `Echo: ${message}` });
	},
	TEST_TIMEOUT,
);

test(
	'streaming webhook → DigitalOcean Responses: the answer arrives in pieces as it is streamed, and joins into the output field',
	async () => {
		setup.emulator.control.configure({ streamChunkDelayMs: CHUNK_DELAY_MS });
		const before = setup.emulator.control.requests().length;
		const message = 'Describe the fishing boats coming back to the harbour at dawn';
		const streamed = streamedMessage(await postAndRead(webhookUrl(RESPONSES_PATH), { message }), responsesStream, RESPONSES_NODE);
		expectArrivedApart(streamed);
		expect(streamed.text).toBe(`Echo: ${message}`);

		const [item] = await lastOutput(responsesStream.id, RESPONSES_NODE);
		expect(item.json).toMatchObject({ text: streamed.text, output: streamed.text, status: 'completed' });
		const requests = setup.emulator.control.requests().slice(before);
		expect(postsTo(requests, '/v1/responses').map((r) => r.body)).toEqual([expect.objectContaining({ input: message, stream: true })]);

		const quick = await quickFirstItems((n) => `Question ${n}: and what about the gulls above the boats?`, async (question) =>
			streamedMessage(await postAndRead(webhookUrl(RESPONSES_PATH), { message: question }), responsesStream, RESPONSES_NODE),
		);
		figures.push(
			`responses: ${quick} (with ${CHUNK_DELAY_MS} ms between events: ${streamed.firstItemMs} ms, the text starting with ` +
				`the 5th event; ${streamed.items.length} items over ${streamed.firstItemToEndMs} ms to the end)`,
		);
	},
	TEST_TIMEOUT,
);

test(
	'DigitalOcean Chat as an AI Agent tool in a streaming workflow: only the agent streams to the caller, the tool answers the agent',
	async () => {
		setup.emulator.control.configure({ streamChunkDelayMs: 2 });
		const before = setup.emulator.control.requests().length;
		const message = 'Use Ask_Llama to get one surprising fact about octopuses, then tell me that fact in one sentence.';
		const reply = await postAndRead(webhookUrl(AGENT_PATH), { message });
		expect(reply.status).toBe(200);

		// The agent asked its model, which called Ask Llama (our node), then answered from what it returned.
		const requests = postsTo(setup.emulator.control.requests().slice(before), '/v1/chat/completions');
		expect(requests.map((r) => (r.body as { model: string }).model)).toEqual(['openai-gpt-oss-120b', 'llama3.3-70b-instruct', 'openai-gpt-oss-120b']);
		const senders = new Set(reply.arrivals.map(({ chunk }) => chunk.metadata?.nodeName));
		expect([...senders]).toEqual(['AI Agent']);
		const streamedText = reply.arrivals
			.filter(({ chunk }) => chunk.type === 'item')
			.map(({ chunk }) => chunk.content)
			.join('');
		expect(streamedText).toContain(`Echo: ${message}`);
		expect(streamedText).toContain('Tool Ask_Llama returned:');
	},
	TEST_TIMEOUT,
);

test('no model access key appears in streamed replies, the server log, run data or n8n files', () => {
	expectNoKeyLeak(setup, [setup.modelKey, setup.agentKey]);
	for (const body of bodies) expect(body).not.toContain(setup.modelKey);
	expect(fs.readFileSync(logFile, 'utf8')).not.toContain(setup.modelKey);
	process.stderr.write(`[streaming e2e, n8n ${setup.home.install.version}] time to the first streamed chunk: ${figures.join('; ')}\n`);
});
