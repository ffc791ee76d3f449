/**
 * DigitalOcean Video in a real n8n (pinned, installed on demand outside the clone), driven by the
 * n8n CLI against the local emulator. Runs examples/video-generate.json (one prompt → one MP4, from
 * the output URL and from /content) and examples/video-submit-poll.json (Submit → Wait → Get Status
 * → IF → back to Wait until done → Get Result), checked down to the bytes n8n stored, and that each
 * run submitted exactly one job.
 *
 *   npm run build && npx jest --selectProjects e2e --runInBand --testPathPatterns test/e2e/video
 */

import { isMp4, keyFingerprint, type EmulatorConfigPatch, type LoggedRequest } from '../emulator';
import { cloneWorkflow, nodeOutput, readExample, type NodeOutputItem, type RunJson, type WorkflowJson } from './harness';
import { expectCleanExit, RUN_TIMEOUT, postsTo, storedBytes, testNoKeyLeak, useN8nWithEmulator } from './setup';

const MODEL = 'wan2.2-t2v-a14b';
const VIDEOS = '/v1/video/generations';
const VIDEO_BYTES = 256 * 1024;
const TWO_HOURS_MS = 2 * 60 * 60 * 1000;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const generate = readExample('video-generate');
const poll = readExample('video-submit-poll');

function parameters(wf: WorkflowJson, nodeName: string): Record<string, any> {
	const node = wf.nodes.find((n) => n.name === nodeName);
	if (!node) throw new Error(`${wf.id} has no node "${nodeName}"`);
	return node.parameters as Record<string, any>;
}

const GENERATE_PROMPT = parameters(generate, 'Generate Video').prompt as string;
const POLL_PROMPT = parameters(poll, 'Submit Video').prompt as string;
/** Seconds the example's Wait node pauses per round of the loop. */
const WAIT_SECONDS = parameters(poll, 'Wait').amount as number;

/** The loop example with a prompt the emulator fails: the loop must end at Get Result with the job's error. */
const pollFailing = cloneWorkflow(poll, { id: 'doInfVideoPollFail01', name: 'DigitalOcean Video: failed job in the loop (e2e)' });
parameters(pollFailing, 'Submit Video').prompt = `FAIL_VIDEO ${POLL_PROMPT}`;

const setup = useN8nWithEmulator({
	workflows: [generate, poll, pollFailing],
	builtFiles: ['dist/nodes/DigitalOceanVideo/DigitalOceanVideo.node.js'],
});

/** A clean emulator per test (request log, CDN log, jobs), with `config` on top of the defaults. */
function freshEmulator(config: EmulatorConfigPatch): void {
	setup.emulator.control.reset();
	setup.emulator.control.configure({ videoBytes: VIDEO_BYTES, ...config });
}

function onlyItem(items: NodeOutputItem[]): NodeOutputItem {
	expect(items).toHaveLength(1);
	return items[0];
}

/** Every run of `nodeName`, with the items of each output. */
function runsOf(run: RunJson, nodeName: string): Array<Array<NodeOutputItem[]>> {
	return (run.data.resultData.runData[nodeName] ?? []).map((task) => (task.data?.main ?? []).map((items) => items ?? []));
}

/** The json of every Get Status run of the loop example, in order. */
function statusOutputs(run: RunJson): Array<Record<string, any>> {
	return runsOf(run, 'Get Status').map(([items]) => onlyItem(items).json);
}

/** The one video job this test's run submitted (exactly one POST, one accepted submission). */
function onlySubmission(requests: LoggedRequest[], prompt: string) {
	const posts = postsTo(requests, VIDEOS);
	expect(posts.map((request) => request.status)).toEqual([200]);
	expect(posts[0].body).toEqual({ model: MODEL, prompt, size: '1280x720' });
	expect(posts[0].headers.authorization).toBe(`Bearer ${setup.modelKey}`);
	const jobs = setup.emulator.control.jobs();
	expect(jobs).toHaveLength(1);
	expect(jobs[0]).toMatchObject({ kind: 'video', model: MODEL, summary: prompt, key: keyFingerprint(setup.modelKey) });
	return jobs[0];
}

