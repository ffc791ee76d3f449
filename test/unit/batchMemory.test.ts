/**
 * The Batch node reads a 150 MB results file with bounded memory: the node runs in a child process
 * against the emulator over real HTTP (bench/batchMemory.ts). As files (streamed into n8n's binary
 * store) its RSS grows by less than 64 MB; split into items, by less than the answers it outputs
 * (which n8n holds anyway) plus 64 MB — the file is never held on top of them.
 */
import { MAX_GROWTH_BYTES, measureBatchResults, withinBound } from '../../bench/batchMemory';

const SIZE_MB = 150;
const MB = 1024 * 1024;
/** The child is killed a little before jest gives up, so a hang fails with the child's stderr. */
const CHILD_TIMEOUT_MS = 140_000;

describe('DigitalOcean Batch node: memory while reading a 150 MB results file', () => {
	it('Files output: streamed into binary data, RSS growth under 64 MB', async () => {
		const report = await measureBatchResults({ mb: SIZE_MB, output: 'files', timeoutMs: CHILD_TIMEOUT_MS });
		expect(report.outputBytes).toBeGreaterThan(SIZE_MB * MB);
		expect(report.fileBytes).toBe(report.outputBytes);
		// Sampled every 5 ms during the run; a sampler that never ran would prove nothing.
		expect(report.samples).toBeGreaterThan(10);
		expect(report.growth).toBeLessThan(MAX_GROWTH_BYTES);
	}, 150_000);

	it('Simplified output: one item per request in order, RSS growth under the answers it outputs + 64 MB', async () => {
		const report = await measureBatchResults({ mb: SIZE_MB, output: 'simplified', timeoutMs: CHILD_TIMEOUT_MS });
		expect(report.outputBytes).toBeGreaterThan(SIZE_MB * MB);
		expect(report.items).toBe(Math.ceil((SIZE_MB * MB) / 30_000));
		expect(report.inOrder).toBe(true);
		expect(report.samples).toBeGreaterThan(10);
		expect(report.growth).toBeLessThan(report.answerBytes + MAX_GROWTH_BYTES);
		expect(withinBound(report)).toBe(true);
	}, 150_000);
});
