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

	async take(name: string): Promise<string> {
		this.count += 1;
		const file = path.join(ARTIFACTS_DIR, `${String(this.count).padStart(2, '0')}-${name}.png`);
		await this.page.screenshot({ path: file });
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
