/**
 * The batch input file (nodes/DigitalOceanBatch/batchFile.ts): each provider's native line format, the
 * checks DigitalOcean's limits and the providers' rules ask for (made before any upload), and the
 * deterministic request_id that keeps a repeated Submit from creating a second batch.
 */
import {
	API_TARGETS,
	batchRequestId,
	BatchFileBuilder,
	checkRequestBody,
	defaultCustomId,
	findNonTextPart,
	itemIndexOfCustomId,
	MAX_FILE_BYTES,
	MAX_LINES,
	requestLine,
	type BatchApi,
} from '../../nodes/DigitalOceanBatch/batchFile';
import { InputError } from '../../nodes/shared/validation';

const chatBody = (content: string, model = 'openai-gpt-4o-mini') => ({ model, messages: [{ role: 'user', content }] });
const messagesBody = (content: string) => ({ model: 'anthropic-claude-haiku-4.5', max_tokens: 256, messages: [{ role: 'user', content }] });

function thrown(action: () => unknown): InputError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return error as InputError;
	}
	throw new Error('expected an InputError');
}

function fileOf(api: BatchApi, bodies: Array<Record<string, unknown>>) {
	const builder = new BatchFileBuilder(api);
	bodies.forEach((body, index) => builder.add(index, defaultCustomId(index), body));
	return builder.finish();
}

const linesOf = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');

describe('batch file: line formats', () => {
	it('writes OpenAI lines as {custom_id, method, url, body} with the endpoint as url', () => {
		expect(JSON.parse(requestLine('chat', 'item-0', chatBody('Hi')))).toEqual({
			custom_id: 'item-0',
			method: 'POST',
			url: '/v1/chat/completions',
			body: chatBody('Hi'),
		});
		expect(JSON.parse(requestLine('responses', 'q-1', { model: 'openai-gpt-4.1-mini', input: 'Hi' }))).toEqual({
			custom_id: 'q-1',
			method: 'POST',
			url: '/v1/responses',
			body: { model: 'openai-gpt-4.1-mini', input: 'Hi' },
		});
	});

	it('writes Anthropic lines in the Message Batches format {custom_id, params}', () => {
		expect(JSON.parse(requestLine('messages', 'item-3', messagesBody('Hi')))).toEqual({ custom_id: 'item-3', params: messagesBody('Hi') });
	});

	it('maps each API to its provider and endpoint; Anthropic has none (it must be omitted on create)', () => {
		expect(API_TARGETS.chat).toMatchObject({ provider: 'openai', endpoint: '/v1/chat/completions' });
		expect(API_TARGETS.responses).toMatchObject({ provider: 'openai', endpoint: '/v1/responses' });
		expect(API_TARGETS.messages.provider).toBe('anthropic');
		expect(API_TARGETS.messages.endpoint).toBeUndefined();
	});

	it('ends every line with a newline, one line per item, byte count exact', () => {
		const file = fileOf('chat', [chatBody('één'), chatBody('two\nlines')]);
		const text = linesOf(file.chunks);
		expect(text.endsWith('\n')).toBe(true);
		expect(text.split('\n')).toHaveLength(3);
		expect(file.lines).toBe(2);
		expect(file.bytes).toBe(Buffer.byteLength(text));
		expect(JSON.parse(text.split('\n')[1]).body.messages[0].content).toBe('two\nlines');
		expect([...file.itemOfCustomId]).toEqual([
			['item-0', 0],
			['item-1', 1],
		]);
	});

	it('recovers the item index from default custom IDs only', () => {
		expect(itemIndexOfCustomId(defaultCustomId(0))).toBe(0);
		expect(itemIndexOfCustomId(defaultCustomId(4711))).toBe(4711);
		for (const other of ['item-', 'item-01', 'item-1a', 'sku-1', 'Item-1', ' item-1']) expect(itemIndexOfCustomId(other)).toBeUndefined();
	});
});

describe('batch file: request checks', () => {
	it('accepts a complete body for each API', () => {
		expect(checkRequestBody('chat', chatBody('Hi'))).toEqual(chatBody('Hi'));
		expect(checkRequestBody('responses', { model: 'm', input: [{ role: 'user', content: 'Hi' }] })).toBeDefined();
		expect(checkRequestBody('messages', messagesBody('Hi'))).toEqual(messagesBody('Hi'));
	});

	it.each([
		['chat', 'not an object', ['a'], 'must be a JSON object'],
		['chat', 'no model', { messages: [{ role: 'user', content: 'x' }] }, 'has no model'],
		['chat', 'empty messages', { model: 'm', messages: [] }, 'has no "messages"'],
		['chat', 'messages as text', { model: 'm', messages: 'hi' }, 'has no "messages"'],
		['responses', 'no input', { model: 'm' }, 'has no "input"'],
		['messages', 'no max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'has no "max_tokens"'],
		['messages', 'max_tokens 0', { model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, 'has no "max_tokens"'],
		['chat', 'stream', { ...chatBody('x'), stream: true }, 'cannot stream'],
	])('%s: refuses %s', (api, _what, body, message) => {
		expect(thrown(() => checkRequestBody(api as BatchApi, body)).message).toContain(message);
	});

	it('refuses images, files and audio anywhere in the body, naming where (text prompts only)', () => {
		const vision = {
			model: 'm',
			messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }],
		};
		const error = thrown(() => checkRequestBody('chat', vision));
		expect(error.message).toBe('The request contains a non-text part at messages[0].content[1]');
		expect(error.description).toContain('text prompts only');
		expect(findNonTextPart({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] })).toBe('input[0].content[0]');
		expect(findNonTextPart({ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] })).toBe('messages[0].content[0]');
		expect(findNonTextPart(chatBody('an image_url in words is fine'))).toBeUndefined();
	});
});

