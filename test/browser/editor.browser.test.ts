/**
 * `npm install && npm start` gives a working n8n editor — proven in a real browser.
 *
 * Starts scripts/start.ts (what `npm start` runs after the build) in a fresh n8n user folder, then
 * drives the system Chromium through n8n's own UI: signs in with the form, opens an example
 * workflow for each of the 8 nodes and checks its panel shows the example's parameters, opens the
 * model pickers of the Chat node and of the two AI sub-nodes (n8n calls the node's listSearch, which
 * reads the emulator's /v1/models), runs "Execute step" and reads the emulator's answer in the output
 * panel, and chats with the AI Agent example in the editor's chat panel, watching the answer stream in.
 *
 * Run with `npm run test:browser` (builds first). Needs Chromium: scripts/install-chromium.sh.
 * Screenshots of every step: test-artifacts/browser/. BROWSER_UPDATE_DOCS=1 also refreshes the
 * README's images in docs/screenshots/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';

import { MODEL_LIST_TTL_MS } from '../../nodes/shared/models';
import { listedModels, type Modality } from '../emulator/catalog/models';
import { DEFAULT_KEY as EMULATOR_MODEL_KEY, type EmulatorConfig, type LoggedRequest } from '../emulator';
import { EXAMPLES_DIR, PACKAGE_NAME, readExample, type WorkflowJson } from '../e2e/harness';
import {
	Screenshots,
	VIEWPORT,
	assertChromium,
	canvasNode,
	closeNodePanel,
	enlargeChatPanel,
	launchChromium,
	openModelList,
	openNodePanel,
	openWorkflow,
	openWorkflowChat,
	parameterInput,
	publishScreenshot,
	sendChatMessage,
} from './browser';
import { startEditor, type StartedEditor } from './startEditor';

/** READY may take a cold n8n install (a few minutes) or a wait for another install's lock. */
const START_TIMEOUT = Number(process.env.BROWSER_START_TIMEOUT_MS) || 10 * 60_000;
const STEP_TIMEOUT = 3 * 60_000;
/** Playwright's wait for any one selector (shared 2-core machines are slow to render n8n). */
const UI_TIMEOUT = 90_000;

const MODEL_CREDENTIAL_NAME = 'DigitalOcean Model Access Key';

/** What the Agent example's note suggests asking: the emulator's fake model calls Ask_Llama for it. */
const AGENT_QUESTION = 'Use Ask_Llama to get one surprising fact about octopuses, then tell me that fact in one sentence.';
/**
 * Between two events of the emulator's streams while the Agent answers: the answer's ~35 pieces then
 * take ~5 s to arrive, so the page shows many intermediate states (sampled every SAMPLE_EVERY_MS).
 */
const STREAM_CHUNK_DELAY_MS = 150;
const SAMPLE_EVERY_MS = 50;
/** From sending the message to the finished answer (3 model calls, ~12 s on an idle machine). */
const ANSWER_TIMEOUT = 120_000;

interface PanelSpec {
	/** examples/<file>.json */
	example: string;
	/** The node whose panel is opened. */
	node: string;
	/** Its type without the package prefix. */
	type: string;
	/** `parameter-input-<name>` that must render (top-level parameters and set options). */
	params: string[];
	/** Labels that must be shown (collections without a value render no input, only a label). */
	labels: string[];
	/** Example values the panel must show (in an input, a textarea or an expression editor). */
	values: string[];
	/** The credential the panel shows (default: the Model Access Key). */
	credential?: string;
	/** Parameters that must not render. */
	absent?: string[];
	/** Copied to docs/screenshots/<name>.png with BROWSER_UPDATE_DOCS=1. */
	docsScreenshot?: string;
	/** The Model picker's "From list" must list the emulator's models of this modality. */
	modelList?: { modality: Modality; docsScreenshot?: string };
}

