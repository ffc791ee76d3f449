/**
 * Media memory in real n8n: the Video node (Generate) downloads a 200 MB and a 500 MB video into n8n's
 * binary data (filesystem mode) while the bench samples the n8n process's memory from /proc. The same
 * workflow with a 64 KiB video is the baseline, so the growth is what the file's size adds to n8n's peak.
 * For reference, n8n's own HTTP Request node downloads the same files (Response Format: File).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { BenchN8n, nodeMs, outputOf } from '../lib/n8nBench';
import { MB, fmt, mb, median, seconds, spread } from '../lib/stats';
import type { BenchOptions, ScenarioResult } from '../lib/types';
import { UNDER_TEST, ourVideo, singleNodeWorkflow } from '../lib/workflows';

type VariantKey = 'ours' | 'http';

const MAX_GROWTH = 64 * MB;
const BASELINE_BYTES = 64 * 1024;

interface RunFigures {
	variant: VariantKey;
	bytes: number;
	nodeMs: number;
	mainPeak: number;
	treePeak: number;
	samples: number;
	fileSize: number;
	downloadedFrom: unknown;
}

/** Every file under `dir` (symlinks not followed). */
function* walk(dir: string): Generator<string> {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* walk(p);
		else if (entry.isFile()) yield p;
	}
}