describe('batch file: limits and rules', () => {
	it('refuses a duplicate custom ID, naming the item that has it', () => {
		const builder = new BatchFileBuilder('chat');
		builder.add(0, 'sku-1', chatBody('a'));
		const error = thrown(() => builder.add(1, 'sku-1', chatBody('b')));
		expect(error.message).toBe('Custom ID "sku-1" is used by item 0 too');
		expect(builder.lines).toBe(1);
	});

	it('refuses an empty custom ID, and for Anthropic anything but 1–64 letters, digits, _ and -', () => {
		expect(thrown(() => new BatchFileBuilder('chat').add(0, '  ', chatBody('a'))).message).toBe('The Custom ID is empty');
		const anthropic = new BatchFileBuilder('messages');
		anthropic.add(0, 'A-z_09', messagesBody('a'));
		expect(thrown(() => anthropic.add(1, 'sku 1', messagesBody('b'))).message).toContain('not valid for Anthropic');
		expect(thrown(() => anthropic.add(2, 'x'.repeat(65), messagesBody('b'))).message).toContain('not valid for Anthropic');
		// OpenAI has no such rule.
		new BatchFileBuilder('chat').add(0, 'sku 1/ä', chatBody('a'));
	});

	it('refuses a second model in an OpenAI batch (one model per batch); Anthropic batches may mix', () => {
		const openai = new BatchFileBuilder('chat');
		openai.add(0, 'item-0', chatBody('a', 'openai-gpt-4o-mini'));
		expect(thrown(() => openai.add(1, 'item-1', chatBody('b', 'openai-gpt-4o'))).message).toBe(
			'Item 1 uses model "openai-gpt-4o", item 0 "openai-gpt-4o-mini"',
		);
		const anthropic = new BatchFileBuilder('messages');
		anthropic.add(0, 'item-0', messagesBody('a'));
		anthropic.add(1, 'item-1', { ...messagesBody('b'), model: 'anthropic-claude-opus-4.6' });
		expect(anthropic.lines).toBe(2);
	});

	it('stops at 50,000 requests for OpenAI and 100,000 for Anthropic', () => {
		expect(MAX_LINES).toEqual({ openai: 50_000, anthropic: 100_000 });
		const openai = new BatchFileBuilder('chat');
		for (let index = 0; index < MAX_LINES.openai; index++) openai.add(index, defaultCustomId(index), chatBody('x'));
		expect(thrown(() => openai.add(50_000, 'item-50000', chatBody('x'))).message).toBe('A batch for OpenAI models takes at most 50,000 requests');
		const anthropic = new BatchFileBuilder('messages');
		for (let index = 0; index < MAX_LINES.anthropic; index++) anthropic.add(index, defaultCustomId(index), messagesBody('x'));
		expect(thrown(() => anthropic.add(100_000, 'item-100000', messagesBody('x'))).message).toBe(
			'A batch for Anthropic models takes at most 100,000 requests',
		);
	});

	it('stops before the file passes 200 MB (200,000,000 bytes)', () => {
		expect(MAX_FILE_BYTES).toBe(200_000_000);
		const builder = new BatchFileBuilder('chat');
		const big = 'x'.repeat(9_999_800);
		let added = 0;
		let error: InputError | undefined;
		while (!error) {
			try {
				builder.add(added, defaultCustomId(added), chatBody(big));
				added++;
			} catch (caught) {
				error = caught as InputError;
			}
		}
		expect(error.message).toContain("larger than DigitalOcean's limit of 200 MB");
		const file = builder.finish();
		expect(file.lines).toBe(added);
		expect(file.bytes).toBeLessThanOrEqual(MAX_FILE_BYTES);
		expect(file.bytes + file.bytes / added).toBeGreaterThan(MAX_FILE_BYTES);
	});

	it('has nothing to submit without lines', () => {
		expect(thrown(() => new BatchFileBuilder('chat').finish()).message).toBe('There is nothing to submit');
	});
});

describe('batch file: request_id', () => {
	const chat = () => fileOf('chat', [chatBody('a'), chatBody('b')]);

	it('is a UUID that depends only on the content: the same input gives the same id', () => {
		const id = batchRequestId(chat(), {});
		expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(batchRequestId(chat(), {})).toBe(id);
		expect(batchRequestId(chat(), { metadata: { b: '2', a: '1' } })).toBe(batchRequestId(chat(), { metadata: { a: '1', b: '2' } }));
	});

	it('changes with any request, their order, the endpoint, the metadata or the Idempotency Key', () => {
		const base = batchRequestId(chat(), {});
		const others = [
			batchRequestId(fileOf('chat', [chatBody('a'), chatBody('c')]), {}),
			batchRequestId(fileOf('chat', [chatBody('b'), chatBody('a')]), {}),
			batchRequestId(fileOf('chat', [chatBody('a')]), {}),
			batchRequestId(chat(), { metadata: { team: 'x' } }),
			batchRequestId(chat(), { key: '2026-05-01' }),
			batchRequestId(chat(), { key: '2026-05-02' }),
		];
		expect(new Set([base, ...others]).size).toBe(others.length + 1);
		// The same bodies sent to another endpoint make another file, hence another id.
		const responses = fileOf('responses', [{ model: 'm', input: 'a' }]);
		const asChat = fileOf('chat', [{ model: 'm', input: 'a' }]);
		expect(batchRequestId(responses, {})).not.toBe(batchRequestId(asChat, {}));
	});
});