const PANELS: PanelSpec[] = [
	{
		example: 'chat-basic',
		node: 'DigitalOcean Chat',
		type: 'digitalOceanChat',
		params: ['model', 'inputType', 'prompt', 'output'],
		labels: ['Model', 'Input Type', 'Prompt', 'Built-in Tools', 'Options', 'Request Options'],
		values: ['llama3.3-70b-instruct', 'Simple Prompt', '$json.question'],
	},
	{
		// n8n shows Target (what the credentials depend on) as the credential choice, not as a
		// parameter: picking the Agent credential is what makes the node call the agent.
		example: 'chat-agent',
		node: 'DigitalOcean Chat',
		type: 'digitalOceanChat',
		params: ['inputType', 'prompt'],
		labels: ['Input Type', 'Prompt', 'Options'],
		values: ['Simple Prompt'],
		credential: 'DigitalOcean Agent',
		absent: ['model', 'target'],
	},
	{
		// The sub-node of the AI Agent example (n8n 2.16 or newer; npm start runs 2.41.1).
		example: 'agent-chat-tool',
		node: 'DigitalOcean Chat Model',
		type: 'digitalOceanChatModel',
		params: ['model'],
		// n8n hides the "must be connected to an AI agent or chain" hint once the node is connected.
		labels: ['Model', 'Options'],
		values: ['openai-gpt-oss-120b'],
		modelList: { modality: 'chat', docsScreenshot: 'chat-model-sub-node-picker' },
	},
	{
		// The Embeddings sub-node under the RAG example's Simple Vector Store (insert side).
		example: 'rag-vector-store',
		node: 'Embed Documents',
		type: 'digitalOceanEmbeddingsModel',
		params: ['model'],
		labels: ['Model', 'Options', 'Request Options'],
		values: ['qwen3-embedding-0.6b'],
		modelList: { modality: 'embedding', docsScreenshot: 'embeddings-sub-node-picker' },
	},
	{
		example: 'responses-two-turn',
		node: 'First Turn',
		type: 'digitalOceanResponses',
		params: ['model', 'inputType', 'prompt', 'instructions', 'store'],
		labels: ['Model', 'Prompt', 'Instructions', 'Options'],
		values: ['openai-gpt-oss-20b', 'My name is Ada', 'Answer in one short sentence.'],
	},
	{
		example: 'messages-tool',
		node: 'DigitalOcean Messages',
		type: 'digitalOceanMessages',
		params: ['model', 'prompt', 'maxTokens', 'system', 'functionTools'],
		labels: ['Model', 'Prompt', 'Max Tokens', 'Options'],
		values: ['anthropic-claude-4.6-sonnet', '1024', 'You are a weather assistant.', 'get_weather'],
	},
	{
		example: 'embeddings-list',
		node: 'DigitalOcean Embeddings',
		type: 'digitalOceanEmbeddings',
		params: ['model', 'text', 'batchSize'],
		labels: ['Model', 'Options'],
		values: ['qwen3-embedding-0.6b', '$json.text', '256'],
	},
	{
		example: 'image-generate',
		node: 'DigitalOcean Image',
		type: 'digitalOceanImage',
		params: ['model', 'prompt', 'n', 'size', 'quality'],
		labels: ['Model', 'Prompt', 'Options'],
		values: ['openai-gpt-image-1', 'A watercolor lighthouse'],
	},
	{
		example: 'speech-mp3-wav',
		node: 'Speak as MP3',
		type: 'digitalOceanSpeech',
		params: ['model', 'text', 'voice', 'responseFormat'],
		labels: ['Model', 'Options'],
		values: ['qwen3-tts-voicedesign', '$json.script', 'alloy'],
	},
	{
		example: 'video-generate',
		node: 'Generate Video',
		type: 'digitalOceanVideo',
		params: ['operation', 'model', 'prompt', 'size'],
		labels: ['Operation', 'Model', 'Prompt', 'Options'],
		values: ['wan2.2-t2v-a14b', 'A paper boat drifting'],
	},
	{
		example: 'fal-image',
		node: 'DigitalOcean Fal',
		type: 'digitalOceanFal',
		params: ['operation', 'model', 'prompt'],
		labels: ['Operation', 'Model', 'Prompt', 'Input Options'],
		values: ['FLUX.1 Schnell', 'A cozy reading nook'],
		docsScreenshot: 'fal-panel',
	},
];

/** A pipeline for the canvas screenshot (the first example that exists). */
const PIPELINE_EXAMPLES = ['pipeline-chat-to-speech', 'video-submit-poll'];

