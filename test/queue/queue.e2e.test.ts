/**
 * The package in n8n **queue mode** (pinned real n8n, installed on demand outside the clone):
 * Redis + one main (`n8n start`) + one worker (`n8n worker`) on one shared user folder, sqlite
 * database and `database` binary-data mode, against the local emulator.
 *
 * Two examples run as the editor runs them (`POST /rest/workflows/<id>/run`, offloaded to the
 * worker): examples/image-generate.json (two PNGs) and examples/fal-image.json (a JPEG). Checked:
 * - the executions run on the worker: the first one is triggered while no worker is up and stays
 *   queued in Redis (no request reaches the emulator) until the worker starts and takes it; the
 *   main logs "Enqueued execution <id>", the worker "Worker started/finished execution <id>";
 * - they succeed, with binary items of the right type and name, stored in the database by the
 *   worker and downloaded through the main's REST API with PNG / JPEG magic bytes;
 * - the model access key appears in no n8n / Redis output, run data, database file or Redis dump.
 *
 * Needs `redis-server` on PATH (`bash scripts/install-redis.sh`).
 *
 *   npm run test:queue
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { imageMagic, startEmulator, type Emulator } from '../emulator';
import { PACKAGE_ROOT, createN8nHome, ensureN8n, nodeOutput, readExample, type N8nHome } from '../e2e/harness';
import { startMain, startWorker, type QueueProcess } from './cluster';
import { sleep, stopAll, which } from './processes';
import { REDIS_MISSING, startRedis, type Redis } from './redis';
import { N8nRest, type ExecutionRecord } from './rest';

const SETUP_TIMEOUT = 15 * 60_000; // the first run installs n8n
const TEST_TIMEOUT = 6 * 60_000; // the first test also starts the worker
const TEARDOWN_TIMEOUT = 60_000;

const CREDENTIAL = { id: 'doInfCredential01', name: 'DigitalOcean Model Access Key' };
const TRIGGER = 'When clicking ‘Execute workflow’';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

const image = readExample('image-generate');
const fal = readExample('fal-image');

const modelKey = `do-queue-model-${randomBytes(12).toString('hex')}`;

let emulator: Emulator | undefined;
let home: N8nHome | undefined;
let redis: Redis | undefined;
let main: QueueProcess | undefined;
let worker: QueueProcess | undefined;
let rest: N8nRest | undefined;
/** Every execution record read back (for the leak check). */
const records: ExecutionRecord[] = [];

function ready<T>(value: T | undefined, name: string): T {
	if (value === undefined) throw new Error(`queue e2e: ${name} is not set up (did beforeAll or an earlier test fail?)`);
	return value;
}

beforeAll(async () => {
	if (!which('redis-server')) throw new Error(REDIS_MISSING);
	for (const file of [
		'dist/credentials/DigitalOceanInferenceApi.credentials.js',
		'dist/nodes/DigitalOceanImage/DigitalOceanImage.node.js',
		'dist/nodes/DigitalOceanFal/DigitalOceanFal.node.js',
	]) {
		if (!fs.existsSync(path.join(PACKAGE_ROOT, file))) {
			throw new Error(`The package is not built (missing ${file}). Run \`npm run build\`, or \`npm run test:queue\` which builds first.`);
		}
	}
	const install = await ensureN8n();
	emulator = await startEmulator({ port: 0, keys: [modelKey] });
	emulator.control.configure({ asyncTimings: { queuedMs: 300, runningMs: 1_500 }, asyncInvokeStatus: 202 });

	// CLI imports run before any server, in plain (non-queue) mode: they create and migrate the database.
	home = await createN8nHome(install, { binaryDataMode: 'database' });
	await home.importCredentials([
		{ ...CREDENTIAL, type: 'digitalOceanInferenceApi', data: { apiKey: modelKey, baseUrl: emulator.url } },
	]);
	await home.importWorkflows([image, fal]);

	redis = await startRedis(path.join(home.folder, 'redis'));
	main = await startMain(home, redis);
	rest = new N8nRest(main.url);
	await rest.setupOwnerAndLogin();
}, SETUP_TIMEOUT);

