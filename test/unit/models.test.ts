import { InferenceClient } from '../../nodes/shared/transport';
import { fetchModelIds, modalityOf, modelChoices, searchModels } from '../../nodes/shared/models';
import { PACKAGE_VERSION } from '../../nodes/shared/version';
import { DEFAULT_KEY } from '../emulator';
import { fakeLoadOptionsContext, TEST_NODE } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageJson = require('../../package.json') as { version: string };

describe('modalityOf (real ids from the contract §14)', () => {
	const table: Array<[string, string]> = [
		['llama3.3-70b-instruct', 'chat'],
		['alibaba-qwen3-32b', 'chat'],
		['deepseek-v3.2', 'chat'],
		['llama-4-maverick', 'chat'],
		['openai-gpt-oss-20b', 'chat'],
		['openai-gpt-oss-120b', 'chat'],
		['minimax-m2.5', 'chat'],
		['mistral-3-14B', 'chat'],
		['glm-5', 'chat'],
		['openai-gpt-4o', 'chat'],
		['anthropic-claude-3.5-haiku', 'chat'],
		['anthropic-claude-4.6-sonnet', 'chat'],
		['anthropic-claude-opus-4.5', 'chat'],
		['openai-gpt-5.2-pro', 'chat'],
		['nemotron-nano-12b-v2-vl', 'chat'],
		['router:my-support-router', 'chat'],
		['qwen3-embedding-0.6b', 'embedding'],
		['openai-gpt-image-1', 'image'],
		['stable-diffusion-3.5-large', 'image'],
		['qwen3-tts-voicedesign', 'tts'],
		['wan2.2-t2v-a14b', 'video'],
		['fal-ai/flux/schnell', 'fal'],
		['fal-ai/fast-sdxl', 'fal'],
		['fal-ai/stable-audio-25/text-to-audio', 'fal'],
		['fal-ai/elevenlabs/tts/multilingual-v2', 'fal'],
		['fal-ai/playai/tts/v3', 'fal'],
	];
	it.each(table)('%s is %s', (id, modality) => {
		expect(modalityOf(id)).toBe(modality);
	});
});

describe('modelChoices', () => {
	const ids = ['llama3.3-70b-instruct', 'qwen3-embedding-0.6b', 'openai-gpt-image-1'];
	it('filters by modality and by the search text', () => {
		expect(modelChoices(ids, 'chat').map((c) => c.value)).toEqual(['llama3.3-70b-instruct']);
		expect(modelChoices(ids, 'image', 'GPT').map((c) => c.value)).toEqual(['openai-gpt-image-1']);
	});
	it('falls back to every model when none has the modality', () => {
		expect(modelChoices(ids, 'video').map((c) => c.value)).toEqual(ids);
	});
	it('falls back to documented ids when the API listed nothing', () => {
		expect(modelChoices([], 'tts').map((c) => c.value)).toEqual(['qwen3-tts-voicedesign']);
	});
});

describe('model list from the API', () => {
	const emulator = useEmulator();

	it('caches GET /v1/models per credential', async () => {
		const client = new InferenceClient({ node: TEST_NODE, baseUrl: emulator.url, apiKey: DEFAULT_KEY });
		const first = await fetchModelIds(client);
		const second = await fetchModelIds(client);
		expect(second).toBe(first);
		expect(first).toContain('llama3.3-70b-instruct');
		expect(emulator.control.requests().filter((r) => r.path === '/v1/models')).toHaveLength(1);
		await fetchModelIds(client, Date.now() + 6 * 60_000);
		expect(emulator.control.requests().filter((r) => r.path === '/v1/models')).toHaveLength(2);
	});

	it('serves the chat picker through listSearch with only chat models', async () => {
		const ctx = fakeLoadOptionsContext({ apiKey: DEFAULT_KEY, baseUrl: emulator.url });
		const { results } = await searchModels(ctx, 'chat');
		const values = results.map((r) => r.value);
		expect(values).toContain('llama3.3-70b-instruct');
		expect(values).toContain('nemotron-nano-12b-v2-vl');
		expect(values).not.toContain('qwen3-embedding-0.6b');
		expect(values.some((v) => String(v).startsWith('fal-ai/'))).toBe(false);
	});

	it('surfaces a wrong key as an error in the picker', async () => {
		const ctx = fakeLoadOptionsContext({ apiKey: 'not-the-key', baseUrl: emulator.url });
		await expect(searchModels(ctx, 'chat')).rejects.toMatchObject({ httpCode: '401' });
	});
});

it('User-Agent version matches package.json', () => {
	expect(PACKAGE_VERSION).toBe(packageJson.version);
});
