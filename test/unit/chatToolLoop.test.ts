/**
 * DigitalOcean Chat's function-calling loop: an answer with tool calls, then a second request whose
 * Message List repeats those calls (assistant "Tool Calls") and answers them (Tool messages), sent to
 * the emulator, which validates tool messages and tool calls as the contract says (§3.2).
 */
import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DEFAULT_KEY } from '../emulator';
import { fakeExecuteContext, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const CHAT = '/v1/chat/completions';
const QUESTION = 'What is the weather in Paris? use get_weather';
const WEATHER_TOOL = {
	name: 'get_weather',
	description: 'Current weather',
	parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const TOOLS = JSON.stringify([WEATHER_TOOL]);

const emulator = useEmulator();

async function run(params: Params): Promise<INodeExecutionData[]> {
	const ctx = fakeExecuteContext({
		node: new DigitalOceanChat(),
		params: { model: { __rl: true, mode: 'id', value: 'llama3.3-70b-instruct' }, inputType: 'prompt', ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
	});
	const [output] = await new DigitalOceanChat().execute.call(ctx);
	return output;
}

const chatRequests = () => emulator.control.requests().filter((request) => request.path === CHAT);

/** The second turn: the question, the assistant's tool calls, and one Tool message per call. */
const followUp = (toolCalls: unknown, answers: Array<{ id: unknown; content: string }>, stream = false): Params => ({
	inputType: 'messages',
	messages: {
		message: [
			{ role: 'user', content: QUESTION },
			{ role: 'assistant', content: '', toolCalls },
			...answers.map(({ id, content }) => ({ role: 'tool', toolCallId: id, content })),
		],
	},
	options: { functionTools: TOOLS, stream },
});

describe('Chat: tool results in the Message List (function-calling loop)', () => {
	it('offers a Tool role with a Tool Call ID, and Tool Calls on assistant messages', () => {
		const list = new DigitalOceanChat().description.properties.find((p) => p.name === 'messages') as any;
		const values = list.options[0].values as Array<{ name: string; options?: Array<{ name: string; value: string }>; displayOptions?: unknown }>;
		expect(values.find((v) => v.name === 'role')!.options).toContainEqual({ name: 'Tool', value: 'tool' });
		expect(values.find((v) => v.name === 'toolCallId')!.displayOptions).toEqual({ show: { role: ['tool'] } });
		expect(values.find((v) => v.name === 'toolCalls')!.displayOptions).toEqual({ show: { role: ['assistant'] } });
	});

	it.each([false, true])('answers the calls of the Simplified output (stream %s): wire-shaped tool_calls, tool_call_id, the model reads the result', async (stream) => {
		const [first] = await run({ prompt: QUESTION, options: { functionTools: TOOLS, stream } });
		const toolCalls = first.json.toolCalls as Array<{ id: string; name: string; arguments: Record<string, unknown>; input: Record<string, unknown> }>;
		expect(toolCalls).toEqual([
			{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: { city: expect.any(String) }, input: { city: expect.any(String) } },
		]);
		// n8n expressions cannot read a key named "arguments"; `input` holds the same value for them.
		expect(toolCalls[0].input).toEqual(toolCalls[0].arguments);

		const [answer] = await run(followUp(toolCalls, [{ id: toolCalls[0].id, content: '{"celsius":21}' }], stream));
		const [, second] = chatRequests();
		expect(second.status).toBe(200);
		expect((second.body as { messages: unknown }).messages).toEqual([
			{ role: 'user', content: QUESTION },
			{
				role: 'assistant',
				content: null,
				tool_calls: [{ id: toolCalls[0].id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(toolCalls[0].arguments) } }],
			},
			{ role: 'tool', tool_call_id: toolCalls[0].id, content: '{"celsius":21}' },
		]);
		expect(answer.json).toMatchObject({ finishReason: 'stop', toolCalls: [] });
		expect(answer.json.content).toBe(`Echo: ${QUESTION} Tool get_weather returned: {"celsius":21}`);
	});

	it('takes the raw reply\'s tool_calls as JSON text too, arguments passed on as written', async () => {
		const [raw] = await run({ prompt: QUESTION, output: 'raw', options: { functionTools: TOOLS, stream: false } });
		const rawCalls = (raw.json as any).choices[0].message.tool_calls;
		await run(followUp(JSON.stringify(rawCalls), [{ id: rawCalls[0].id, content: 'sunny' }]));
		const [, second] = chatRequests();
		expect(second.status).toBe(200);
		expect((second.body as any).messages[1].tool_calls).toEqual(rawCalls);
	});

	it('keeps assistant text next to the tool calls, stringifies object arguments (or input), answers three calls', async () => {
		const calls = [
			{ id: 'call_a', name: 'get_weather', arguments: { city: 'Paris' } },
			{ id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
			{ id: 'call_c', name: 'get_weather', input: { city: 'Oslo' } },
		];
		const params = followUp(calls, [
			{ id: 'call_a', content: 'Paris: 21' },
			{ id: ' call_b ', content: 'Rome: 25' },
			{ id: 'call_c', content: 'Oslo: 9' },
		]);
		(params.messages as any).message[1].content = 'Let me check both cities.';
		const [answer] = await run(params);
		const messages = (chatRequests()[0].body as any).messages;
		expect(messages[1]).toEqual({
			role: 'assistant',
			content: 'Let me check both cities.',
			tool_calls: [
				{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
				{ id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
				{ id: 'call_c', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
			],
		});
		expect(messages.slice(2)).toEqual([
			{ role: 'tool', tool_call_id: 'call_a', content: 'Paris: 21' },
			{ role: 'tool', tool_call_id: 'call_b', content: 'Rome: 25' },
			{ role: 'tool', tool_call_id: 'call_c', content: 'Oslo: 9' },
		]);
		expect(answer.json.content).toBe(
			`Echo: ${QUESTION} Tool get_weather returned: Paris: 21 Tool get_weather returned: Rome: 25 Tool get_weather returned: Oslo: 9`,
		);
	});

	it('sends tool-call fields only on their own roles (n8n hides them elsewhere)', async () => {
		await run({
			inputType: 'messages',
			messages: {
				message: [
					{ role: 'user', content: 'Hi', toolCalls: '[{"id":"x","name":"f","arguments":{}}]', toolCallId: 'x' },
					{ role: 'assistant', content: 'Hello', toolCallId: 'x', toolCalls: '' },
					{ role: 'user', content: 'Bye' },
				],
			},
			options: { stream: false },
		});
		expect((chatRequests()[0].body as any).messages).toEqual([
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello' },
			{ role: 'user', content: 'Bye' },
		]);
	});

	const call = { id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } };
	it.each<[string, unknown, Array<{ id: unknown; content: string }>, RegExp]>([
		['a Tool message without Tool Call ID', [call], [{ id: '', content: '21' }], /Message 3 is a Tool message without a Tool Call ID/],
		['a Tool message without content', [call], [{ id: 'call_1', content: ' ' }], /Message 3 has no content/],
		['an assistant message with neither content nor tool calls', '', [{ id: 'call_1', content: '21' }], /Message 2 has no content/],
		['Tool Calls that are not JSON', '[{"id": ', [{ id: 'call_1', content: '21' }], /Tool Calls of Message 2 is not valid JSON/],
		['Tool Calls that are not an array', JSON.stringify(call), [{ id: 'call_1', content: '21' }], /Tool Calls of Message 2 must be a JSON array/],
		['a tool call without id', [{ name: 'get_weather', arguments: {} }], [{ id: 'call_1', content: '21' }], /Tool call 1 of Message 2 has no id/],
		['a tool call without a valid name', [{ id: 'call_1', name: 'get weather', arguments: {} }], [{ id: 'call_1', content: '21' }], /needs a function name/],
		['a tool call of another type', [{ id: 'call_1', type: 'mcp', function: { name: 'f', arguments: '{}' } }], [{ id: 'call_1', content: '21' }], /only "function" calls/],
		['a tool call that is not an object', ['call_1'], [{ id: 'call_1', content: '21' }], /Tool call 1 of Message 2 is not a JSON object/],
	])('rejects %s before sending anything', async (_label, toolCalls, answers, message) => {
		const error = await run(followUp(toolCalls, answers)).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(chatRequests()).toHaveLength(0);
	});
});
