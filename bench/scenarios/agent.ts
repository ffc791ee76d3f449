/**
 * An AI Agent turn with one tool call — the model asks for n8n's Calculator, gets its answer, answers —
 * on our DigitalOcean Chat Model vs n8n's OpenAI Chat Model pointed at the emulator, same model, same
 * latency, in one running n8n: the answer returned when the workflow is done, and streamed to the chat.
 */
import type { LoggedRequest } from '../../test/emulator';
import { CHAT_PATH } from '../../test/e2e/chatModel';
import { postChatMessage, readChatLines, startWorkflowServer, type WorkflowServer } from '../../test/e2e/workflowServer';
import type { RunJson, WorkflowJson } from '../../test/e2e/harness';
import { BenchN8n } from '../lib/n8nBench';
import { fmt, median } from '../lib/stats';
import type { BenchOptions, ScenarioResult } from '../lib/types';
import { AGENT_MODEL, AGENT_TOOL, agentChatWorkflow, CHAT_MODEL, openAiChatModel, ourChatModel, type SubNodeSpec } from '../lib/workflows';

const LATENCY_MS = 100;
/** Between two events of a streamed answer, when the Agent streams to the chat (a model writing ~16 characters per 20 ms). */
const STREAM_DELAY_MS = 20;
/** Turns per variant before measuring: the first turns of a fresh n8n load modules (ours loads the AI node SDK then). */
const WARM_UP_TURNS = 2;

type Mode = 'lastNode' | 'streaming';

interface Variant {
	key: string;
	label: string;
	model: () => SubNodeSpec;
	ours: boolean;
}

const VARIANTS: Variant[] = [
	{ key: 'ours', label: 'DigitalOcean Chat Model', model: () => ourChatModel(), ours: true },
	{ key: 'openai', label: "n8n's OpenAI Chat Model 1.3", model: openAiChatModel, ours: false },
];

const MODES: Array<{ mode: Mode; label: string; streamDelayMs: number }> = [
	{ mode: 'lastNode', label: 'answer when done', streamDelayMs: 0 },
	{ mode: 'streaming', label: 'streamed to the chat', streamDelayMs: STREAM_DELAY_MS },
];

/** One workflow per variant and mode; ids ≤ 21 characters with a digit, webhook ids unique. */
function workflowOf(variant: Variant, mode: Mode): WorkflowJson {
	const suffix = `${variant.key === 'ours' ? 'Ours' : 'OpenAi'}${mode === 'lastNode' ? 'L' : 'S'}1`;
	const n = VARIANTS.indexOf(variant) * 2 + (mode === 'lastNode' ? 1 : 2);
	return agentChatWorkflow(
		`benchAgent${suffix}`,
		`Bench AI Agent: ${variant.label}, ${mode}`,
		`6b1e0c52-9a4d-4f3b-8e27-d5c0a1f4b00${n}`,
		mode,
		variant.model(),
	);
}

interface TurnFigures {
	variant: string;
	mode: Mode;
	run: number;
	/** The chat message sent → the reply complete, at the client. */
	clientMs: number;
	/** Streaming: the chat message sent → the first piece of the answer, at the client. */
	firstItemMs?: number;
	/**
	 * The turn inside n8n: from the Chat Trigger's start to the end of the last node's run. (The Agent's own
	 * `executionTime` covers only its last step: n8n runs the tool as a node between the Agent's steps.)
	 */
	turnMs: number;
	/** Each model call as n8n's AI tracing timed it (the model sub-node's runs). */
	modelMs: number[];
	toolMs: number;
	/** Per request to the emulator: whether it asked for a stream. */
	streamed: boolean[];
}

interface TaskTimes {
	startTime?: number;
	executionTime?: number;
}

const taskMs = (run: RunJson, nodeName: string): number[] =>
	(run.data.resultData.runData[nodeName] ?? []).map((task) => (task as TaskTimes).executionTime ?? NaN);

