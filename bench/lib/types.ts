/** What a bench scenario gets and gives back (see bench/run.ts). */
import type { N8nInstall } from '../../test/e2e/harness';

export const SCENARIO_IDS = ['chat', 'warm', 'embeddings', 'vectorstore', 'agent', 'ratelimit', 'media', 'async', 'transport'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface BenchOptions {
	/** Small N, for checking that the bench works (figures mean little). */
	quick: boolean;
	/** Repetitions of every measured variant (the tables show medians). */
	runs: number;
	/** The real n8n (installed once, cached). */
	install: () => Promise<N8nInstall>;
	log: (message: string) => void;
}

export interface Target {
	name: string;
	target: string;
	value: string;
	met: boolean;
	/** Why it was missed (or what qualifies it). */
	note?: string;
}

export interface Table {
	caption?: string;
	headers: string[];
	rows: string[][];
}

export interface Bar {
	label: string;
	value: number;
	/** Text printed after the bar (defaults to the value). */
	text?: string;
	ours?: boolean;
	/** A reference drawn as a dark tick on the bar's row (the ideal, the allowance, the limit). */
	mark?: number;
}

export interface Chart {
	title: string;
	/** What the ticks (Bar.mark) stand for, e.g. "ideal". */
	markLabel?: string;
	bars: Bar[];
}

export interface ScenarioResult {
	id: ScenarioId;
	title: string;
	/** Markdown: what runs where and how each figure is measured. */
	method: string;
	tables: Table[];
	targets: Target[];
	charts: Chart[];
	notes: string[];
	/** Per-run raw figures, kept in results.json. */
	raw: unknown;
}

/** A scenario result as stored in bench/results.json, with the conditions it was measured under. */
export interface StoredResult extends ScenarioResult {
	measuredAt: string;
	durationMs: number;
	quick: boolean;
	runs: number;
	/** 1-minute load average before and after the scenario (the machine has few cores). */
	load: [number, number];
	cores: number;
	n8nVersion: string;
	nodeVersion: string;
}

export type Scenario = (options: BenchOptions) => Promise<ScenarioResult>;

/** What every run of a batched-requests scenario records (embeddings, vector store). */
export interface RequestFigures {
	variant: string;
	/** The node under test's `executionTime`. */
	nodeMs: number;
	processMs: number;
	requests: number;
	/** Texts sent, over all requests. */
	inputs: number;
	non200: number;
	maxInFlight: number;
}
