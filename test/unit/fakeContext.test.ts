/** The fake n8n context itself: it must be as strict as n8n, or the node tests stop seeing bugs. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NodeOperationError, UserError, type INode, type INodeType } from 'n8n-workflow';

import { DigitalOceanChat } from '../../nodes/DigitalOceanChat/DigitalOceanChat.node';
import { DigitalOceanEmbeddings } from '../../nodes/DigitalOceanEmbeddings/DigitalOceanEmbeddings.node';
import { DigitalOceanImage } from '../../nodes/DigitalOceanImage/DigitalOceanImage.node';
import { DigitalOceanMessages } from '../../nodes/DigitalOceanMessages/DigitalOceanMessages.node';
import { DigitalOceanVideo } from '../../nodes/DigitalOceanVideo/DigitalOceanVideo.node';
import { fakeExecuteContext, fakeLoadOptionsContext, type FakeContextOptions } from './helpers/fakeContext';
import { packageCredentialTypes } from './helpers/fakeCredentials';

const INFERENCE = { apiKey: 'test-key', baseUrl: 'http://127.0.0.1:1' };
const AGENT = { endpointUrl: 'http://127.0.0.1:2', agentAccessKey: 'agent-key' };
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

const ROOT = join(__dirname, '..', '..');

/** Every node type of the package, by the type name n8n gives it, loaded from package.json's `n8n.nodes`. */
function packageNodeTypes(): Map<string, INodeType> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const manifest = require(join(ROOT, 'package.json')) as { n8n: { nodes: string[] } };
	const types = new Map<string, INodeType>();
	for (const distPath of manifest.n8n.nodes) {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exported = require(join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'))) as Record<string, new () => INodeType>;
		for (const NodeClass of Object.values(exported)) {
			const nodeType = new NodeClass();
			types.set(`n8n-nodes-digitalocean-inference.${nodeType.description.name}`, nodeType);
		}
	}
	return types;
}

function context(node: INodeType | null, options: Partial<FakeContextOptions> = {}) {
	return fakeExecuteContext({ params: {}, credentials: INFERENCE, ...options, node });
}

