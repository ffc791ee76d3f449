/**
 * The system Chromium driven by playwright-core (which never downloads a browser), plus the few
 * n8n-editor moves the browser test makes. Selectors are n8n's own `data-test-id`s (stable across
 * 1.x and 2.x); the ones that changed between versions are noted where they are used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

import { PACKAGE_ROOT } from '../e2e/harness';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.join(PACKAGE_ROOT, 'test-artifacts', 'browser');
export const DOCS_SCREENSHOTS_DIR = path.join(PACKAGE_ROOT, 'docs', 'screenshots');
export const VIEWPORT = { width: 1440, height: 900 };
/** Committed screenshots stay below this (README images). */
const MAX_DOCS_SCREENSHOT_BYTES = 300 * 1024;

export function assertChromium(): void {
	if (!fs.existsSync(CHROMIUM_PATH)) {
		throw new Error(
			`Chromium not found at ${CHROMIUM_PATH}: run scripts/install-chromium.sh ` +
				'(apt-get install -y chromium), or point CHROMIUM_PATH at a Chromium binary.',
		);
	}
}

export async function launchChromium(): Promise<Browser> {
	assertChromium();
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		headless: true,
		timeout: 120_000,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-dev-shm-usage',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
		],
	});
}

/** Numbered screenshots of every step in test-artifacts/browser/ (gitignored). */
export class Screenshots {
	private count = 0;
	readonly taken: string[] = [];

	constructor(private readonly page: Page) {
		fs.rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
		fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
	}

	/** The whole page, or only `element` (a panel reads better without the rest of the editor). */
	async take(name: string, element?: Locator): Promise<string> {
		this.count += 1;
		const file = path.join(ARTIFACTS_DIR, `${String(this.count).padStart(2, '0')}-${name}.png`);
		await (element ?? this.page).screenshot({ path: file });
		this.taken.push(file);
		return file;
	}
}

/**
 * Copies a step's screenshot to docs/screenshots/<name>.png — only when BROWSER_UPDATE_DOCS=1, so
 * an ordinary run leaves the committed images alone. Fails if the image is too big for the README.
 */
export function publishScreenshot(file: string, name: string): void {
	if (process.env.BROWSER_UPDATE_DOCS !== '1') return;
	const size = fs.statSync(file).size;
	if (size > MAX_DOCS_SCREENSHOT_BYTES) {
		throw new Error(`${file} is ${Math.round(size / 1024)} KB; docs screenshots must stay below 300 KB`);
	}
	fs.mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
	fs.copyFileSync(file, path.join(DOCS_SCREENSHOTS_DIR, `${name}.png`));
}

/** The canvas node called `name` (n8n 1.x new canvas and 2.x: `data-node-name` on the node). */
export function canvasNode(page: Page, name: string): Locator {
	return page.locator(`[data-test-id="canvas-node"][data-node-name="${name.replace(/"/g, '\\"')}"]`);
}

/** Opens `/workflow/<id>` and waits until the canvas shows its nodes. */
export async function openWorkflow(page: Page, baseUrl: string, id: string, firstNode: string): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${id}`);
	await canvasNode(page, firstNode).waitFor({ state: 'visible' });
}

/** Double-clicks a canvas node and waits for its panel (NDV) to show the parameters. */
export async function openNodePanel(page: Page, name: string): Promise<Locator> {
	await canvasNode(page, name).dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.locator('[data-test-id="node-parameters"]').waitFor({ state: 'visible' });
	return ndv;
}

export async function closeNodePanel(page: Page): Promise<void> {
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.locator('[data-test-id="ndv-close-button"]').click();
	await ndv.waitFor({ state: 'hidden' });
}

/** A parameter's input in the open panel (`parameter-input-<name>`; resource locators too). */
export function parameterInput(ndv: Locator, name: string): Locator {
	return ndv.locator(`[data-test-id="node-parameters"] [data-test-id="parameter-input-${name}"]`).first();
}

/**
 * Switches the open panel's Model resource locator to "From list" and opens the list; returns the
 * locator and its visible items. n8n 2.41 renders the list inside the locator (not in the
 * `resource-locator-dropdown` popper older cypress tests used): the items are looked up page-wide.
 */
export async function openModelList(page: Page, ndv: Locator): Promise<{ locator: Locator; items: Locator }> {
	const locator = ndv.locator('[data-test-id="resource-locator-model"]');
	await locator.locator('[data-test-id="rlc-mode-selector"]').click();
	await page.locator('[data-test-id="mode-list"]').filter({ visible: true }).click();
	await locator.locator('[data-test-id="rlc-input"]').click();
	const items = page.locator('[data-test-id="rlc-item"]').filter({ visible: true });
	await items.first().waitFor({ state: 'visible' });
	return { locator, items };
}

/** The editor's chat panel of a Chat Trigger workflow (the canvas's "Open chat" button), ready for input. */
export async function openWorkflowChat(page: Page): Promise<Locator> {
	await page.locator('[data-test-id="workflow-chat-button"]').click();
	const chat = page.locator('[data-test-id="canvas-chat"]');
	await chat.locator('.chat-inputs textarea').waitFor({ state: 'visible' });
	return chat;
}

export async function sendChatMessage(chat: Locator, text: string): Promise<void> {
	await chat.locator('.chat-inputs textarea').fill(text);
	await chat.locator('.chat-input-send-button').click();
}

/**
 * Makes the bottom panel (chat + logs) taller and its chat column wider, by dragging their resize
 * handles as a user would, so that a long answer reads in one screenshot.
 */
export async function enlargeChatPanel(page: Page, taller: number, wider: number): Promise<void> {
	const panel = page.locator('[data-test-id="logs-panel"]');
	await dragBy(page, panel.locator('[data-test-id="resize-handle"][data-dir="top"]').first(), 0, -taller);
	await dragBy(page, panel.locator('[data-test-id="resize-handle"][data-dir="right"]').first(), wider, 0);
}

async function dragBy(page: Page, handle: Locator, dx: number, dy: number): Promise<void> {
	const box = await handle.boundingBox();
	if (!box) throw new Error('resize handle not shown');
	const x = box.x + box.width / 2;
	const y = box.y + box.height / 2;
	await page.mouse.move(x, y);
	await page.mouse.down();
	await page.mouse.move(x + dx, y + dy, { steps: 8 });
	await page.mouse.up();
}
