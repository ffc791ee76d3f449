/**
 * n8n's AI nodes on the DigitalOcean Chat Model sub-node, in a real n8n against the emulator.
 *
 * On n8n 2.16 or newer (the AI node SDK is there):
 * - examples/chain-structured-output.json, run with the CLI: a Basic LLM Chain with a Structured Output
 *   Parser returns JSON that matches the parser's schema; the sub-node's run data shows the token usage.
 * - examples/agent-chat-tool.json, behind its Chat Trigger in a running n8n: the chat is made public and
 *   the workflow published — what a user does to share it — and a chat message is POSTed to its
 *   production URL, exactly as n8n's chat widget sends it. The AI Agent answers through a tool call to
 *   DigitalOcean Chat (Ask Llama), streams the answer back in pieces, remembers the turn (Simple
 *   Memory), and the sub-node's run data shows the usage of each model call.
 * On older n8n (the suite's 2.8.4 leg) those examples cannot run, so they are skipped by this version
 * check, and instead: the sub-node fails with its clear version error, and the package's action nodes,
 * loaded from the same package, still work.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/aiNodes
 */
import type { LoggedRequest } from '../emulator';
import { CHAT_PATH as CHAT, HAS_AI_NODE_SDK, modelRunData as runDataOf, N8N_VERSION, onSdk, SDK_SUITE as sdkSuite, usageFor as usageReported } from './chatModel';
import { postChatMessage, readChatLines, startWorkflowServer, withPublicChat, type ChatLine, type WorkflowServer } from './workflowServer';
import { cloneWorkflow, nodeOutput, readExample, type RunJson } from './harness';
import { expectCleanExit, postsTo, RUN_TIMEOUT, testNoKeyLeak, useN8nWithEmulator } from './setup';

const beforeSdk = HAS_AI_NODE_SDK ? test.skip : test;

const VERSION_ERROR = 'The DigitalOcean Chat Model needs n8n 2.16 or newer: update n8n, or use the DigitalOcean Chat node';
const MODEL_NODE = 'DigitalOcean Chat Model';

const chain = readExample('chain-structured-output');
const agent = readExample('agent-chat-tool');
const chatBasic = readExample('chat-basic');
/** The agent example with its chat made public, so n8n serves its production URL. */
const publicAgent = withPublicChat(cloneWorkflow(agent, { id: 'doInfAgentChatPub01' }));

const setup = useN8nWithEmulator({
	workflows: [chain, publicAgent, chatBasic],
	builtFiles: ['dist/nodes/DigitalOceanChatModel/DigitalOceanChatModel.node.js', 'dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js'],
});

const bodyOf = (request: LoggedRequest) => request.body as Record<string, any>;

const usageFor = (request: LoggedRequest) => usageReported(setup.emulator.url, request);
const modelRunData = (run: RunJson) => runDataOf(run, MODEL_NODE);