afterAll(async () => {
	await stopAll(); // worker, main, redis — each whole process group
	home?.dispose();
	await emulator?.close();
}, TEARDOWN_TIMEOUT);

/** Downloads `binary` through the main's REST API and checks headers and bytes against the item. */
async function downloadViaMain(binary: Record<string, any>): Promise<Buffer> {
	const { status, bytes, headers } = await ready(rest, 'rest').downloadBinary(binary.id);
	expect(status).toBe(200);
	expect(headers.get('content-type')).toBe(binary.mimeType);
	expect(headers.get('content-disposition')).toBe(`attachment; filename="${encodeURIComponent(binary.fileName)}"`);
	expect(bytes.length).toBe(Number(headers.get('content-length')));
	return bytes;
}

/** Files (not folders) under `dir`, recursively; [] when it does not exist. */
function filesIn(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.join(entry.parentPath, entry.name));
}

function expectRanOnWorker(executionId: string): void {
	const mainLog = ready(main, 'main').service.log;
	const workerLog = ready(worker, 'worker').service.log;
	expect(mainLog).toMatch(new RegExp(`Enqueued execution ${executionId} \\(job \\d+\\)`));
	expect(workerLog).toMatch(new RegExp(`Worker started execution ${executionId} \\(job \\d+\\)`));
	expect(workerLog).toMatch(new RegExp(`Worker finished execution ${executionId} \\(job \\d+\\)`));
	expect(mainLog).not.toMatch(new RegExp(`Worker (started|finished) execution ${executionId}\\b`));
}

