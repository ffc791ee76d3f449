import { NodeApiError, NodeOperationError, type INodeType } from 'n8n-workflow';

import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DigitalOceanEmbeddings } from '../../nodes/DigitalOceanEmbeddings/DigitalOceanEmbeddings.node';
import { DigitalOceanFal } from '../../nodes/DigitalOceanFal/DigitalOceanFal.node';
import { DigitalOceanImage } from '../../nodes/DigitalOceanImage/DigitalOceanImage.node';
import { DigitalOceanMessages } from '../../nodes/DigitalOceanMessages/DigitalOceanMessages.node';
import { DigitalOceanResponses } from '../../nodes/DigitalOceanResponses/DigitalOceanResponses.node';
import { DigitalOceanSpeech } from '../../nodes/DigitalOceanSpeech/DigitalOceanSpeech.node';
import { DigitalOceanVideo } from '../../nodes/DigitalOceanVideo/DigitalOceanVideo.node';
import { ChatStreamReader } from '../../nodes/shared/chatCompletion';
import { InferenceClient } from '../../nodes/shared/transport';
import { DEFAULT_KEY } from '../emulator';
import { binaryItem, fakeExecuteContext, TEST_NODE, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const PNG_1X1 = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);
const CHAT = '/v1/chat/completions';
const model = (value: string) => ({ __rl: true, mode: 'id', value });

const emulator = useEmulator();