/** From the first node's start to the end of the last node's run. */
function spanMs(run: RunJson): number {
	const tasks = Object.values(run.data.resultData.runData).flat() as TaskTimes[];
	const start = Math.min(...tasks.map((task) => task.startTime ?? NaN));
	const end = Math.max(...tasks.map((task) => (task.startTime ?? NaN) + (task.executionTime ?? NaN)));
	return end - start;
}

/** Runs one turn and checks it: two model calls, the tool's result in the second, the answer built on it. */
async function turn(bench: BenchN8n, chat: WorkflowServer, workflow: WorkflowJson, mode: Mode, streamDelayMs: number, n: number): Promise<Omit<TurnFigures, 'variant' | 'run'>> {
	const control = bench.emulator.control;
	control.configure({ latencyMs: LATENCY_MS, streamChunkDelayMs: streamDelayMs });
	const before = control.requests().length;
	const prompt = `Turn ${n}: use ${AGENT_TOOL} to work out 6 times 7, then tell me the result.`;
	const sentAt = Date.now();
	const res = await postChatMessage(chat.chatUrl(workflow), `bench-agent-${n}`, prompt, 120_000);
	if (res.status !== 200) throw new Error(`${workflow.id}: the chat answered ${res.status}: ${(await res.text()).slice(0, 1000)}`);
	let answer: string;
	let firstItemMs: number | undefined;
	if (mode === 'streaming') {
		const { lines } = await readChatLines(res, sentAt);
		const items = lines.filter((line) => line.type === 'item');
		answer = items.map((line) => line.content ?? '').join('');
		firstItemMs = items[0]?.atMs;
	} else {
		answer = ((await res.json()) as { output?: string }).output ?? '';
	}
	const clientMs = Date.now() - sentAt;

	const requests: LoggedRequest[] = control.requests().slice(before);
	const calls = requests.filter((r) => r.method === 'POST' && r.path === CHAT_PATH && r.status === 200);
	const toolResult = JSON.stringify((calls[1]?.body as { messages?: unknown[] } | undefined)?.messages?.at(-1) ?? null);
	if (requests.length !== 2 || calls.length !== 2 || !toolResult.includes('"role":"tool"') || !answer.startsWith(`Echo: ${prompt} Tool ${AGENT_TOOL} returned: `)) {
		throw new Error(
			`${workflow.id}: expected two model calls with the tool's result in the second and an answer built on it, got ${requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ')}; last message ${toolResult.slice(0, 300)}; answer ${JSON.stringify(answer).slice(0, 300)}`,
		);
	}
	const execution = await chat.lastExecution(workflow.id);
	if (execution.status !== 'success') throw new Error(`${workflow.id}: execution ${execution.id} ended ${execution.status}`);
	const run = execution.run!;
	return {
		mode,
		clientMs,
		firstItemMs,
		turnMs: spanMs(run),
		modelMs: taskMs(run, AGENT_MODEL),
		toolMs: taskMs(run, AGENT_TOOL).reduce((a, b) => a + b, 0),
		streamed: calls.map((call) => (call.body as { stream?: boolean }).stream === true),
	};
}

