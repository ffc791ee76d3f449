/**
 * What a node execution costs before its first request (issue 14): one-time work is paid once per
 * process, and work only some executions need is not done by the others. Each execution builds its own
 * InferenceClient (createClient), so anything the constructor or a request builds is paid per execution.
 */
import * as networkPolicy from '../../nodes/shared/networkPolicy';
import { InferenceClient } from '../../nodes/shared/transport';
import { DEFAULT_KEY } from '../emulator';
import { TEST_NODE } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const emulator = useEmulator();

const CHAT = '/v1/chat/completions';
const chatBody = { model: 'llama3.3-70b-instruct', messages: [{ role: 'user', content: 'Hello there' }] };

/** One execution's client, as createClient builds it. */
const executionClient = () => new InferenceClient({ node: TEST_NODE, baseUrl: emulator.url, apiKey: DEFAULT_KEY });

afterEach(() => jest.restoreAllMocks());

describe('per-execution work of the transport', () => {
	it('three executions share one keep-alive connection: no pool or connection is built per execution', async () => {
		// Warm up: the process-wide pool and its first connection are built on first use (once per process).
		await executionClient().json({ path: CHAT, body: chatBody });
		emulator.control.reset();
		for (let execution = 0; execution < 3; execution++) {
			// Executions never start in the tick the previous answer ended in (undici frees the connection then).
			await new Promise((resolve) => setImmediate(resolve));
			const reply = await executionClient().json({ path: CHAT, body: chatBody });
			expect(reply.status).toBe(200);
		}
		expect(emulator.control.stats()).toMatchObject({ total: 3, connections: 0 });
	});

	it("an execution that only calls the API never reads n8n's SSRF settings (the download policy is built at the first download)", async () => {
		const Policy = networkPolicy.DownloadPolicy;
		const policies = jest
			.spyOn(networkPolicy, 'DownloadPolicy')
			.mockImplementation(((...args: ConstructorParameters<typeof Policy>) => new Policy(...args)) as never);
		const client = executionClient();
		await client.json({ path: CHAT, body: chatBody });
		expect(policies).not.toHaveBeenCalled();

		// A download builds it once for the client, and the next download reuses it.
		for (let download = 0; download < 2; download++) {
			const file = await client.download(`${emulator.cdnUrl}/files/large-4096.mp4`);
			for await (const chunk of file.stream) void chunk;
		}
		expect(policies).toHaveBeenCalledTimes(1);
	});

	it('the lazily built policy still refuses what the eager one did', async () => {
		const error = await executionClient()
			.download('http://169.254.169.254/latest/meta-data/')
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toMatch(/169\.254\.169\.254/);
	});
});
