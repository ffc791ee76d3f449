/**
 * DigitalOcean Responses in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator: runs examples/responses-two-turn.json, where the second node
 * continues the first one's stored response through `previous_response_id`.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/responses
 */
import { nodeOutput, readExample } from './harness';
import { RUN_TIMEOUT, postsTo, testNoKeyLeak, useN8nWithEmulator } from './setup';

const FIRST = 'First Turn';
const SECOND = 'Second Turn';

const twoTurn = readExample('responses-two-turn');

const OUTPUT_KEYS = ['builtInToolCalls', 'functionCalls', 'model', 'output', 'reasoning', 'requestId', 'responseId', 'status', 'text', 'usage'];

const setup = useN8nWithEmulator({
	workflows: [twoTurn],
	builtFiles: ['dist/nodes/DigitalOceanResponses/DigitalOceanResponses.node.js'],
});

/** Runs the example and checks the chain end to end; returns both answers. */
async function runChain() {
	const { result, run, requests } = await setup.run(twoTurn.id);
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
		expect(item.json.output).toBe(item.json.text);
	}
	expect(first.json.text).toBe('Echo: My name is Ada and my favourite colour is teal.');
	expect(first.json.responseId).toEqual(expect.stringMatching(/\S/));
	expect(second.json.responseId).not.toBe(first.json.responseId);

	// Exactly two requests: the first stores, the second continues exactly the first response.
	const posts = postsTo(requests, '/v1/responses');
	expect(requests).toHaveLength(2);
	expect(posts.map((r) => r.status)).toEqual([200, 200]);
	for (const request of posts) expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
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
		setup.emulator.control.configure({ responsesStreamFormat: 'events' });
		await runChain();
	},
	RUN_TIMEOUT,
);

test(
	'responses two-turn with the response.chunk stream format: the same chain and answers',
	async () => {
		setup.emulator.control.configure({ responsesStreamFormat: 'chunks' });
		try {
			await runChain();
		} finally {
			setup.emulator.control.configure({ responsesStreamFormat: 'events' });
		}
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, twoTurn.id);