test(
	'image example in queue mode: waits in Redis until a worker is up, runs on the worker, two PNGs downloadable from the main',
	async () => {
		const api = ready(rest, 'rest');
		const control = ready(emulator, 'emulator').control;
		const r = ready(redis, 'redis');

		// 1. No worker yet: the main only enqueues. The job waits in Redis and nothing reaches the API.
		const executionId = await api.runWorkflow(image.id, TRIGGER);
		const enqueued = await ready(main, 'main').service.waitForOutput(
			new RegExp(`Enqueued execution ${executionId} \\(job (\\d+)\\)`),
			60_000,
		);
		const jobId = enqueued[1];
		await sleep(3_000);
		expect(control.requests()).toEqual([]);
		expect((await api.execution(executionId)).status).toBe('new');
		const waiting = (await r.command('LRANGE', 'bull:jobs:wait', 0, -1)) as Buffer[];
		expect(waiting.map(String)).toContain(jobId);
		const jobData = JSON.parse(String(await r.command('HGET', `bull:jobs:${jobId}`, 'data')));
		expect(jobData).toMatchObject({ executionId, workflowId: image.id });

		// 2. A worker starts and takes the waiting job.
		worker = await startWorker(ready(home, 'home'), r);
		const record = await api.waitForExecution(executionId, 3 * 60_000);
		records.push(record);
		expect(record).toMatchObject({ status: 'success', finished: true, mode: 'manual' });
		expect(record.run?.data.resultData.error).toBeUndefined();
		expectRanOnWorker(executionId);
		expect((await r.command('LLEN', 'bull:jobs:wait')) as number).toBe(0);

		// 3. The two images: binary data in the database (written by the worker), read back through the main.
		const items = nodeOutput(record.run!, 'DigitalOcean Image');
		expect(items).toHaveLength(2);
		const downloaded: Buffer[] = [];
		for (const [k, item] of items.entries()) {
			const fileName = `image-${k + 1}.png`;
			const binary = item.binary!.data;
			expect(binary).toMatchObject({ mimeType: 'image/png', fileName, fileExtension: 'png' });
			expect(binary.id).toMatch(/^database:/);
			expect(item.json).toMatchObject({ fileName, mimeType: 'image/png', imageIndex: k, model: 'openai-gpt-image-1' });
			const bytes = await downloadViaMain(binary);
			expect(bytes.subarray(0, 8)).toEqual(PNG_MAGIC);
			expect(imageMagic(bytes)).toEqual({ kind: 'png', width: 1024, height: 1024 });
			expect(item.json.fileSize).toBe(bytes.length);
			downloaded.push(bytes);
		}
		expect(downloaded[0].equals(downloaded[1])).toBe(false);
		// Nothing went to the filesystem store (what a worker on another machine could not share).
		expect(filesIn(path.join(ready(home, 'home').folder, '.n8n', 'storage'))).toEqual([]);

		const requests = control.requests();
		expect(requests.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual(['POST /v1/images/generations 200']);
		expect(requests[0].headers.authorization).toBe(`Bearer ${modelKey}`);
	},
	TEST_TIMEOUT,
);

test(
	'fal image example in queue mode: submitted, polled and downloaded on the worker; the JPEG downloadable from the main',
	async () => {
		const api = ready(rest, 'rest');
		const control = ready(emulator, 'emulator').control;
		ready(worker, 'worker (started by the previous test)');
		const before = control.requests().length;

		const executionId = await api.runWorkflow(fal.id, TRIGGER);
		const record = await api.waitForExecution(executionId, 3 * 60_000);
		records.push(record);
		expect(record).toMatchObject({ status: 'success', finished: true, mode: 'manual' });
		expect(record.run?.data.resultData.error).toBeUndefined();
		expectRanOnWorker(executionId);

		const [item, ...others] = nodeOutput(record.run!, 'DigitalOcean Fal');
		expect(others).toEqual([]);
		const binary = item.binary!.data;
		expect(binary).toMatchObject({ mimeType: 'image/jpeg', fileName: 'image.jpg', fileExtension: 'jpg' });
		expect(binary.id).toMatch(/^database:/);
		const bytes = await downloadViaMain(binary);
		expect(bytes.subarray(0, 3)).toEqual(JPEG_MAGIC);
		expect(imageMagic(bytes)).toEqual({ kind: 'jpeg', width: 1024, height: 768 });
		expect(item.json).toMatchObject({
			status: 'COMPLETED',
			model: 'fal-ai/flux/schnell',
			files: [{ field: 'data', path: 'images[0].url', fileName: 'image.jpg', mimeType: 'image/jpeg', fileSize: bytes.length }],
		});

		const requests = control.requests().slice(before);
		expect(requests.filter((q) => q.method === 'POST' && q.path === '/v1/async-invoke').map((q) => q.status)).toEqual([202]);
		expect(control.cdnRequests().length).toBeGreaterThan(0);
		expect(control.cdnRequests().every((q) => q.headers.authorization === undefined)).toBe(true);
	},
	TEST_TIMEOUT,
);

test(
	'the model access key appears nowhere: main / worker / Redis logs, CLI output, run data, database, Redis dump',
	async () => {
		const h = ready(home, 'home');
		const r = ready(redis, 'redis');
		expect(records.length).toBeGreaterThan(0); // the runs above happened
		// Redis keeps no snapshot on its own (--save ""); write one now to search what it holds.
		expect(await r.command('SAVE')).toBe('OK');
		const dump = path.join(h.folder, 'redis', 'dump.rdb');
		expect(fs.existsSync(dump)).toBe(true);

		const leaks: string[] = [];
		const places: Array<[string, string | Buffer]> = [
			['main log', ready(main, 'main').service.log],
			['worker log', ready(worker, 'worker').service.log],
			['redis log', r.service.log],
			['CLI output', h.allOutput()],
			['execution records', JSON.stringify(records)],
			['redis dump', fs.readFileSync(dump)],
		];
		for (const [where, content] of places) if (content.includes(modelKey)) leaks.push(where);
		leaks.push(...h.filesContaining(modelKey)); // sqlite database (credentials are encrypted), WAL, config
		expect(leaks).toEqual([]);
		// …and the key did reach the API, so the search above looked for the right thing.
		expect(ready(emulator, 'emulator').control.requests().some((q) => q.headers.authorization === `Bearer ${modelKey}`)).toBe(true);
	},
	TEST_TIMEOUT,
);