/** The MP4 item a Generate / Get Result node output, checked down to the bytes n8n stored. */
function expectVideoItem(item: NodeOutputItem, jobId: string, downloadedFrom: 'output URL' | 'content endpoint'): void {
	expect(item.pairedItem).toEqual({ item: 0 });
	expect(Object.keys(item.binary!)).toEqual(['data']);
	const binary = item.binary!.data;
	expect(binary).toMatchObject({ mimeType: 'video/mp4', fileName: 'video.mp4', fileExtension: 'mp4' });
	const bytes = storedBytes(setup, binary);
	expect(isMp4(bytes)).toBe(true);
	expect(bytes.length).toBe(VIDEO_BYTES);
	expect(item.json).toEqual({
		jobId,
		status: 'completed',
		done: true,
		failed: false,
		error: null,
		model: MODEL,
		size: '1280x720',
		seconds: 5,
		createdAt: expect.stringMatching(ISO),
		completedAt: expect.stringMatching(ISO),
		expiresAt: expect.stringMatching(ISO),
		fileName: 'video.mp4',
		mimeType: 'video/mp4',
		fileSize: VIDEO_BYTES,
		downloadedFrom,
		polls: expect.any(Number),
		waitedSeconds: expect.any(Number),
	});
	expect(Date.parse(item.json.expiresAt) - Date.parse(item.json.completedAt)).toBe(TWO_HOURS_MS);
}

const jobGets = (requests: LoggedRequest[], jobId: string) =>
	requests.filter((request) => request.method === 'GET' && request.path === `${VIDEOS}/${jobId}`);
const contentGets = (requests: LoggedRequest[]) => requests.filter((request) => request.path.endsWith('/content'));