export async function mediaScenario(options: BenchOptions): Promise<ScenarioResult> {
	const sizes = (options.quick ? [20, 50] : [200, 500]).map((m) => m * MB);
	/** Not part of the target: shows whether the growth follows the file size or stays flat. */
	const scaleCheck = (options.quick ? 100 : 1000) * MB;
	const measured = [...sizes, scaleCheck];
	const all = [BASELINE_BYTES, ...measured];
	const httpId = (bytes: number) => `benchHttpMem${Math.round(bytes / 1024)}k`;
	const bench = await BenchN8n.start(await options.install(), {
		emulatorConfig: { videoTimings: { queuedMs: 0, processingMs: 0 }, videoOutput: 'url' },
		home: { binaryDataMode: 'filesystem' },
		workflows: ({ cdnUrl }) => [
			singleNodeWorkflow('benchVideoMem1', 'Bench video memory', ourVideo({ waitTimeout: 120, maxFileSizeMb: 1024 })),
			// The CDN origin's large-media mode streams `large-<N>.mp4` of N bytes, as it does for the jobs' videos.
			...all.map((bytes) =>
				singleNodeWorkflow(httpId(bytes), `Bench HTTP download ${bytes}`, {
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					parameters: { method: 'GET', url: `${cdnUrl}/files/large-${bytes}.mp4`, options: { response: { response: { responseFormat: 'file' } } } },
				}),
			),
		],
	});
	const storage = path.join(bench.home.folder, '.n8n');
	const raw: RunFigures[] = [];
	try {
		for (let run = 1; run <= options.runs; run++) {
			for (const variant of ['ours', 'http'] as const) {
				for (const bytes of all) {
					const r =
						variant === 'ours'
							? await bench.run('benchVideoMem1', { config: { videoBytes: bytes }, sampleMemory: true, timeoutMs: 300_000 })
							: await bench.run(httpId(bytes), { sampleMemory: true, timeoutMs: 300_000 });
					const [item] = outputOf(r.run, UNDER_TEST);
					const binaryId = String(item?.binary?.data?.id ?? '');
					if (r.run.data.resultData.error || !binaryId.startsWith('filesystem')) {
						throw new Error(`${variant} ${bytes} B: no filesystem binary in the output: ${JSON.stringify(r.run.data.resultData.error ?? item?.json).slice(0, 2000)}`);
					}
					// The stored file (its name is the last part of the id); checked, then removed to bound disk use.
					const fileName = path.basename(binaryId.split(':').pop()!);
					const files = [...walk(storage)].filter((f) => path.basename(f) === fileName);
					const fileSize = files.length === 1 ? fs.statSync(files[0]).size : -1;
					for (const f of files) fs.rmSync(f, { force: true });
					const f: RunFigures = {
						variant,
						bytes,
						nodeMs: nodeMs(r.run, UNDER_TEST),
						mainPeak: r.memory!.mainPeak,
						treePeak: r.memory!.treePeak,
						samples: r.memory!.samples,
						fileSize,
						downloadedFrom: item.json.downloadedFrom,
					};
					raw.push(f);
					options.log(`media run ${run} ${variant} ${mb(bytes)}: node ${fmt(f.nodeMs)} ms, n8n peak RSS ${mb(f.mainPeak)} (tree ${mb(f.treePeak)}, ${f.samples} samples), stored ${f.fileSize} B`);
					if (fileSize !== bytes) throw new Error(`${variant} ${bytes} B: stored file has ${fileSize} B`);
				}
			}
		}
	} finally {
		await bench.close();
	}

	const of = (variant: VariantKey, bytes: number) => raw.filter((f) => f.variant === variant && f.bytes === bytes);
	const med = (variant: VariantKey, bytes: number, pick: (f: RunFigures) => number) => median(of(variant, bytes).map(pick));
	const basePeak = (variant: VariantKey) => med(variant, BASELINE_BYTES, (f) => f.mainPeak);
	const growth = (variant: VariantKey, bytes: number) => med(variant, bytes, (f) => f.mainPeak) - basePeak(variant);
	const label = (variant: VariantKey) => (variant === 'ours' ? 'DigitalOcean Video' : 'HTTP Request (File)');
	const rows = (['ours', 'http'] as const).flatMap((variant) =>
		all.map((bytes) => {
			const base = bytes === BASELINE_BYTES;
			const download = med(variant, bytes, (f) => f.nodeMs);
			// Our node polls once (after 1 s) before it downloads; HTTP Request downloads at once.
			const downloadMs = variant === 'ours' ? download - 1000 : download;
			return [
				label(variant),
				base ? '64 KiB (baseline)' : bytes === scaleCheck ? `${mb(bytes, 0)} (scale check)` : mb(bytes, 0),
				spread(of(variant, bytes).map((f) => f.mainPeak), (v) => mb(v, 0)),
				base ? '–' : mb(growth(variant, bytes)),
				base ? '–' : `${fmt((growth(variant, bytes) / bytes) * 100, 1)} %`,
				base ? '–' : mb(med(variant, bytes, (f) => f.treePeak) - med(variant, BASELINE_BYTES, (f) => f.treePeak)),
				seconds(download),
				base ? '–' : `${fmt(bytes / MB / (downloadMs / 1000), 0)} MB/s`,
			];
		}),
	);
	const growths = sizes.map((bytes) => growth('ours', bytes));
	const worst = Math.max(...growths);
	const scaleGrowth = growth('ours', scaleCheck);
	const largest = sizes[sizes.length - 1];
	const flat = scaleGrowth < Math.max(1.5 * growths[growths.length - 1], growths[growths.length - 1] + 32 * MB);
	const httpWorst = Math.max(...sizes.map((bytes) => growth('http', bytes)));

	return {
		id: 'media',
		title: `Media memory: ${sizes.map((s) => mb(s, 0)).join(' and ')} videos into binary data, in real n8n`,
		method: [
			"One real n8n (`n8n execute`, binary data mode `filesystem`, n8n 2.x's default). Workflow: Manual Trigger → DigitalOcean Video (Generate): submit, first poll after 1 s (the emulator's job is already done), then the MP4 is downloaded from the job's output URL (the emulator's CDN origin, streamed in 64 KiB chunks) into n8n's binary store. For reference, n8n's own HTTP Request node (v4.2, Response Format: File — n8n streams it into the binary store too) downloads the same sizes from the same origin.",
			'While n8n runs, the bench reads `/proc/<pid>/status` of the n8n process every 20 ms (VmHWM, the kernel\'s high-water mark, so short spikes count too; the process is found by its working directory, the hermetic n8n home). **Growth** = the peak with the big file − the median peak of the same workflow with a 64 KiB file, i.e. what the file size adds to n8n\'s peak (n8n itself peaks at a few hundred MB while it starts). Every stored file is checked to have exactly the file\'s size. ' +
				`${options.runs} runs of each; medians (min–max).`,
			'The in-process counterpart, `npm run bench:video-memory`, measures only the node (a fake context writing to disk like n8n\'s filesystem mode).',
		].join('\n\n'),
		tables: [
			{
				headers: ['node', 'file', 'n8n peak RSS', 'growth vs 64 KiB run', 'growth / file size', 'growth, n8n + runners', 'node time', 'download rate'],
				rows,
			},
		],
		targets: [
			{
				name: `Peak RSS growth of the n8n process while a ${sizes.map((s) => mb(s, 0)).join(' / ')} video is saved`,
				target: '≤ 64 MB',
				value: growths.map((g) => mb(g)).join(' / '),
				met: worst <= MAX_GROWTH,
				note:
					worst <= MAX_GROWTH
						? undefined
						: flat
							? `the growth does not follow the file size (${measured.map((b) => `${mb(b, 0)}: +${mb(growth('ours', b), 0)}`).join(', ')}), so nothing holds the file; n8n's own HTTP Request download of the same files grows up to ${mb(httpWorst, 0)} — what remains is the streamed chunks' garbage until V8 collects it`
							: `the growth follows the file size (${mb(scaleCheck, 0)}: ${mb(scaleGrowth)})`,
			},
		],
		charts: [
			{
				title: `Media: growth of n8n's peak RSS over a 64 KiB download (MB; n8n alone peaks at ${mb(basePeak('ours'), 0)})`,
				markLabel: 'limit 64 MB',
				bars: (['ours', 'http'] as const).flatMap((variant) =>
					measured.map((bytes) => ({
						label: `${label(variant)}, ${mb(bytes, 0)}`,
						value: growth(variant, bytes) / MB,
						text: `+${mb(growth(variant, bytes))} (${fmt((growth(variant, bytes) / bytes) * 100, 1)} % of the file)`,
						ours: variant === 'ours',
						mark: MAX_GROWTH / MB,
					})),
				),
			},
		],
		notes: [
			flat
				? `The ${mb(scaleCheck, 0)} run is outside the target; it checks that the growth does not follow the file size (${mb(scaleGrowth)} for ${mb(scaleCheck, 0)} vs ${mb(growths[growths.length - 1])} for ${mb(largest, 0)}): the file is streamed, and what remains is consistent with garbage of streamed chunks waiting for V8's next collection (V8 starts one on its own after roughly 64 MB of new external Buffer memory).`
				: `The ${mb(scaleCheck, 0)} run is outside the target, but its growth (${mb(scaleGrowth)}) is well above the ${mb(largest, 0)} run's (${mb(growths[growths.length - 1])}): something holds memory in proportion to the file size.`,
			"Download rate = size / the download's time (our node's time minus the 1 s before its first poll); loopback, so it shows the streaming cost, not a network.",
		],
		raw,
	};
}
