/**
 * DigitalOcean Messages in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator: runs examples/messages-tool.json.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/messages
 */
import { nodeOutput, readExample } from './harness';
import { RUN_TIMEOUT, testNoKeyLeak, useN8nWithEmulator } from './setup';

const MESSAGES_NODE = 'DigitalOcean Messages';

const toolExample = readExample('messages-tool');

const setup = useN8nWithEmulator({
	workflows: [toolExample],
	builtFiles: ['dist/nodes/DigitalOceanMessages/DigitalOceanMessages.node.js'],
});

test(
	'messages tool use: the tool definition goes out as input_schema and the tool call comes back parsed',
	async () => {
		const { result, run, requests } = await setup.run(toolExample.id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(result.exitCode).toBe(0);

		// The wire: one streamed POST /v1/messages with Bearer auth, anthropic-version and the tool.
		expect(requests).toHaveLength(1);
		const [req] = requests;
		expect(req.method).toBe('POST');
		expect(req.path).toBe('/v1/messages');
		expect(req.status).toBe(200);
		expect(req.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
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
			['builtInToolCalls', 'messageId', 'model', 'requestId', 'stopReason', 'text', 'thinking', 'toolUses', 'usage'].sort(),
		);
		expect(item.json.builtInToolCalls).toEqual([]);
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

testNoKeyLeak(setup, toolExample.id);