test(
	'generate example: one job submitted, waited for in the node, video.mp4 (video/mp4) from the output URL fetched without the key',
	async () => {
		freshEmulator({ videoTimings: { queuedMs: 300, processingMs: 1200 } });
		const { result, run, requests } = await setup.run(generate.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const job = onlySubmission(requests, GENERATE_PROMPT);
		const item = onlyItem(nodeOutput(run, 'Generate Video'));
		expectVideoItem(item, job.id, 'output URL');
		// Polled in the node until done; the last poll saw it completed.
		expect(item.json.polls).toBeGreaterThanOrEqual(1);
		expect(jobGets(requests, job.id)).toHaveLength(item.json.polls);
		expect(item.json.waitedSeconds).toBeGreaterThanOrEqual(1.2);

		expect(contentGets(requests)).toEqual([]);
		const cdn = setup.emulator.control.cdnRequests();
		expect(cdn).toEqual([{ path: `/files/${job.id}.mp4`, headers: expect.any(Object), status: 200 }]);
		expect(cdn[0].headers.authorization).toBeUndefined();
	},
	RUN_TIMEOUT,
);

test(
	'generate example when the finished job has output null: the MP4 comes from /content, with the key',
	async () => {
		freshEmulator({ videoTimings: { queuedMs: 100, processingMs: 400 }, videoOutput: 'null' });
		const { result, run, requests } = await setup.run(generate.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const job = onlySubmission(requests, GENERATE_PROMPT);
		expectVideoItem(onlyItem(nodeOutput(run, 'Generate Video')), job.id, 'content endpoint');
		const content = contentGets(requests);
		expect(content.map((request) => [request.method, request.path, request.status])).toEqual([
			['GET', `${VIDEOS}/${job.id}/content`, 200],
		]);
		expect(content[0].headers.authorization).toBe(`Bearer ${setup.modelKey}`);
		expect(setup.emulator.control.cdnRequests()).toEqual([]);
	},
	RUN_TIMEOUT,
);

test(
	'submit-poll example: Submit once, Wait → Get Status → IF loops until the job is done, then Get Result outputs video.mp4',
	async () => {
		// Done between the first and the second status check: the loop goes round at least twice.
		const doneAfterMs = WAIT_SECONDS * 1000 + 1800;
		freshEmulator({ videoTimings: { queuedMs: 300, processingMs: doneAfterMs - 300 } });
		const { result, run, requests } = await setup.run(poll.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const job = onlySubmission(requests, POLL_PROMPT);
		const submitted = onlyItem(nodeOutput(run, 'Submit Video'));
		expect(submitted.json).toEqual({
			jobId: job.id,
			status: 'queued',
			done: false,
			failed: false,
			error: null,
			model: MODEL,
			size: '1280x720',
			seconds: 5,
			createdAt: expect.stringMatching(ISO),
			completedAt: null,
			expiresAt: null,
		});
		expect(submitted.binary).toBeUndefined();

		// One Wait, one Get Status and one IF run per round; every round but the last goes back to Wait.
		const statusRuns = runsOf(run, 'Get Status');
		expect(statusRuns.length).toBeGreaterThanOrEqual(2);
		expect(runsOf(run, 'Wait')).toHaveLength(statusRuns.length);
		const statuses = statusOutputs(run);
		for (const status of statuses) expect(status.jobId).toBe(job.id);
		expect(statuses.slice(0, -1).map((s) => [s.done, s.failed])).toEqual(statuses.slice(0, -1).map(() => [false, false]));
		expect(statuses.slice(0, -1).every((s) => ['queued', 'processing'].includes(s.status))).toBe(true);
		expect(statuses.at(-1)).toMatchObject({ status: 'completed', done: true, failed: false, completedAt: expect.stringMatching(ISO) });
		const ifRuns = runsOf(run, 'Done or Failed?');
		expect(ifRuns.map(([done, notDone]) => [done.length, notDone.length])).toEqual(
			statuses.map((s) => (s.done ? [1, 0] : [0, 1])),
		);

		// Get Result found the job done at once: no waiting inside the node.
		const item = onlyItem(nodeOutput(run, 'Get Result'));
		expectVideoItem(item, job.id, 'output URL');
		expect(item.json).toMatchObject({ polls: 0, waitedSeconds: 0 });

		// The emulator saw one status GET per round plus Get Result's, all with the key.
		const gets = jobGets(requests, job.id);
		expect(gets).toHaveLength(statusRuns.length + 1);
		for (const request of gets) expect(request.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
		const cdn = setup.emulator.control.cdnRequests();
		expect(cdn.map((request) => [request.path, request.status])).toEqual([[`/files/${job.id}.mp4`, 200]]);
		expect(cdn[0].headers.authorization).toBeUndefined();
	},
	RUN_TIMEOUT,
);

test(
	'submit-poll example with a job that fails: the loop ends at Get Result with the job error, nothing downloaded',
	async () => {
		freshEmulator({ videoTimings: { queuedMs: 100, processingMs: 400 } });
		const { result, run, requests } = await setup.run(pollFailing.id);
		expect(result.exitCode).not.toBe(0);

		const job = onlySubmission(requests, `FAIL_VIDEO ${POLL_PROMPT}`);
		const [status] = statusOutputs(run);
		expect(status).toMatchObject({ jobId: job.id, status: 'failed', done: false, failed: true, error: expect.stringContaining('emulated failure') });
		expect(runsOf(run, 'Get Status')).toHaveLength(1);
		expect(run.data.resultData.lastNodeExecuted).toBe('Get Result');
		expect(run.data.resultData.error?.message).toBe(
			`The video job ${job.id} failed: Video generation failed: the request was rejected by the model (emulated failure).`,
		);
		expect(run.data.resultData.runData['Get Result']).toHaveLength(1);
		expect(contentGets(requests)).toEqual([]);
		expect(setup.emulator.control.cdnRequests()).toEqual([]);
	},
	RUN_TIMEOUT,
);

testNoKeyLeak(setup, generate.id);