function exampleExists(name: string): boolean {
	return fs.existsSync(path.join(EXAMPLES_DIR, `${name}.json`));
}

function allExamples(): WorkflowJson[] {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => readExample(f));
}

/** The first node a canvas certainly shows (not a sticky note). */
function firstRealNode(wf: WorkflowJson): string {
	const node = wf.nodes.find((n) => n.type !== 'n8n-nodes-base.stickyNote');
	if (!node) throw new Error(`${wf.id} has no nodes`);
	return node.name;
}

// Functions passed to page.evaluate() run in the page; this project compiles without the DOM lib.
declare const document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
interface PageElement {
	innerText: string;
	value: string;
	src: string;
	complete: boolean;
	naturalWidth: number;
	querySelectorAll(selector: string): ArrayLike<PageElement>;
	getAttribute(name: string): string | null;
}

/** Visible text plus the values of inputs and textareas under `locator` (n8n shows values in inputs). */
async function shownText(locator: Locator): Promise<string> {
	return locator.evaluate((root) => {
		const el = root as unknown as PageElement;
		const values = Array.from(el.querySelectorAll('input, textarea')).map((e) => e.value);
		return `${el.innerText}\n${values.join('\n')}`;
	});
}

async function testIdsIn(locator: Locator, prefix: string): Promise<string[]> {
	return locator.evaluate(
		(root, p) =>
			Array.from((root as unknown as PageElement).querySelectorAll(`[data-test-id^="${p}"]`))
				.map((e) => e.getAttribute('data-test-id') ?? '')
				.filter((v, i, all) => all.indexOf(v) === i),
		prefix,
	);
}

/** Waits until the canvas shows every node of `wf`; fails if one of the package's nodes has issues. */
async function expectWorkflowOnCanvas(page: Page, wf: WorkflowJson, onWarning: (id: string) => Promise<unknown>) {
	for (const n of wf.nodes.filter((x) => x.type !== 'n8n-nodes-base.stickyNote')) {
		const node = canvasNode(page, n.name);
		await node.waitFor({ state: 'visible' });
		if (!n.type.startsWith(`${PACKAGE_NAME}.`)) continue;
		// The "issues" badge: a parameter is invalid or the credential did not resolve.
		if ((await node.locator('[data-test-id="canvas-node-status-warning"]').count()) > 0) {
			await onWarning(wf.id);
			throw new Error(`${wf.id}: node "${n.name}" shows a warning (parameter or credential issue)`);
		}
	}
}

async function emulatorRequests(emulatorUrl: string): Promise<LoggedRequest[]> {
	const res = await fetch(`${emulatorUrl}/__emulator/requests`);
	if (!res.ok) throw new Error(`GET /__emulator/requests: ${res.status}`);
	return (await res.json()) as LoggedRequest[];
}

async function emulatorConfig(emulatorUrl: string, patch?: Partial<EmulatorConfig>): Promise<EmulatorConfig> {
	const res = await fetch(`${emulatorUrl}/__emulator/config`, {
		method: patch ? 'POST' : 'GET',
		...(patch ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) } : {}),
	});
	if (!res.ok) throw new Error(`${patch ? 'POST' : 'GET'} /__emulator/config: ${res.status} ${await res.text()}`);
	return (await res.json()) as EmulatorConfig;
}

function log(message: string): void {
	process.stderr.write(`[browser] ${message}\n`);
}

/**
 * Opens the Model list ("From list") of the open panel and checks that it shows exactly the emulator's
 * models of `modality`, read by n8n from the emulator's /v1/models with the model key — now, or within
 * the time the nodes reuse a credential's list (an earlier picker of this run may have fetched it).
 */