/** What a call throws (the test fails if it does not throw). */
function thrown(call: () => unknown): Error {
	try {
		call();
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a throw');
}

describe('fake context: credentials', () => {
	it('hands a node the credential type it declares, completed with the type defaults', async () => {
		const ctx = context(new DigitalOceanImage(), { credentials: { apiKey: 'only-a-key' } as never });
		expect(await ctx.getCredentials('digitalOceanInferenceApi')).toEqual({ apiKey: 'only-a-key', baseUrl: 'https://inference.do-ai.run' });
	});

	it('rejects a credential type the node does not declare, like n8n', async () => {
		const ctx = context(new DigitalOceanImage(), { credentialsByType: { digitalOceanAgentApi: AGENT } });
		await expect(ctx.getCredentials('digitalOceanAgentApi')).rejects.toThrow(
			'Node type "n8n-nodes-digitalocean-inference.digitalOceanImage" does not have any credentials of type "digitalOceanAgentApi" defined',
		);
	});

	it('rejects a declared credential that the current parameters hide (Chat on a model: no agent credential)', async () => {
		const ctx = context(new DigitalOceanChat(), { credentialsByType: { digitalOceanAgentApi: AGENT } });
		await expect(ctx.getCredentials('digitalOceanAgentApi')).rejects.toThrow('Credentials not found');
		const agent = context(new DigitalOceanChat(), { params: { target: 'agent' }, credentialsByType: { digitalOceanAgentApi: AGENT } });
		expect(await agent.getCredentials('digitalOceanAgentApi')).toMatchObject(AGENT);
	});

	it('rejects a declared credential the test did not provide', async () => {
		const ctx = context(new DigitalOceanChat(), { params: { target: 'agent' } });
		const error = await ctx.getCredentials('digitalOceanAgentApi').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe('Node does not have any credentials set for "digitalOceanAgentApi"');
		const none = context(new DigitalOceanImage(), { credentials: undefined });
		await expect(none.getCredentials('digitalOceanInferenceApi')).rejects.toThrow('Node does not have any credentials set');
	});

	it('rejects credential fields and types the package does not have', () => {
		expect(() => context(null, { credentials: { ...INFERENCE, apiToken: 'x' } as never })).toThrow(
			'Credential type "digitalOceanInferenceApi" has no field "apiToken"',
		);
		expect(() => context(null, { credentialsByType: { openAiApi: { apiKey: 'x' } } })).toThrow(/does not register/);
	});

	it('checks load-options contexts the same way', async () => {
		const ctx = fakeLoadOptionsContext(INFERENCE, { node: new DigitalOceanImage(), credentialsByType: { digitalOceanAgentApi: AGENT } });
		expect(await ctx.getCredentials('digitalOceanInferenceApi')).toEqual(INFERENCE);
		await expect(ctx.getCredentials('digitalOceanAgentApi')).rejects.toThrow(/does not have any credentials of type/);
	});

	it("knows every credential type a node declares (each is registered in package.json's n8n.credentials)", () => {
		const declared = [...packageNodeTypes().values()].flatMap((nodeType) => (nodeType.description.credentials ?? []).map((c) => c.name));
		expect(declared.length).toBeGreaterThanOrEqual(packageNodeTypes().size);
		for (const name of declared) expect(packageCredentialTypes().has(name)).toBe(true);
	});
});

describe('fake context: parameters', () => {
	it("evaluates an expression default against each item's json (Embeddings Text = {{ $json.text }})", () => {
		const ctx = context(new DigitalOceanEmbeddings(), { items: [{ json: { text: 'first' } }, { json: { text: 'second' } }, { json: {} }] });
		expect(ctx.getNodeParameter('text', 0)).toBe('first');
		expect(ctx.getNodeParameter('text', 1)).toBe('second');
		expect(ctx.getNodeParameter('text', 2)).toBeUndefined();
		expect(ctx.getNodeParameter('text', 0, undefined, { rawExpressions: true })).toBe('={{ $json.text }}');
	});

	it('evaluates expressions the test sets, with $json and $input', () => {
		const ctx = context(new DigitalOceanImage(), {
			params: { prompt: '={{ $json.subject }} at dawn', options: { n: '={{ $input.item.json.count }}' } },
			items: [{ json: { subject: 'A lighthouse', count: 2 } }],
		});
		expect(ctx.getNodeParameter('prompt', 0)).toBe('A lighthouse at dawn');
		expect(ctx.getNodeParameter('options', 0)).toEqual({ n: 2 });
	});

	it('uses the description default for a parameter the test does not set', () => {
		expect(context(new DigitalOceanMessages()).getNodeParameter('maxTokens', 0, 1)).toBe(4096);
		const video = context(new DigitalOceanVideo());
		expect(video.getNodeParameter('operation', 0)).toBe('generate');
		expect(video.getNodeParameter('waitTimeout', 0, 1)).toBe(900);
		expect(video.getNodeParameter('model', 0)).toEqual({ __rl: true, mode: 'list', value: '' });
	});

	it('gives a parameter hidden by displayOptions no value: the fallback, else an error', () => {
		const status = context(new DigitalOceanVideo(), { params: { operation: 'getStatus', waitTimeout: 5 } });
		expect(status.getNodeParameter('waitTimeout', 0, 'fallback')).toBe('fallback');
		expect(() => status.getNodeParameter('prompt', 0)).toThrow('Could not get parameter "prompt"');
		const generate = context(new DigitalOceanVideo(), { params: { jobId: 'video_1' } });
		expect(generate.getNodeParameter('jobId', 0, '')).toBe('');
	});

	it('throws like n8n for a name without value or fallback', () => {
		// An option the user did not add has no value.
		const image = context(new DigitalOceanImage());
		const error = thrown(() => image.getNodeParameter('options.size', 0));
		expect(error).toBeInstanceOf(UserError);
		expect(error.message).toBe('Could not get parameter "options.size"');
		expect(image.getNodeParameter('options.size', 0, null)).toBeNull();
	});

	it('fails the test when the node reads a name its description does not have (n8n would hand it the fallback)', () => {
		const image = context(new DigitalOceanImage());
		expect(() => image.getNodeParameter('promt', 0, '')).toThrow('The node reads parameter "promt", which its description does not have');
		expect(() => image.getNodeParameter('options.sizes', 0, '')).toThrow('options.sizes');
		expect(() => context(new DigitalOceanChat()).getNodeParameter('messages.messages', 0, [])).toThrow('messages.messages');
		expect(context(new DigitalOceanChat(), { params: { inputType: 'messages' } }).getNodeParameter('messages.message', 0)).toEqual([{ role: 'user', content: '', cache: 'none' }]);
	});

	it('fails the test for a parameter, option or group the description does not have', () => {
		expect(() => context(new DigitalOceanImage(), { params: { promt: 'typo' } })).toThrow('The node description has no parameter "promt"');
		expect(() => context(new DigitalOceanImage(), { params: { options: { sizes: '1024x1024' } } })).toThrow(
			'The node description has no parameter "options.sizes"',
		);
		expect(() => context(new DigitalOceanChat(), { params: { messages: { messages: [] } } })).toThrow(
			'The node description has no group "messages.messages"',
		);
		expect(() => context(new DigitalOceanChat(), { params: { inputType: 'messages', messages: { message: [{ role: 'user', text: 'Hi' }] } } })).toThrow(
			'The node description has no parameter "messages.message.text"',
		);
		expect(() => context(new DigitalOceanImage(), { perItem: [{}, { options: { qualty: 'high' } }] })).toThrow('options.qualty');
	});

	it('fails the test for a value a fixed option list does not offer, unless it comes from an expression', () => {
		expect(() => context(new DigitalOceanVideo(), { params: { operation: 'getstatus' } })).toThrow('Parameter "operation" has no option "getstatus"');
		const ctx = context(new DigitalOceanImage(), { params: { options: { size: '={{ "9x9" }}' } } });
		expect(ctx.getNodeParameter('options', 0)).toEqual({ size: '9x9' });
	});

	it('merges per-item values into the shared ones, key by key', () => {
		const ctx = context(new DigitalOceanChat(), {
			params: { prompt: 'shared', options: { temperature: 0.5, maxTokens: 10 } },
			perItem: [{}, { options: { temperature: 1 } }],
		});
		expect(ctx.getNodeParameter('options', 0)).toEqual({ temperature: 0.5, maxTokens: 10 });
		expect(ctx.getNodeParameter('options', 1)).toEqual({ temperature: 1, maxTokens: 10 });
		expect(ctx.getNodeParameter('prompt', 1)).toBe('shared');
	});

	it("extracts a resource locator's value", () => {
		const ctx = context(new DigitalOceanMessages(), { params: { model: byId('anthropic-claude-4.6-sonnet') } });
		expect(ctx.getNodeParameter('model', 0, '', { extractValue: true })).toBe('anthropic-claude-4.6-sonnet');
		expect(ctx.getNodeParameter('model', 0)).toEqual({ __rl: true, mode: 'id', value: 'anthropic-claude-4.6-sonnet' });
	});

	it('refuses getNodeParameter options it does not implement instead of ignoring them', () => {
		expect(() => context(new DigitalOceanImage()).getNodeParameter('prompt', 0, '', { ensureType: 'string' })).toThrow(/does not support/);
	});

	it('without a node type, takes parameters as given (tests of shared modules)', () => {
		const ctx = context(null, { params: { requestOptions: { concurrency: 2 } } });
		expect(ctx.getNodeParameter('requestOptions', 0, {})).toEqual({ concurrency: 2 });
		expect(() => ctx.getNodeParameter('prompt', 0)).toThrow('Could not get parameter "prompt"');
	});
});

describe('fake context: the rest', () => {
	it('reports continueOnFail and names the node after its description', () => {
		const ctx = context(new DigitalOceanImage(), { continueOnFail: true });
		expect(ctx.continueOnFail()).toBe(true);
		expect(context(new DigitalOceanImage()).continueOnFail()).toBe(false);
		expect(ctx.getNode()).toMatchObject({ name: 'DigitalOcean Image', type: 'n8n-nodes-digitalocean-inference.digitalOceanImage', onError: 'continueRegularOutput' });
	});
});

describe('fake context: streaming to the caller', () => {
	it('has no isStreaming, sendChunk or isToolExecution unless the test asks: an n8n without streaming', () => {
		const ctx = context(new DigitalOceanChat());
		expect(['isStreaming', 'sendChunk', 'isToolExecution'].filter((method) => method in ctx)).toEqual([]);
		expect(ctx.chunks).toEqual([]);
	});

	it('answers isStreaming as asked and records every sendChunk, in order, with its time', async () => {
		const ctx = context(new DigitalOceanChat(), { streaming: true });
		expect(ctx.isStreaming()).toBe(true);
		await ctx.sendChunk('begin', 1);
		await ctx.sendChunk('item', 1, 'Hel');
		expect(ctx.chunks).toEqual([
			{ type: 'begin', itemIndex: 1, content: undefined, at: expect.any(Number) },
			{ type: 'item', itemIndex: 1, content: 'Hel', at: expect.any(Number) },
		]);
		expect(context(new DigitalOceanChat(), { streaming: false }).isStreaming()).toBe(false);
		await expect(context(new DigitalOceanChat(), { streaming: true, sendChunkFails: true }).sendChunk('begin', 0)).rejects.toThrow();
	});

	it('marks a run as an AI Agent tool the two ways n8n does', () => {
		expect(context(new DigitalOceanChat(), { asTool: 'rewired' }).getNode().rewireOutputLogTo).toBe('ai_tool');
		expect(context(new DigitalOceanChat(), { asTool: 'toolContext' }).isToolExecution()).toBe(true);
		expect(context(new DigitalOceanChat()).getNode().rewireOutputLogTo).toBeUndefined();
	});
});

describe('the shipped examples, checked like a test', () => {
	// n8n silently drops a parameter its node does not have, so a typo in an example would pass the e2e suite.
	const examples = readdirSync(join(ROOT, 'examples')).filter((file) => file.endsWith('.json'));
	const nodeTypes = packageNodeTypes();

	it.each(examples)('%s sets only parameters and credentials its DigitalOcean nodes have', (file) => {
		const workflow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as { nodes: INode[] };
		const ours = workflow.nodes.filter((node) => node.type.startsWith('n8n-nodes-digitalocean-inference.'));
		expect(ours.length).toBeGreaterThan(0);
		for (const node of ours) {
			// A node used as an AI tool has n8n's "Tool" variant of the type, with the same description.
			const nodeType = nodeTypes.get(node.type) ?? nodeTypes.get(node.type.replace(/Tool$/, ''));
			expect(nodeType).toBeDefined();
			const declared = (nodeType!.description.credentials ?? []).map((credential) => credential.name);
			expect(declared).toEqual(expect.arrayContaining(Object.keys(node.credentials ?? {})));
			const { toolDescription: _toolDescription, ...parameters } = node.parameters;
			expect(() => context(nodeType!, { params: parameters })).not.toThrow();
		}
	});
});