const ms = (value: number) => (Number.isFinite(value) ? `${fmt(value)} ms` : '–');
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export async function agentScenario(options: BenchOptions): Promise<ScenarioResult> {
	const turns = options.quick ? 2 : 10;
	const workflows = new Map(VARIANTS.flatMap((v) => MODES.map(({ mode }) => [`${v.key}/${mode}`, workflowOf(v, mode)] as const)));
	const bench = await BenchN8n.start(await options.install(), { workflows: () => [...workflows.values()] });
	const raw: TurnFigures[] = [];
	let chat: WorkflowServer | undefined;
	try {
		chat = await startWorkflowServer(bench.home, [...workflows.values()]);
		let n = 0;
		for (const { mode, streamDelayMs } of MODES) {
			for (const variant of VARIANTS) {
				for (let w = 0; w < WARM_UP_TURNS; w++) await turn(bench, chat, workflows.get(`${variant.key}/${mode}`)!, mode, streamDelayMs, ++n);
			}
		}
		for (let run = 1; run <= options.runs; run++) {
			for (let t = 0; t < turns; t++) {
				// Alternate which model goes first, so neither always follows the other.
				const order = t % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
				for (const { mode, streamDelayMs } of MODES) {
					for (const variant of order) {
						const figures = await turn(bench, chat, workflows.get(`${variant.key}/${mode}`)!, mode, streamDelayMs, ++n);
						raw.push({ variant: variant.key, run, ...figures });
					}
				}
			}
			for (const { mode } of MODES) {
				const line = VARIANTS.map((v) => {
					const mine = raw.filter((f) => f.run === run && f.variant === v.key && f.mode === mode);
					const first = mode === 'streaming' ? `, first piece ${ms(median(mine.map((f) => f.firstItemMs ?? NaN)))}` : '';
					return `${v.key} turn ${ms(median(mine.map((f) => f.turnMs)))} (model ${ms(median(mine.map((f) => sum(f.modelMs))))})${first}`;
				});
				options.log(`agent run ${run} ${mode}: ${line.join('; ')}`);
			}
		}
	} finally {
		await chat?.stop();
		await bench.close();
	}

	const of = (key: string, mode: Mode) => raw.filter((f) => f.variant === key && f.mode === mode);
	const med = (key: string, mode: Mode, pick: (f: TurnFigures) => number) => median(of(key, mode).map(pick));
	/** "median (min–max of the runs' medians)". */
	const spreadOf = (key: string, mode: Mode, pick: (f: TurnFigures) => number) => {
		const perRun = Array.from({ length: options.runs }, (_, i) => median(of(key, mode).filter((f) => f.run === i + 1).map(pick)));
		return options.runs > 1 ? `${ms(med(key, mode, pick))} (${ms(Math.min(...perRun))}–${ms(Math.max(...perRun))})` : ms(med(key, mode, pick));
	};
	const turnTime = (f: TurnFigures) => f.turnMs;
	const model = (f: TurnFigures) => sum(f.modelMs);
	const ratio = (mode: Mode, pick: (f: TurnFigures) => number = turnTime) => med('ours', mode, pick) / med('openai', mode, pick);
	const streamedRequests = (key: string, mode: Mode) => (of(key, mode)[0]?.streamed.every(Boolean) ? 'streamed' : of(key, mode)[0]?.streamed.some(Boolean) ? 'partly streamed' : 'not streamed');

	const rowsFor = (mode: Mode) =>
		VARIANTS.map((v) => [
			v.label,
			spreadOf(v.key, mode, turnTime),
			v.ours ? `${fmt(ratio(mode), 2)}×` : '1×',
			spreadOf(v.key, mode, model),
			ms(med(v.key, mode, (f) => f.modelMs[0])),
			ms(med(v.key, mode, (f) => f.modelMs[1])),
			ms(med(v.key, mode, (f) => f.toolMs)),
			ms(med(v.key, mode, (f) => f.turnMs - sum(f.modelMs) - f.toolMs)),
			...(mode === 'streaming' ? [spreadOf(v.key, mode, (f) => f.firstItemMs ?? NaN)] : []),
			ms(med(v.key, mode, (f) => f.clientMs)),
			`2 (${streamedRequests(v.key, mode)})`,
		]);
	const headers = (mode: Mode) => [
		'model sub-node',
		'turn in n8n',
		'vs OpenAI',
		'in the 2 model calls',
		'call 1 (tool call)',
		'call 2 (answer)',
		'Calculator',
		'n8n, Agent, LangChain',
		...(mode === 'streaming' ? ['first piece in the chat'] : []),
		'chat reply complete',
		'requests',
	];
	const met = (mode: Mode) => ratio(mode) <= 1.05;
	const count = options.runs * turns;

	return {
		id: 'agent',
		title: 'AI Agent: one turn with one tool call',
		method: [
			`One running n8n (\`n8n start\`) against the emulator (\`latencyMs: ${LATENCY_MS}\` on every request). Workflow: a public **Chat Trigger** → n8n's **AI Agent** (v3.1, the node under test) with the chat model sub-node under test (\`${CHAT_MODEL}\`) and n8n's **Calculator** tool — in-process, no request, so the tool costs both models the same. A chat message as n8n's chat widget sends it ("Turn N: use Calculator to work out 6 times 7, then tell me the result.") makes the emulator's model call the tool once (its arguments are placeholder values from the tool's schema, so the Calculator answers "I don't know how to do that." — the same for both) and then answer from the tool's result: two model calls per turn. Every turn is checked: exactly two requests, the tool's result in the second, the answer built on it.`,
			`Two response modes of the Chat Trigger: **When Last Node Finishes** (the answer when the workflow is done; the Agent does not stream, \`streamChunkDelayMs: 0\` so a streamed and an unstreamed answer cost the emulator the same), and **Streaming** (the Agent streams the answer into the chat; the emulator sends a streamed answer's events ${STREAM_DELAY_MS} ms apart, for both models).`,
			`Our **DigitalOcean Chat Model** (defaults: *Streaming* on, so it always asks for a streamed answer) vs n8n's **OpenAI Chat Model** (\`lmChatOpenAi\` v1.3, its default in n8n 2.41.1) on an OpenAI credential whose Base URL is the emulator's \`/v1\`, with *Use Responses API* off, so both use \`/v1/chat/completions\`. **Turn in n8n** = from the Chat Trigger's start to the end of the last node's run, from the execution's run data (the Agent's own \`executionTime\` covers only its last step: n8n runs the tool as a node between the Agent's steps); *in the 2 model calls* / *call 1* / *call 2* = the model sub-node's runs as n8n's AI tracing times them (from the request to the parsed answer); *Calculator* = the tool's run; *n8n, Agent, LangChain* = the rest of the turn. *First piece in the chat* and *chat reply complete* are measured at the client, from sending the message. ${WARM_UP_TURNS} warm-up turns per workflow first (a fresh n8n loads modules on the first turn); then ${options.runs} runs of ${turns} turns per variant and mode, interleaved (ours and OpenAI alternate which goes first); medians of all ${count} turns (min–max of the runs' medians).`,
		].join('\n\n'),
		tables: MODES.map(({ mode, label }) => ({
			caption: `Chat Trigger ${mode === 'lastNode' ? '*When Last Node Finishes*' : `*Streaming* (${STREAM_DELAY_MS} ms between a streamed answer's events)`} — ${label}:`,
			headers: headers(mode),
			rows: rowsFor(mode),
		})),
		targets: MODES.map(({ mode, label }) => {
			const firstPiece = (key: string) => ms(med(key, mode, (f) => f.firstItemMs ?? NaN));
			return {
				name: `AI Agent turn with one tool call, ${label}: DigitalOcean Chat Model vs n8n's OpenAI Chat Model on the same model, turn time${mode === 'streaming' ? ' (and the first piece of the answer in the chat)' : ''}`,
				target: '≤ 1.05×',
				value:
					`${fmt(ratio(mode), 2)}× (${ms(med('ours', mode, turnTime))} vs ${ms(med('openai', mode, turnTime))})` +
					(mode === 'streaming' ? `; first piece after ${firstPiece('ours')} vs ${firstPiece('openai')}` : ''),
				met: met(mode),
				note: met(mode)
					? undefined
					: `the two model calls take ${ms(med('ours', mode, model))} vs ${ms(med('openai', mode, model))} (${fmt(ratio(mode, model), 2)}×) of it`,
			};
		}),
		charts: [
			{
				title: `AI Agent turn with one tool call, ${LATENCY_MS} ms latency per model call (ms, lower is better)`,
				bars: MODES.flatMap(({ mode, label }) =>
					VARIANTS.map((v) => ({
						label: `${v.label}, ${label}`,
						value: med(v.key, mode, turnTime),
						text: ms(med(v.key, mode, turnTime)),
						ours: v.ours,
					})),
				),
			},
		],
		notes: [
			`Both turns are two model calls of at least ${LATENCY_MS} ms each (the emulator's latency); what is left is n8n's Agent and LangChain, the same code for both, and each model's own work: building the request, sending it, reading the answer (ours through this package's transport and the AI node SDK's LangChain adapter; n8n's through LangChain's ChatOpenAI and the OpenAI SDK).`,
		],
		raw,
	};
}