async function expectModelList(page: Page, ndv: Locator, modality: Modality, emulatorUrl: string) {
	const picker = await openModelList(page, ndv);
	const expected = listedModels()
		.filter((m) => m.modality === modality)
		.map((m) => m.id)
		.sort();
	try {
		// Until every model is there (the list may still be loading its first page).
		await page.waitForFunction(
			(n) => document.querySelectorAll('[data-test-id="rlc-item"]').length >= n,
			expected.length,
			{ timeout: 30_000 },
		);
	} catch {
		// Compared below, where the failure shows what the list holds.
	}
	// n8n repeats the current value at the top of the list.
	const shown = [...new Set((await picker.items.allInnerTexts()).map((t) => t.trim()))].sort();
	expect(shown).toEqual(expected);

	const fetched = (await emulatorRequests(emulatorUrl)).filter(
		(r) => r.method === 'GET' && r.path === '/v1/models' && r.status === 200,
	);
	const newest = fetched.at(-1);
	if (!newest) throw new Error("n8n never read the emulator's /v1/models: the list did not come from the API");
	expect(newest.headers.authorization).toBe(`Bearer ${EMULATOR_MODEL_KEY}`);
	expect(Date.now() - newest.time).toBeLessThan(MODEL_LIST_TTL_MS);
	return picker;
}

/** The chat panel's newest answer (n8n's chat widget; its typing indicator is a bot message too). */
const ANSWER_BUBBLE = '[data-test-id="canvas-chat"] .chat-message-from-bot:not(.chat-message-typing)';
const TYPING_INDICATOR = '[data-test-id="canvas-chat"] .chat-message-typing';

interface AnswerSample {
	/** Since the sampling started. */
	atMs: number;
	text: string;
}
interface SamplerGlobals {
	answerSamples: AnswerSample[];
	answerSampler: ReturnType<typeof setInterval>;
}

/**
 * Samples, in the page every `everyMs`, the text of the newest answer bubble and keeps each new text:
 * in the page, so that a slow test process does not miss the states the page went through.
 */
async function startAnswerSampler(page: Page): Promise<void> {
	await page.evaluate(
		({ selector, everyMs }) => {
			const g = globalThis as unknown as SamplerGlobals;
			const started = Date.now();
			g.answerSamples = [];
			g.answerSampler = setInterval(() => {
				const bubbles = document.querySelectorAll(selector);
				const text = bubbles.length > 0 ? (bubbles[bubbles.length - 1] as unknown as PageElement).innerText : '';
				if (text !== '' && g.answerSamples.at(-1)?.text !== text) g.answerSamples.push({ atMs: Date.now() - started, text });
			}, everyMs);
		},
		{ selector: ANSWER_BUBBLE, everyMs: SAMPLE_EVERY_MS },
	);
}

async function stopAnswerSampler(page: Page): Promise<AnswerSample[]> {
	return page.evaluate(() => {
		const g = globalThis as unknown as SamplerGlobals;
		clearInterval(g.answerSampler);
		return g.answerSamples;
	});
}

/** Until the chat shows an answer and no longer its typing indicator (the stream ended). */
async function waitForFinishedAnswer(page: Page): Promise<void> {
	try {
		await page.waitForFunction(
			({ answer, typing }) => document.querySelectorAll(answer).length > 0 && document.querySelectorAll(typing).length === 0,
			{ answer: ANSWER_BUBBLE, typing: TYPING_INDICATOR },
			{ timeout: ANSWER_TIMEOUT },
		);
	} catch (err) {
		const seen = await stopAnswerSampler(page).catch(() => []);
		throw new Error(
			`the chat showed no finished answer within ${ANSWER_TIMEOUT / 1000} s (${(err as Error).message.split('\n')[0]}); ` +
				`the answer bubble's last text: ${JSON.stringify(seen.at(-1)?.text ?? '(none)')}`,
		);
	}
}

const collapseSpaces = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The parts of a chat completion request the Agent test reads. */
interface ChatRequestBody {
	model: string;
	stream?: boolean;
	tools?: Array<{ function: { name: string } }>;
	messages: Array<{ role: string; content: string | null }>;
}

/** A tab in a context of its own (`storageState`: a copy of a signed-in session). */
async function newPage(browser: Browser, storageState?: BrowserContextOptions['storageState']): Promise<Page> {
	const context = await browser.newContext({ viewport: VIEWPORT, storageState });
	context.setDefaultTimeout(UI_TIMEOUT);
	context.setDefaultNavigationTimeout(UI_TIMEOUT);
	const tab = await context.newPage();
	// Leaving a workflow with unsaved changes (the model picker) asks before unloading: leave.
	tab.on('dialog', (dialog) => void dialog.accept().catch(() => undefined));
	return tab;
}

