/** The Chat Model sub-node's translation between n8n's AI SDK and the chat wire format, and its stream bridge. */
import type { Message } from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';

import { pushed } from '../../nodes/DigitalOceanChatModel/pushed';
import { toGenerateResult, toWireMessages, tokenUsage } from '../../nodes/DigitalOceanChatModel/wireMessages';
import type { ChatCompletion } from '../../nodes/shared/chatCompletion';
import { InputError } from '../../nodes/shared/validation';

const PNG_BASE64 = 'iVBORw0KGgo=';

describe('toWireMessages', () => {
	it('writes system, user, assistant tool calls and tool results as the chat API expects', () => {
		const messages: Message[] = [
			{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
			{ role: 'user', content: [{ type: 'text', text: 'Weather ' }, { type: 'text', text: 'in Paris?' }] },
			{
				role: 'assistant',
				content: [
					{ type: 'reasoning', text: 'I should look it up.' },
					{ type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: '{"city":"Paris"}' },
					{ type: 'tool-call', toolCallId: 'call_2', toolName: 'get_time', input: '{}' },
				],
			},
			{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', result: 'Sunny' }] },
			{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_2', result: { hour: 9 } }] },
			{ role: 'assistant', content: [{ type: 'text', text: 'Sunny, 9 am.' }] },
		];
		expect(toWireMessages(messages)).toEqual([
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Weather in Paris?' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [
					{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
					{ id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
				],
			},
			{ role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
			{ role: 'tool', tool_call_id: 'call_2', content: '{"hour":9}' },
			{ role: 'assistant', content: 'Sunny, 9 am.' },
		]);
	});

	it('keeps the text of an assistant message that also calls a tool, and joins text blocks of a tool result', () => {
		const [assistant, tool] = toWireMessages([
			{ role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool-call', toolCallId: 'c', toolName: 'f', input: '{}' }] },
			{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', result: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] },
		]);
		expect(assistant).toMatchObject({ content: 'Let me check.', tool_calls: [{ id: 'c' }] });
		expect(tool).toEqual({ role: 'tool', tool_call_id: 'c', content: 'ab' });
	});

	it('sends images as image_url parts: a URL as it is, bytes and base64 as a data URL', () => {
		const [user] = toWireMessages([
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is in these?' },
					{ type: 'file', mediaType: 'image/png', data: PNG_BASE64 },
					{ type: 'file', mediaType: 'image/jpeg', data: new Uint8Array([0xff, 0xd8]) },
					{ type: 'file', mediaType: 'image/png', data: '', providerMetadata: { url: 'https://example.com/a.png' } },
				],
			},
		]);
		expect(user.content).toEqual([
			{ type: 'text', text: 'What is in these?' },
			{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
			{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9g=' } },
			{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
		]);
	});

	it('refuses a file that is not an image, saying what to do', () => {
		const convert = () => toWireMessages([{ role: 'user', content: [{ type: 'file', mediaType: 'application/pdf', data: 'JVBERi0=' }] }]);
		expect(convert).toThrow(InputError);
		expect(convert).toThrow('DigitalOcean chat models read text and images, not application/pdf');
	});
});

describe('toGenerateResult and tokenUsage', () => {
	const completion = (message: Record<string, unknown>, finish: string | null = 'stop', usage?: IDataObject): ChatCompletion => ({
		id: 'chatcmpl-1',
		object: 'chat.completion',
		created: 1,
		model: 'm',
		choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: finish }],
		usage,
	});
	const resultOf = (c: ChatCompletion) => toGenerateResult(c, c.choices[0]);

	it('maps text, tool calls, finish reasons and usage; reasoning stays out of the answer', () => {
		const result = resultOf(
			completion(
				{ content: 'Checking.', reasoning_content: 'hmm', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
				'tool_calls',
				{ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cache_read_input_tokens: 1043, completion_tokens_details: { reasoning_tokens: 3 } },
			),
		);
		expect(result).toEqual({
			id: 'chatcmpl-1',
			finishReason: 'tool-calls',
			usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, inputTokenDetails: { cacheRead: 1043 }, outputTokenDetails: { reasoning: 3 } },
			message: {
				role: 'assistant',
				id: 'chatcmpl-1',
				content: [
					{ type: 'text', text: 'Checking.' },
					{ type: 'tool-call', toolCallId: 'call_9', toolName: 'f', input: '{"a":1}' },
				],
			},
		});
		expect(['length', 'content_filter', null, 'weird'].map((finish) => resultOf(completion({ content: 'x' }, finish)).finishReason)).toEqual([
			'length',
			'content-filter',
			'other',
			'other',
		]);
	});

	it('gives a tool call without an id one (a tool result must name its call), and arguments "" become {}', () => {
		const result = resultOf(completion({ tool_calls: [{ id: '', function: { name: 'f', arguments: '' } }, { function: { name: 'g' } }] }, 'tool_calls'));
		const calls = result.message.content.filter((block) => block.type === 'tool-call');
		expect(calls).toEqual([
			{ type: 'tool-call', toolCallId: expect.stringMatching(/^call_[0-9a-f]{24}$/), toolName: 'f', input: '{}' },
			{ type: 'tool-call', toolCallId: expect.stringMatching(/^call_[0-9a-f]{24}$/), toolName: 'g', input: '{}' },
		]);
		expect(new Set(calls.map((call) => (call as { toolCallId: string }).toolCallId)).size).toBe(2);
	});

	it('takes content parts, a refusal when there is no text, tool_calls: null, and an empty id', () => {
		const parts = resultOf({ ...completion({ content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], tool_calls: null }), id: '' });
		expect(parts.message).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'AB' }] });
		expect(parts.id).toBeUndefined();
		expect(resultOf(completion({ content: '', refusal: 'I cannot help with that.' })).message.content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
	});

	it('reads OpenAI-style cached tokens, and no usage as none', () => {
		expect(tokenUsage({ prompt_tokens: 4, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 8 } })).toEqual({
			promptTokens: 4,
			completionTokens: 2,
			totalTokens: 6,
			inputTokenDetails: { cacheRead: 8 },
		});
		expect(tokenUsage(undefined)).toBeUndefined();
	});
});

describe('pushed', () => {
	it('yields what the callback pushed, in order, then returns the result', async () => {
		const iterator = pushed<number, string>(async (push) => {
			push(1);
			await new Promise((resolve) => setTimeout(resolve, 5));
			push(2);
			push(3);
			return 'done';
		});
		const seen: number[] = [];
		let next = await iterator.next();
		for (; !next.done; next = await iterator.next()) seen.push(next.value);
		expect(seen).toEqual([1, 2, 3]);
		expect(next.value).toBe('done');
	});

	it('yields what came before a failure, then throws it', async () => {
		const seen: string[] = [];
		const failing = (async () => {
			for await (const value of pushed<string, void>(async (push) => {
				push('a');
				await new Promise((resolve) => setTimeout(resolve, 5));
				throw new Error('broke');
			})) {
				seen.push(value);
			}
		})();
		await expect(failing).rejects.toThrow('broke');
		expect(seen).toEqual(['a']);
	});
});
