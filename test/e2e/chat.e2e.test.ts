/**
 * DigitalOcean Chat in a real n8n (pinned, installed on demand outside the clone), driven by the n8n
 * CLI against the local emulator. Runs the importable workflows in examples/.
 *
 *   npm run test:e2e            (builds first; the first run installs n8n: a few minutes)
 */
import { randomBytes } from 'node:crypto';

import type { LoggedRequest } from '../emulator';
import { cloneWorkflow, nodeOutput, readExample } from './harness';
import { MODEL_CREDENTIAL_TYPE, RUN_TIMEOUT, modelCredential, postsTo, testNoKeyLeak, useN8nWithEmulator } from './setup';

const CHAT_NODE = 'DigitalOcean Chat';
const WRONG_CRED = { id: 'doInfCredWrongKey1', name: 'DigitalOcean wrong key (e2e)' };
/** Random per run, so a leak check cannot pass by accident. */
const WRONG_KEY = `do-e2e-wrong-${randomBytes(12).toString('hex')}`;

const basic = readExample('chat-basic');
const vision = readExample('chat-vision');
const continueOnFail = readExample('chat-continue-on-fail');
const wrongKey = cloneWorkflow(basic, {
	id: 'doInfChatWrongKey01',
	name: 'DigitalOcean Chat: wrong key (e2e)',
	credentials: { [MODEL_CREDENTIAL_TYPE]: WRONG_CRED },
});

const PNG_BASE64 = (() => {
	const setImage = vision.nodes.find((n) => n.name === 'Set Image')!;
	return (setImage.parameters as any).assignments.assignments[0].value as string;
})();

const setup = useN8nWithEmulator({
	workflows: [basic, vision, continueOnFail, wrongKey],
	builtFiles: ['dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js'],
	// The emulator accepts only the model key, so WRONG_KEY gets a real 401.
	credentials: (ctx) => [modelCredential(ctx), modelCredential(ctx, WRONG_KEY, WRONG_CRED)],
});

const chatRequests = (requests: LoggedRequest[]) => postsTo(requests, '/v1/chat/completions');

test(
	'chat: a prompt from the previous node goes to the model and the answer comes back',
	async () => {
		const { result, run, requests } = await setup.run(basic.id);
		expect(run.data.resultData.error).toBeUndefined();
		expect(result.exitCode).toBe(0);

		const items = nodeOutput(run, CHAT_NODE);
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(Object.keys(item.json).sort()).toEqual(
			['content', 'finishReason', 'model', 'output', 'reasoning', 'requestId', 'toolCalls', 'usage'].sort(),
		);
		expect(typeof item.json.content).toBe('string');
		expect(item.json.content).toContain('What is the capital of France?');
		// The answer again under the name the Chat Trigger's "Last Node" response mode reads.
		expect(item.json.output).toBe(item.json.content);
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
		expect(req.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
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
		const { result, run, requests } = await setup.run(vision.id);
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
		const { result, run, requests } = await setup.run(wrongKey.id);
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
		const { result, run, requests } = await setup.run(continueOnFail.id);
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

testNoKeyLeak(setup, basic.id, [WRONG_KEY]);