describe('npm start: the n8n editor in a real browser', () => {
	let editor: StartedEditor | undefined;
	let browser: Browser | undefined;
	let page: Page;
	let shots: Screenshots;
	const suiteStarted = Date.now();

	const ready = () => {
		if (!editor) throw new Error('scripts/start.ts did not start (see beforeAll)');
		return editor.ready;
	};

	beforeAll(async () => {
		assertChromium(); // before the n8n start: a missing browser is a one-line fix
		editor = await startEditor({ timeoutMs: START_TIMEOUT });
		log(`scripts/start.ts READY after ${(editor.readyMs / 1000).toFixed(1)} s: ${editor.ready.editorUrl}`);
		if (!editor.ready.emulatorUrl) throw new Error('scripts/start.ts did not start the emulator');
		browser = await launchChromium();
		page = await newPage(browser);
		shots = new Screenshots(page);
	}, START_TIMEOUT + 3 * 60_000);

	afterAll(async () => {
		try {
			await browser?.close();
		} finally {
			await editor?.stop();
			log(`whole run ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s; screenshots in test-artifacts/browser/`);
		}
	}, 90_000);

	test(
		'the sign-in form logs the owner in and lists the example workflows',
		async () => {
			const { editorUrl, email, password } = ready();
			await page.goto(`${editorUrl}/signin`);
			const form = page.locator('[data-test-id="signin-form"]');
			await form.waitFor({ state: 'visible' });
			await form.locator('input[name="emailOrLdapLoginId"]').fill(email);
			await form.locator('input[name="password"]').fill(password);
			await shots.take('signin-form');
			await form.locator('[data-test-id="form-submit-button"]').click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'));

			// The overview lists every example scripts/start.ts imported (one page holds 50).
			const basic = readExample('chat-basic');
			await page.getByText(basic.name, { exact: true }).first().waitFor({ state: 'visible' });
			for (const wf of allExamples()) {
				await page.getByText(wf.name, { exact: true }).first().waitFor({ state: 'attached' });
			}
			await shots.take('workflows');
		},
		STEP_TIMEOUT,
	);

	test(
		"the credential's Test: a wrong key gets our 401 message, the emulator's key connects",
		async () => {
			const { emulatorUrl } = ready();
			// What the credential dialog's "Retry"/"Test" button sends, from the signed-in page.
			const testWith = (apiKey: string) =>
				page.evaluate(
					async ({ apiKey, baseUrl }) => {
						const browserId = (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('n8n-browserId');
						const res = await fetch('/rest/credentials/test', {
							method: 'POST',
							headers: { 'content-type': 'application/json', ...(browserId ? { 'browser-id': browserId } : {}) },
							body: JSON.stringify({
								credentials: { id: 'doInfCredential01', name: 'DigitalOcean Model Access Key', type: 'digitalOceanInferenceApi', data: { apiKey, baseUrl } },
							}),
						});
						return { status: res.status, body: (await res.json()) as { data?: { status: string; message: string } } };
					},
					{ apiKey, baseUrl: emulatorUrl! },
				);
			const wrong = await testWith('not-a-valid-key');
			expect(wrong.status).toBe(200);
			expect(wrong.body.data).toEqual({ status: 'Error', message: expect.stringContaining('DigitalOcean rejected the Model Access Key (HTTP 401)') });
			const right = await testWith(EMULATOR_MODEL_KEY);
			expect(right.body.data?.status).toBe('OK');
		},
		STEP_TIMEOUT,
	);

	test(
		"the package's node icon is served and shown on the canvas",
		async () => {
			const { editorUrl } = ready();
			const basic = readExample('chat-basic');
			await openWorkflow(page, editorUrl, basic.id, 'DigitalOcean Chat');
			const node = canvasNode(page, 'DigitalOcean Chat');
			expect(await node.getAttribute('data-node-type')).toBe(`${PACKAGE_NAME}.digitalOceanChat`);
			const img = node.locator('img').first();
			await img.waitFor({ state: 'visible' });
			const src = await img.evaluate((e) => (e as unknown as PageElement).src);
			expect(src).toContain(`/icons/${PACKAGE_NAME}/`);
			await page.waitForFunction((e) => (e as unknown as PageElement).complete, await img.elementHandle());
			expect(await img.evaluate((e) => (e as unknown as PageElement).naturalWidth)).toBeGreaterThan(0);
			const res = await page.request.get(src);
			expect(res.status()).toBe(200);
			expect(res.headers()['content-type']).toContain('image/svg+xml');
			expect(await res.text()).toContain('<svg');
			await shots.take('canvas-chat-basic');
		},
		STEP_TIMEOUT,
	);

	test.each(PANELS.map((p) => [p.type, p.example, p] as const))(
		'%s: example %s opens and the node panel shows its parameters',
		async (_type, _example, spec) => {
			const { editorUrl, emulatorUrl } = ready();
			const wf = readExample(spec.example);
			const nodeJson = wf.nodes.find((n) => n.name === spec.node);
			expect(nodeJson?.type).toBe(`${PACKAGE_NAME}.${spec.type}`);

			await openWorkflow(page, editorUrl, wf.id, firstRealNode(wf));
			await expectWorkflowOnCanvas(page, wf, (id) => shots.take(`warning-${id}`));

			const ndv = await openNodePanel(page, spec.node);
			const credential = ndv.locator('[data-test-id="node-credentials-select"]');
			await credential.waitFor({ state: 'visible' });
			expect(await shownText(credential)).toContain(spec.credential ?? MODEL_CREDENTIAL_NAME);

			const parameters = ndv.locator('[data-test-id="node-parameters"]');
			for (const name of spec.params) {
				const input = parameterInput(ndv, name);
				try {
					await input.waitFor({ state: 'visible', timeout: 30_000 });
				} catch {
					const present = await testIdsIn(parameters, 'parameter-input-');
					throw new Error(`${spec.node}: parameter "${name}" is not shown; shown: ${present.join(', ')}`);
				}
			}
			for (const name of spec.absent ?? []) {
				expect(await parameters.locator(`[data-test-id="parameter-input-${name}"]`).count()).toBe(0);
			}
			const text = await shownText(parameters);
			for (const label of spec.labels) expect(text).toContain(label);
			for (const value of spec.values) expect(text).toContain(value);

			const file = await shots.take(`panel-${spec.example}`);
			if (spec.docsScreenshot) publishScreenshot(file, spec.docsScreenshot);

			if (spec.modelList) {
				const { locator, items } = await expectModelList(page, ndv, spec.modelList.modality, emulatorUrl!);
				const picker = await shots.take(`models-${spec.example}`);
				if (spec.modelList.docsScreenshot) publishScreenshot(picker, spec.modelList.docsScreenshot);
				// Pick the example's own model again: the list closes and the panel keeps its value.
				const model = (nodeJson!.parameters as { model: { value: string } }).model.value;
				await items.getByText(model, { exact: true }).first().click();
				await items.first().waitFor({ state: 'hidden' });
				expect(await shownText(locator)).toContain(model);
			}
			await closeNodePanel(page);
		},
		STEP_TIMEOUT,
	);

	test(
		"AI Agent example: the editor's chat streams the agent's answer, given after a tool call to Ask Llama",
		async () => {
			const { editorUrl, emulatorUrl } = ready();
			const wf = readExample('agent-chat-tool');
			// A tab of its own: n8n keeps the panel sizes dragged here (localStorage), which would change
			// the other tests' screenshots.
			const tab = await newPage(browser!, await page.context().storageState());
			try {
				await openWorkflow(tab, editorUrl, wf.id, 'AI Agent');
				const chat = await openWorkflowChat(tab);
				await enlargeChatPanel(tab, 300, 200);

				const { streamChunkDelayMs } = await emulatorConfig(emulatorUrl!);
				const before = (await emulatorRequests(emulatorUrl!)).length;
				await emulatorConfig(emulatorUrl!, { streamChunkDelayMs: STREAM_CHUNK_DELAY_MS });
				let samples: AnswerSample[];
				try {
					await startAnswerSampler(tab);
					await sendChatMessage(chat, AGENT_QUESTION);
					await waitForFinishedAnswer(tab);
					samples = await stopAnswerSampler(tab);
				} finally {
					await emulatorConfig(emulatorUrl!, { streamChunkDelayMs });
				}

				// The emulator's log: the agent's model calls Ask_Llama, n8n runs DigitalOcean Chat (the tool),
				// and the agent's model answers from what the tool returned (test/emulator/README.md, "The fake model").
				const posts = (await emulatorRequests(emulatorUrl!))
					.slice(before)
					.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
				expect(posts.map((r) => r.status)).toEqual([200, 200, 200]);
				const [agentFirst, tool, agentFinal] = posts.map((r) => r.body as ChatRequestBody);
				const toolResult = agentFinal.messages.find((m) => m.role === 'tool')?.content;
				expect(toolResult).toContain('"content":"Echo: ');
				const answer = collapseSpaces(`Echo: ${AGENT_QUESTION} Tool Ask_Llama returned: ${toolResult}`);

				// Streamed: the bubble grew through several states, each a beginning of the answer, before
				// it showed the whole answer.
				const states = samples.map((sample) => collapseSpaces(sample.text));
				expect(states.at(-1)).toBe(answer);
				const partial = states.slice(0, -1);
				expect(partial.filter((state) => !answer.startsWith(state))).toEqual([]);
				expect(partial.length).toBeGreaterThanOrEqual(3);
				const lengths = partial.map((state) => state.length);
				expect(lengths).toEqual([...new Set(lengths)].sort((a, b) => a - b));
				const spreadMs = samples.at(-1)!.atMs - samples[0].atMs;
				expect(spreadMs).toBeGreaterThanOrEqual(2 * STREAM_CHUNK_DELAY_MS);
				log(`the agent's answer (${answer.length} chars) grew through ${partial.length} states over ${spreadMs} ms before it was complete`);
				expect(agentFirst).toMatchObject({ model: 'openai-gpt-oss-120b', stream: true });
				expect(agentFirst.tools?.map((t) => t.function.name)).toEqual(['Ask_Llama']);
				expect(tool.model).toBe('llama3.3-70b-instruct');

				// The logs next to the chat show the finished run (the agent, its model, memory and tool).
				await tab.locator('[data-test-id="logs-overview-status"]').filter({ hasText: 'Success' }).waitFor({ state: 'visible' });
				const docs = await shots.take('agent-chat', tab.locator('[data-test-id="logs-panel"]'));
				publishScreenshot(docs, 'agent-chat-streamed');
			} finally {
				await tab.context().close();
			}
		},
		STEP_TIMEOUT,
	);

	test(
		"Chat: Execute step shows the emulator's answer in the output panel",
		async () => {
			const { editorUrl, emulatorUrl } = ready();
			const basic = readExample('chat-basic');
			const setNode = basic.nodes.find((n) => n.type === 'n8n-nodes-base.set');
			const assignments = (setNode?.parameters?.assignments as { assignments: Array<{ name: string; value: string }> })
				.assignments;
			const question = assignments.find((a) => a.name === 'question')!.value;

			await openWorkflow(page, editorUrl, basic.id, 'DigitalOcean Chat');
			const ndv = await openNodePanel(page, 'DigitalOcean Chat');
			const before = (await emulatorRequests(emulatorUrl!)).length;
			// "Execute step" (2.x) / "Test step" (1.x): same test id.
			await ndv.locator('[data-test-id="node-execute-button"]').filter({ visible: true }).first().click();

			const output = ndv.locator('[data-test-id="output-panel"]');
			await output.getByText(`Echo: ${question}`).first().waitFor({ state: 'visible' });
			await shots.take('chat-output-table');
			// The JSON view reads best in a screenshot.
			await output.locator('[data-test-id="radio-button-json"]').click();
			await output.getByText('"finishReason"').first().waitFor({ state: 'visible' });
			const text = await shownText(output);
			expect(text).toContain(`Echo: ${question}`);
			expect(text).toContain('llama3.3-70b-instruct');
			const docs = await shots.take('chat-output');
			publishScreenshot(docs, 'chat-output');

			const calls = (await emulatorRequests(emulatorUrl!))
				.slice(before)
				.filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
			expect(calls).toHaveLength(1);
			expect(JSON.stringify(calls[0].body)).toContain(question);
			// The panel stays open: the next step opens the model picker next to this output.
		},
		STEP_TIMEOUT,
	);

	test(
		"Chat: the model picker lists the emulator's chat models (listSearch through n8n)",
		async () => {
			const { editorUrl, emulatorUrl } = ready();
			const basic = readExample('chat-basic');
			const ndv = page.locator('[data-test-id="ndv"]');
			const chatPanelOpen =
				page.url().includes(`/workflow/${basic.id}`) &&
				(await ndv.isVisible()) &&
				(await shownText(ndv.locator('[data-test-id="node-title-container"]'))).includes('DigitalOcean Chat');
			if (!chatPanelOpen) {
				// Run on its own (-t): open the panel here.
				await openWorkflow(page, editorUrl, basic.id, 'DigitalOcean Chat');
				await openNodePanel(page, 'DigitalOcean Chat');
			}
			// The example uses "By ID"; the picker switches the Model resource locator to "From list".
			const { locator, items } = await expectModelList(page, ndv, 'chat', emulatorUrl!);
			const docs = await shots.take('chat-model-picker');
			publishScreenshot(docs, 'chat-model-picker');

			// Typing filters the list (the node's listSearch filter). The test id sits on the input in
			// 2.x and on its wrapper in older versions.
			await locator
				.locator('input[data-test-id="rlc-search"], [data-test-id="rlc-search"] input')
				.first()
				.fill('gpt-oss');
			await page.waitForFunction(() => {
				const shownItems = Array.from(document.querySelectorAll('[data-test-id="rlc-item"]'));
				return shownItems.length > 0 && shownItems.every((e) => (e.textContent ?? '').includes('gpt-oss'));
			});
			const filtered = (await items.allInnerTexts()).map((t) => t.trim()).sort();
			expect(filtered).toEqual(['openai-gpt-oss-120b', 'openai-gpt-oss-20b']);
			await shots.take('chat-model-picker-filtered');
			await items.filter({ hasText: 'openai-gpt-oss-120b' }).click();
			await items.first().waitFor({ state: 'hidden' });
			expect(await shownText(locator)).toContain('openai-gpt-oss-120b');
			await shots.take('chat-model-picked');
			await closeNodePanel(page);
		},
		STEP_TIMEOUT,
	);

	test(
		"every other example opens with all its nodes, the package's nodes without warnings",
		async () => {
			const { editorUrl } = ready();
			// The panel and pipeline tests open (and check) their examples; this covers the rest.
			const pipeline = PIPELINE_EXAMPLES.find(exampleExists);
			const covered = new Set(
				[...PANELS.map((p) => p.example), ...(pipeline ? [pipeline] : [])].map((n) => readExample(n).id),
			);
			const rest = allExamples().filter((wf) => !covered.has(wf.id));
			for (const wf of rest) {
				await openWorkflow(page, editorUrl, wf.id, firstRealNode(wf));
				await expectWorkflowOnCanvas(page, wf, (id) => shots.take(`warning-${id}`));
			}
		},
		5 * 60_000,
	);

	test(
		'a pipeline example shows every node, connected, without warnings',
		async () => {
			const { editorUrl } = ready();
			const name = PIPELINE_EXAMPLES.find(exampleExists);
			if (!name) throw new Error(`none of ${PIPELINE_EXAMPLES.join(', ')} exists in examples/`);
			const wf = readExample(name);
			await openWorkflow(page, editorUrl, wf.id, firstRealNode(wf));
			await expectWorkflowOnCanvas(page, wf, (id) => shots.take(`warning-${id}`));
			// Every connection of the workflow is drawn as an edge between the two nodes.
			type Connections = Record<string, Record<string, Array<Array<{ node: string }> | null>>>;
			const pairs = Object.entries(wf.connections as Connections).flatMap(([source, outputs]) =>
				Object.values(outputs).flatMap((slots) =>
					slots.flatMap((targets) => (targets ?? []).map((t) => [source, t.node] as const)),
				),
			);
			expect(pairs.length).toBeGreaterThan(0);
			for (const [source, target] of pairs) {
				const edge = page.locator(
					`[data-test-id="edge"][data-source-node-name="${source}"][data-target-node-name="${target}"]`,
				);
				await edge.first().waitFor({ state: 'attached' });
			}
			const docs = await shots.take(`canvas-${name}`);
			publishScreenshot(docs, 'pipeline-canvas');
		},
		STEP_TIMEOUT,
	);
});