/** Every way `value` breaks `schema` (the subset of JSON Schema the example uses); [] when it matches. */
function schemaViolations(value: unknown, schema: Record<string, any>, at = '$'): string[] {
	switch (schema.type) {
		case 'object': {
			if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at} is not an object`];
			const record = value as Record<string, unknown>;
			const missing = (schema.required ?? []).filter((key: string) => !(key in record)).map((key: string) => `${at}.${key} is missing`);
			const nested = Object.entries(schema.properties ?? {}).flatMap(([key, sub]) =>
				key in record ? schemaViolations(record[key], sub as Record<string, any>, `${at}.${key}`) : [],
			);
			return [...missing, ...nested];
		}
		case 'array':
			return Array.isArray(value) ? value.flatMap((entry, i) => schemaViolations(entry, schema.items ?? {}, `${at}[${i}]`)) : [`${at} is not an array`];
		case 'integer':
			if (!Number.isInteger(value)) return [`${at} is not an integer`];
			if ((schema.minimum !== undefined && (value as number) < schema.minimum) || (schema.maximum !== undefined && (value as number) > schema.maximum)) {
				return [`${at} is out of range`];
			}
			return [];
		case 'string':
			return typeof value === 'string' ? [] : [`${at} is not a string`];
		default:
			return [];
	}
}

onSdk(sdkSuite, () => {
	test(
		'Basic LLM Chain with a Structured Output Parser on the DigitalOcean Chat Model returns JSON that matches the schema',
		async () => {
			const { result, run, requests } = await setup.run(chain.id);
			expect(run.data.resultData.error).toBeUndefined();
			expectCleanExit(result);

			const parser = chain.nodes.find((node) => node.name === 'Structured Output Parser')!;
			const schema = JSON.parse(String(parser.parameters!.inputSchema));
			const [item, ...more] = nodeOutput(run, 'Basic LLM Chain');
			expect(more).toEqual([]);
			expect(schemaViolations(item.json.output, schema)).toEqual([]);
			expect(Object.keys(item.json.output).sort()).toEqual(['product', 'pros', 'rating', 'summary']);

			// One request: JSON mode and temperature as set, the review and the parser's schema in the prompt.
			const [request, ...others] = postsTo(requests, CHAT);
			expect(others).toEqual([]);
			expect(requests).toHaveLength(1);
			expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
			expect(bodyOf(request)).toMatchObject({
				model: 'llama3.3-70b-instruct',
				response_format: { type: 'json_object' },
				temperature: 0,
				stream: true,
				stream_options: { include_usage: true },
			});
			const prompt = JSON.stringify(bodyOf(request).messages);
			expect(prompt).toContain('Aurora X2 desk lamp');
			expect(prompt).toContain('\\"rating\\":{\\"type\\":\\"integer\\"');

			// The sub-node's run data shows the usage DigitalOcean reported, as n8n's own chat models do.
			expect(modelRunData(run)).toEqual([expect.objectContaining({ tokenUsage: await usageFor(request) })]);
		},
		RUN_TIMEOUT,
	);

	describe('the AI Agent example behind its Chat Trigger, in a running n8n', () => {
		let chat: WorkflowServer | undefined;
		const sessionId = 'e2e-chat-session-1';
		const question = 'Use Ask_Llama to get one surprising fact about octopuses, then tell me that fact in one sentence.';

		beforeAll(async () => {
			// Spread the streamed pieces out in time, so arriving in pieces is measurable.
			setup.emulator.control.configure({ streamChunkDelayMs: 20 });
			chat = await startWorkflowServer(setup.home, [publicAgent]);
		}, 5 * 60_000);

		afterAll(async () => {
			await chat?.stop();
			setup.emulator.control.configure({ streamChunkDelayMs: 2 });
		}, 60_000);

		/** Sends one chat message as n8n's chat widget does; returns the streamed lines with their arrival times. */
		async function sendMessage(chatInput: string): Promise<ChatLine[]> {
			const sentAt = Date.now();
			const res = await postChatMessage(chat!.chatUrl(publicAgent), sessionId, chatInput, RUN_TIMEOUT);
			expect(res.status).toBe(200);
			const { lines, unterminated } = await readChatLines(res, sentAt);
			expect(unterminated).toBe('');
			return lines;
		}

		let firstAnswer = '';

		test(
			'a chat message gets the answer through a tool call (Ask Llama), streamed in pieces, with the token usage in the sub-node',
			async () => {
				const before = setup.emulator.control.requests().length;
				const lines = await sendMessage(question);
				const requests = setup.emulator.control.requests().slice(before);

				// Streamed: begin, several pieces well before the end, end.
				const types = lines.map((line) => line.type);
				expect(types[0]).toBe('begin');
				expect(types.at(-1)).toBe('end');
				expect(types).not.toContain('error');
				const pieces = lines.filter((line) => line.type === 'item');
				expect(pieces.length).toBeGreaterThan(5);
				const spreadMs = lines.at(-1)!.atMs - pieces[0].atMs;
				expect(spreadMs).toBeGreaterThan(200);
				process.stderr.write(`[e2e] the agent's answer streamed in ${pieces.length} pieces, the first ${spreadMs} ms before the end\n`);
				firstAnswer = pieces.map((piece) => piece.content).join('');

				// The tool round-trip in the emulator's log: the agent's model calls Ask_Llama, n8n runs our
				// DigitalOcean Chat node with the argument the model chose, and the agent's model answers from it.
				const posts = postsTo(requests, CHAT);
				expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(Array(3).fill(`POST ${CHAT} 200`));
				const [agentFirst, toolRequest, agentFinal] = posts.map(bodyOf);
				expect(agentFirst).toMatchObject({ model: 'openai-gpt-oss-120b', stream: true });
				expect(agentFirst.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(['Ask_Llama']);
				expect(agentFirst.messages.at(-1)).toEqual({ role: 'user', content: question });
				const assistant = agentFinal.messages.find((message: { role: string }) => message.role === 'assistant');
				const [call] = assistant.tool_calls;
				expect(call.function.name).toBe('Ask_Llama');
				const { question: toolQuestion } = JSON.parse(call.function.arguments) as { question: string };
				expect(toolRequest).toMatchObject({ model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: toolQuestion }] });
				const toolMessage = agentFinal.messages.find((message: { role: string }) => message.role === 'tool');
				expect(toolMessage.tool_call_id).toBe(call.id);
				expect(toolMessage.content).toContain(`"content":"Echo: ${toolQuestion}"`);

				// The streamed answer is the agent model's final answer, built on what the tool returned.
				expect(firstAnswer).toBe(`Echo: ${question} Tool Ask_Llama returned: ${toolMessage.content}`);

				const execution = await chat!.lastExecution(publicAgent.id);
				expect(execution.status).toBe('success');
				const run = execution.run!;
				expect(nodeOutput(run, 'AI Agent')[0].json.output).toBe(firstAnswer);
				expect(run.data.resultData.runData['Ask Llama']).toHaveLength(1);
				// One sub-node run per model call, each with the usage DigitalOcean reported for it.
				expect(modelRunData(run)).toEqual([
					expect.objectContaining({ tokenUsage: await usageFor(posts[0]) }),
					expect.objectContaining({ tokenUsage: await usageFor(posts[2]) }),
				]);
				for (const request of requests) expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
			},
			RUN_TIMEOUT,
		);

		test(
			'the next message in the same chat session carries the first turn (Simple Memory)',
			async () => {
				expect(firstAnswer).not.toBe('');
				const before = setup.emulator.control.requests().length;
				const lines = await sendMessage('Thanks! What did I ask you first?');
				const [request, ...more] = postsTo(setup.emulator.control.requests().slice(before), CHAT);
				expect(more).toEqual([]);
				expect(bodyOf(request).messages).toEqual(
					expect.arrayContaining([
						{ role: 'user', content: question },
						{ role: 'assistant', content: firstAnswer },
						{ role: 'user', content: 'Thanks! What did I ask you first?' },
					]),
				);
				const answer = lines.filter((line) => line.type === 'item').map((line) => line.content).join('');
				expect(answer).toBe('Echo: Thanks! What did I ask you first?');
			},
			RUN_TIMEOUT,
		);
	});
});

describe(`on n8n ${N8N_VERSION}`, () => {
	beforeSdk(
		'before 2.16 (no AI node SDK): the sub-node fails with its clear version error, sending nothing, and the action nodes of the same package still work',
		async () => {
			const { run, requests } = await setup.run(chain.id);
			const error = run.data.resultData.error;
			// n8n shows a sub-node's error as "Error in sub-node <name>" with the node's message below it.
			expect(error).toMatchObject({ message: 'Error in sub-node DigitalOcean Chat Model', description: VERSION_ERROR });
			expect(requests).toEqual([]);

			const basic = await setup.run(chatBasic.id);
			expect(basic.run.data.resultData.error).toBeUndefined();
			expectCleanExit(basic.result);
			expect(nodeOutput(basic.run, 'DigitalOcean Chat')[0].json.content).toMatch(/^Echo: /);
		},
		RUN_TIMEOUT,
	);
});

testNoKeyLeak(setup, chatBasic.id);