async function run(params: Params, extra: Partial<Parameters<typeof fakeExecuteContext>[0]> = {}) {
	const ctx = fakeExecuteContext({
		params: { model: model('llama3.3-70b-instruct'), ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
		node: new DigitalOceanChat(),
	});
	const [output] = await new DigitalOceanChat().execute.call(ctx);
	return output;
}

const chatRequests = () => emulator.control.requests().filter((request) => request.path === CHAT);

describe('DigitalOcean Chat node', () => {
	it('answers a simple prompt with the simplified output', async () => {
		const [item] = await run({ prompt: 'What is the capital of France?' });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json.content).toEqual(expect.stringContaining('What is the capital of France?'));
		expect(item.json).toMatchObject({
			reasoning: null,
			toolCalls: [],
			finishReason: 'stop',
			model: 'llama3.3-70b-instruct',
		});
		expect(item.json.requestId).toMatch(/[0-9a-f-]{36}/);
		expect(item.json.usage).toMatchObject({
			prompt_tokens: expect.any(Number),
			completion_tokens: expect.any(Number),
			cache_created_input_tokens: 0,
			cache_read_input_tokens: 0,
		});
	});

	it('sends only the parameters the user set', async () => {
		await run({ prompt: 'Hi', options: { stream: false } });
		expect(chatRequests()[0].body).toEqual({
			model: 'llama3.3-70b-instruct',
			messages: [{ role: 'user', content: 'Hi' }],
		});
	});

	it('maps every option to its API field', async () => {
		await run({
			prompt: 'Hi',
			options: {
				stream: false,
				systemMessage: 'Be brief.',
				temperature: 0.2,
				topP: 0.9,
				maxCompletionTokens: 400,
				stop: 'END\nSTOP',
				seed: 7,
				frequencyPenalty: 0.5,
				presencePenalty: -0.5,
				n: 2,
				responseFormat: 'json_object',
				user: 'user-1',
			},
		});
		expect(chatRequests()[0].body).toEqual({
			model: 'llama3.3-70b-instruct',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Hi' },
			],
			temperature: 0.2,
			top_p: 0.9,
			max_completion_tokens: 400,
			stop: ['END', 'STOP'],
			seed: 7,
			frequency_penalty: 0.5,
			presence_penalty: -0.5,
			n: 2,
			response_format: { type: 'json_object' },
			user: 'user-1',
		});
	});

	it('maps Max Tokens to max_tokens, down to 1', async () => {
		await run({ prompt: 'Hi', options: { stream: false, maxTokens: 1 } });
		expect(chatRequests()[0].body).toEqual({ model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 });
	});

	it('rejects Max Completion Tokens below 256 (the API minimum) before sending, pointing to Max Tokens', async () => {
		const error = await run({ prompt: 'Hi', options: { maxCompletionTokens: 255 } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Max Completion Tokens must be at least 256 (got 255)');
		expect(error.description).toMatch(/Max Tokens/);
		expect(chatRequests()).toHaveLength(0);
		// 256 itself is accepted by the emulator, which enforces OA's minimum.
		await run({ prompt: 'Hi', options: { maxCompletionTokens: 256 } });
		expect(chatRequests().map((request) => request.status)).toEqual([200]);
	});

	it('never sends max_tokens and max_completion_tokens together: both set is an error before sending', async () => {
		emulator.control.configure({ bothMaxTokens: 'reject' });
		const error = await run({ prompt: 'Hi', options: { maxTokens: 300, maxCompletionTokens: 400 } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Max Tokens and Max Completion Tokens are both set');
		expect(chatRequests()).toHaveLength(0);
	});

	it('streams internally by default and asks for usage in the stream', async () => {
		await run({ prompt: 'Hi' });
		expect(chatRequests()[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
	});

	it('gives the same output streamed and not streamed', async () => {
		const params = {
			inputType: 'messages',
			messages: { message: [{ role: 'developer', content: 'Answer in JSON.' }, { role: 'user', content: 'List three colours' }] },
		};
		const strip = (json: Record<string, unknown>) => ({ ...json, requestId: undefined });
		for (const extra of [{}, { n: 3 }, { responseFormat: 'json_object' }, { maxTokens: 3 }]) {
			const [streamed] = [await run({ ...params, options: { ...extra } })];
			const [plain] = [await run({ ...params, options: { ...extra, stream: false } })];
			expect(streamed.map((item) => strip(item.json))).toEqual(plain.map((item) => strip(item.json)));
		}
		const raw = await run({ ...params, output: 'raw' });
		const rawPlain = await run({ ...params, output: 'raw', options: { stream: false } });
		const shape = (json: Record<string, unknown>) => ({ ...json, id: undefined, created: undefined });
		expect(shape(raw[0].json)).toEqual(shape(rawPlain[0].json));
	});

	it.each([
		['ended', { kind: 'truncate-stream', afterFinish: true, path: CHAT }],
		['broke off', { kind: 'reset-mid-body', frames: -2, path: CHAT }],
	] as const)('accepts a stream that %s after its finish_reason but before usage and [DONE]: whole, and not sent again', async (_, fault) => {
		emulator.control.enqueueFaults([fault]);
		const [item] = await run({ prompt: 'Hi' });
		expect(chatRequests()).toHaveLength(1);
		expect(item.json).toMatchObject({ content: 'Echo: Hi', finishReason: 'stop', usage: {} });
	});

	it('validates every item before sending any, so bad input in item 3 bills nothing', async () => {
		const error = await run(
			{ prompt: 'Hi' },
			{ perItem: [{}, {}, { options: { temperature: 9 } }] },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBe(2);
		expect(chatRequests()).toHaveLength(0);
	});

	it('trims a key pasted with a trailing newline', async () => {
		const ctx = fakeExecuteContext({
			node: new DigitalOceanChat(),
			params: { model: model('llama3.3-70b-instruct'), prompt: 'Hi' },
			credentials: { apiKey: `${DEFAULT_KEY}\n`, baseUrl: emulator.url },
		});
		const [[item]] = await new DigitalOceanChat().execute.call(ctx);
		expect(item.json.content).toBeTruthy();
	});

	it('folds streamed tool calls into the same shape as a JSON reply', async () => {
		const client = new InferenceClient({ node: TEST_NODE, baseUrl: emulator.url, apiKey: DEFAULT_KEY });
		const body = {
			model: 'llama3.3-70b-instruct',
			messages: [{ role: 'user', content: 'Please call get_weather for Paris' }],
			tools: [
				{
					type: 'function',
					function: {
						name: 'get_weather',
						parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
					},
				},
			],
		};
		const plain = await client.json<{ choices: Array<{ message: unknown; finish_reason: string }> }>({ path: CHAT, body });
		const { data: streamed } = await client.stream({ path: CHAT, body: { ...body, stream: true } }, () => new ChatStreamReader());
		expect(streamed.choices[0].finish_reason).toBe('tool_calls');
		const normalize = (message: { tool_calls?: Array<{ id?: string }> }) => ({
			...message,
			tool_calls: message.tool_calls?.map((call) => ({ ...call, id: typeof call.id })),
		});
		expect(normalize(streamed.choices[0].message as never)).toEqual(normalize(plain.data.choices[0].message as never));
	});

	it('returns one item per choice when n > 1', async () => {
		const output = await run({ prompt: 'Hi', options: { n: 2 } });
		expect(output.map((item) => [item.json.choiceIndex, item.pairedItem])).toEqual([
			[0, { item: 0 }],
			[1, { item: 0 }],
		]);
	});

	it('returns the full API response with Output = Raw', async () => {
		const [item] = await run({ prompt: 'Hi', output: 'raw' });
		expect(item.json).toMatchObject({ object: 'chat.completion', model: 'llama3.3-70b-instruct' });
		expect((item.json.choices as unknown[]).length).toBe(1);
	});

	it('shows reasoning for reasoning models', async () => {
		const [item] = await run({ prompt: 'Think about it', model: model('openai-gpt-oss-120b') });
		expect(typeof item.json.reasoning).toBe('string');
		expect(String(item.json.reasoning).length).toBeGreaterThan(0);
	});

	it('reports the router route and the chosen model', async () => {
		const [item] = await run({ prompt: 'Write some code for me', model: model('router:software-engineering') });
		expect(item.json.route).toEqual(expect.any(String));
		expect(String(item.json.model)).not.toMatch(/^router:/);
	});

	it('sends input images as vision parts', async () => {
		const [item] = await run(
			{ prompt: 'What is in this picture?', model: model('nemotron-nano-12b-v2-vl'), options: { imageBinaryFields: 'data', imageDetail: 'low' } },
			{ items: [binaryItem('data', PNG_1X1, 'image/png', 'dot.png')] },
		);
		const message = (chatRequests()[0].body as { messages: Array<{ content: unknown }> }).messages[0];
		expect(message.content).toEqual([
			{ type: 'text', text: 'What is in this picture?' },
			{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1.toString('base64')}`, detail: 'low' } },
		]);
		expect(String(item.json.content)).toMatch(/image/i);
	});

	it('rejects a non-image binary before any request', async () => {
		const error = await run(
			{ prompt: 'Look', model: model('nemotron-nano-12b-v2-vl'), options: { imageBinaryFields: 'data' } },
			{ items: [binaryItem('data', Buffer.from('%PDF-1.7 not an image'), 'image/png', 'fake.png')] },
		).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/not a PNG, JPEG or WebP/);
		expect(error.context.itemIndex).toBe(0);
		expect(chatRequests()).toHaveLength(0);
	});

	it.each([
		[{ prompt: '   ' }, /prompt is empty/],
		[{ prompt: 'Hi', options: { temperature: 3 } }, /Temperature must be between 0 and 2/],
		[{ prompt: 'Hi', options: { topP: 1.5 } }, /Top P/],
		[{ prompt: 'Hi', options: { stop: 'a\nb\nc\nd\ne' } }, /At most 4 stop sequences/],
		[{ prompt: 'Hi', options: { responseFormat: 'json_schema', jsonSchema: '{not json' } }, /JSON Schema is not valid JSON/],
		[{ prompt: 'Hi', model: model('') }, /No model selected/],
		[{ inputType: 'messages', messages: { message: [] } }, /message list is empty/],
		[{ inputType: 'messages', messages: { message: [{ role: 'user', content: '' }] } }, /Message 1 has no content/],
	])('rejects bad input before any request: %j', async (params, message) => {
		const error = await run(params as Params).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(chatRequests()).toHaveLength(0);
	});

	it('sends a JSON schema response format', async () => {
		const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
		const [item] = await run({
			prompt: 'Capital of France?',
			options: { responseFormat: 'json_schema', jsonSchema: JSON.stringify(schema), jsonSchemaName: 'capital' },
		});
		expect(chatRequests()[0].body).toMatchObject({
			response_format: { type: 'json_schema', json_schema: { name: 'capital', schema } },
		});
		expect(JSON.parse(String(item.json.content))).toHaveProperty('city');
	});

	it('fails with a 401 that names the Model Access Key and hides the key', async () => {
		const wrongKey = 'this-wrong-key-must-not-leak';
		const ctx = fakeExecuteContext({
			node: new DigitalOceanChat(),
			params: { model: model('llama3.3-70b-instruct'), prompt: 'Hi' },
			credentials: { apiKey: wrongKey, baseUrl: emulator.url },
		});
		const error = await new DigitalOceanChat().execute.call(ctx).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(error.message).toMatch(/Model Access Key/);
		expect(JSON.stringify(error)).not.toContain(wrongKey);
	});

	it('with continueOnFail, a failing item 2 of 3 becomes an error item in place', async () => {
		const output = await run(
			{ prompt: 'Hi' },
			{
				perItem: [{}, { model: model('no-such-model') }, {}],
				continueOnFail: true,
				params: { model: model('llama3.3-70b-instruct'), prompt: 'Hi', requestOptions: { concurrency: 3 } },
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(Object.keys(output[1].json)).toEqual(['error']);
		expect(String(output[1].json.error)).toMatch(/not found/i);
		expect(output[0].json.content).toBeTruthy();
		expect(output[2].json.content).toBeTruthy();
	});

	it('keeps the key out of every output and the debug log', async () => {
		const ctx = fakeExecuteContext({
			node: new DigitalOceanChat(),
			params: { model: model('llama3.3-70b-instruct'), prompt: 'Hi', output: 'raw' },
			credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		});
		emulator.control.enqueueFaults([{ kind: 'status', status: 503, path: CHAT }]);
		const output = await new DigitalOceanChat().execute.call(ctx);
		expect(JSON.stringify(output)).not.toContain(DEFAULT_KEY);
		expect(ctx.debugLog.join('\n')).not.toContain(DEFAULT_KEY);
		expect(ctx.debugLog.length).toBeGreaterThan(0);
	});
});

describe('DigitalOcean Chat node: a paid answer is not requested twice', () => {
	const prompt = 'Tell me about the lighthouse keeper and the long winter storm';
	const answer = `Echo: ${prompt}`;

	it('a stream that broke off after text arrived is an error item saying how much, with exactly one request', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const [item, other] = await run({ prompt }, { perItem: [{}, { prompt: 'Hi' }], continueOnFail: true });
		expect(chatRequests().filter((request) => JSON.stringify(request.body).includes('lighthouse'))).toHaveLength(1);
		expect(Object.keys(item.json)).toEqual(['error']);
		const text = String(item.json.error);
		expect(text).toMatch(/^The connection was reset while the answer was arriving/);
		expect(text).toMatch(/\b\d+ characters of text had arrived when this happened/);
		expect(text).toContain('The request was not repeated, so as not to be billed twice');
		expect(text).toContain('Retry Broken Answers');
		const arrived = Number(/(\d+) characters of text/.exec(text)![1]);
		expect(arrived).toBeGreaterThan(0);
		expect(arrived).toBeLessThan(answer.length);
		expect(other.json.content).toBe('Echo: Hi');
	});

	it('a stream that ended without its finish, or carried an error event, after content: one request, the error says so', async () => {
		emulator.control.enqueueFaults([{ kind: 'truncate-stream', path: CHAT }]);
		const truncated = await run({ prompt }).catch((e) => e);
		expect(truncated).toBeInstanceOf(NodeApiError);
		expect(truncated.message).toBe('The answer stream ended before the answer was complete');
		expect(truncated.description).toMatch(/^\d+ characters of text had arrived when this happened\. The request was not repeated/);

		emulator.control.enqueueFaults([{ kind: 'stream-error', path: CHAT, error: { message: 'Model overloaded', type: 'overloaded_error' } }]);
		const errorEvent = await run({ prompt }).catch((e) => e);
		expect(errorEvent.httpCode).toBe('503');
		expect(errorEvent.description).toMatch(/characters of text had arrived when this happened\. The request was not repeated/);
		expect(errorEvent.description).toContain('Model overloaded');
		expect(chatRequests()).toHaveLength(2);
	});

	it('counts tool calls and reasoning in what had arrived', async () => {
		const tools = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
		// The stream is cut just before the finish chunk: reasoning and the whole tool call are in.
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', frames: -3, path: CHAT }]);
		const error = await run({
			model: model('deepseek-r1-distill-llama-70b'),
			prompt: 'Please call get_weather for Paris',
			options: { functionTools: JSON.stringify(tools) },
		}).catch((e) => e);
		expect(error.description).toMatch(/^\d+ characters of reasoning and 1 tool call had arrived/);
		expect(chatRequests()).toHaveLength(1);
	});

	it('sends it again when the stream broke before any of the answer arrived (after the headers, or after the role chunk only)', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'reset-after-headers', path: CHAT },
			{ kind: 'reset-mid-body', frames: 1, path: CHAT },
			{ kind: 'stream-error', frames: 0, path: CHAT, error: { message: 'Model overloaded', type: 'overloaded_error' } },
		]);
		const [item] = await run({ prompt, requestOptions: { maxRetries: 3 } });
		expect(item.json.content).toBe(answer);
		expect(chatRequests()).toHaveLength(4);
		expect(item.json.requestId).toBe(chatRequests()[3].id);
	});

	it('with Retry Broken Answers on, a stream that broke after content is sent again', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const [item] = await run({ prompt, requestOptions: { retryBrokenAnswers: true } });
		expect(item.json.content).toBe(answer);
		expect(chatRequests()).toHaveLength(2);
	});

	it('offers Retry Broken Answers only on the nodes whose paid answer arrives in the reply', () => {
		const offers = (node: INodeType) =>
			(node.description.properties.find((property) => property.name === 'requestOptions')?.options as Array<{ name: string }>).some(
				(option) => option.name === 'retryBrokenAnswers',
			);
		const withIt = [new DigitalOceanChat(), new DigitalOceanResponses(), new DigitalOceanMessages(), new DigitalOceanEmbeddings(), new DigitalOceanImage()];
		expect(withIt.map(offers)).toEqual([true, true, true, true, true]);
		// Speech audio streams into n8n as it arrives; Video and Fal submissions are never repeated.
		expect([new DigitalOceanSpeech(), new DigitalOceanVideo(), new DigitalOceanFal()].map(offers)).toEqual([false, false, false]);
	});

	it('a JSON reply cut mid-body is not sent again either: the server had done the work', async () => {
		emulator.control.enqueueFaults([{ kind: 'reset-mid-body', path: CHAT }]);
		const error = await run({ prompt, options: { stream: false } }).catch((e) => e);
		expect(error.message).toBe('The connection was reset while the answer was arriving');
		expect(error.description).toMatch(/^[\d,]+ bytes of the reply had arrived when this happened\. The request was not repeated/);
		expect(chatRequests()).toHaveLength(1);
	});

	it('but a JSON request refused with a 5xx or reset before its headers is sent again', async () => {
		emulator.control.enqueueFaults([
			{ kind: 'status', status: 503, path: CHAT },
			{ kind: 'reset-before-headers', path: CHAT },
		]);
		const [item] = await run({ prompt, options: { stream: false } });
		expect(item.json.content).toBe(answer);
		expect(chatRequests().map((request) => request.status)).toEqual([503, 0, 200]);
	});
});
