/**
 * The Video node streams a 200 MB MP4 into n8n binary data (filesystem mode) without holding it: the
 * node runs in a child process against the emulator over real HTTP (bench/videoMemory.ts), and its
 * RSS may grow by less than 64 MB over a warmed-up baseline, on both download routes.
 */
import { MAX_GROWTH_BYTES, measureVideoDownload, type VideoRoute } from '../../bench/videoMemory';

const SIZE_MB = 200;
/** The child is killed a little before jest gives up, so a hang fails with the child's stderr. */
const CHILD_TIMEOUT_MS = 110_000;

describe('DigitalOcean Video node: memory while saving a 200 MB video', () => {
	const routes: [VideoRoute, string][] = [
		['url', 'from the output URL on the media host'],
		['content', 'from /content on the API (output null)'],
	];

	it.each(routes)('%s route: %s, RSS growth under 64 MB', async (route) => {
		const report = await measureVideoDownload({ mb: SIZE_MB, route, timeoutMs: CHILD_TIMEOUT_MS });
		expect(report.fileSize).toBe(SIZE_MB * 1024 * 1024);
		expect(report.isMp4).toBe(true);
		expect(report.mimeType).toBe('video/mp4');
		expect(report.binaryId).toMatch(/^filesystem-v2:/);
		expect(report.downloadedFrom).toBe(route === 'url' ? 'output URL' : 'content endpoint');
		// Sampled every 5 ms during the run; a sampler that never ran would prove nothing.
		expect(report.samples).toBeGreaterThan(10);
		expect(report.growth).toBeLessThan(MAX_GROWTH_BYTES);
	}, 120_000);
});
