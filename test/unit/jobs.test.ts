import { pcmToWav, mediaFileName, bareMimeType } from '../../nodes/shared/binary';
import { waitForJob, type JobState } from '../../nodes/shared/jobs';
import { CancelledError } from '../../nodes/shared/sleep';

/** A job that finishes after `doneAfterMs` of real time. */
function jobFinishingAfter(doneAfterMs: number, final: JobState = 'done') {
	const started = Date.now();
	const pollTimes: number[] = [];
	return {
		pollTimes,
		poll: async () => {
			pollTimes.push(Date.now() - started);
			return { state: Date.now() - started >= doneAfterMs ? final : ('pending' as JobState) };
		},
	};
}
const stateOf = (job: { state: JobState }) => job.state;

describe('waitForJob', () => {
	it('notices a short job quickly and grows the interval for long ones', async () => {
		const job = jobFinishingAfter(700);
		const result = await waitForJob(job.poll, stateOf, { timeoutMs: 10_000, initialIntervalMs: 100, maxIntervalMs: 400 });
		expect(result.outcome).toBe('done');
		// Detected within one (capped) interval of completion.
		expect(result.waitedMs).toBeLessThan(700 + 450);
		const gaps = job.pollTimes.slice(1).map((t, i) => t - job.pollTimes[i]);
		expect(Math.max(...gaps)).toBeLessThan(400 + 100);
	});

	it('polls every tenth of the time waited: a finished job is noticed within 10 % of its run time', async () => {
		const job = jobFinishingAfter(3_000);
		const result = await waitForJob(job.poll, stateOf, { timeoutMs: 10_000, initialIntervalMs: 50, maxIntervalMs: 10_000 });
		expect(result.outcome).toBe('done');
		expect(result.waitedMs - 3_000).toBeLessThan(300 + 100);
		const gaps = job.pollTimes.slice(1).map((t, i) => t - job.pollTimes[i]);
		// Gaps grow with the time waited (≈ 50 ms at first, ≈ 300 ms near 3 s) instead of staying flat.
		expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0] * 3);
		expect(job.pollTimes.length).toBeLessThan(40);
	});

	it('reports a failed job', async () => {
		const job = jobFinishingAfter(150, 'failed');
		const result = await waitForJob(job.poll, stateOf, { timeoutMs: 5_000, initialIntervalMs: 50 });
		expect(result.outcome).toBe('failed');
	});

	it('stops at the Wait Timeout with one last poll, never sleeping past it', async () => {
		const job = jobFinishingAfter(60_000);
		const started = Date.now();
		const result = await waitForJob(job.poll, stateOf, { timeoutMs: 600, initialIntervalMs: 100, maxIntervalMs: 1_000 });
		expect(result.outcome).toBe('timeout');
		expect(Date.now() - started).toBeGreaterThanOrEqual(600);
		expect(Date.now() - started).toBeLessThan(900);
		expect(result.job).toEqual({ state: 'pending' });
	});

	it('ends within 1 s when the execution is cancelled during a 60 s wait', async () => {
		const job = jobFinishingAfter(120_000);
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 300);
		const error = await waitForJob(job.poll, stateOf, {
			timeoutMs: 60_000,
			signal: controller.signal,
			initialIntervalMs: 1_000,
			maxIntervalMs: 10_000,
		}).catch((e) => e);
		expect(error).toBeInstanceOf(CancelledError);
		expect(Date.now() - started).toBeLessThan(1_300);
	});
});

describe('media helpers', () => {
	it('names files by their media type', () => {
		expect(mediaFileName('image', 'image/png', 0)).toBe('image-1.png');
		expect(mediaFileName('speech', 'audio/mpeg; charset=binary')).toBe('speech.mp3');
		expect(mediaFileName('video', 'video/mp4')).toBe('video.mp4');
		expect(mediaFileName('file', 'application/x-unknown')).toBe('file.bin');
		expect(bareMimeType('Audio/WAV ; x=1')).toBe('audio/wav');
	});

	it('wraps raw PCM in a playable WAV header', () => {
		const pcm = Buffer.alloc(4800, 1);
		const wav = pcmToWav(pcm);
		expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
		expect(wav.subarray(8, 12).toString('ascii')).toBe('WAVE');
		expect(wav.readUInt32LE(4)).toBe(36 + pcm.length);
		expect(wav.readUInt16LE(20)).toBe(1);
		expect(wav.readUInt32LE(24)).toBe(24_000);
		expect(wav.readUInt32LE(28)).toBe(48_000);
		expect(wav.readUInt32LE(40)).toBe(pcm.length);
		expect(wav.length).toBe(44 + pcm.length);
	});
});
