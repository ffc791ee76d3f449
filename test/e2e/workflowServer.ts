/**
 * A running n8n (`n8n start`) in an n8n home (an e2e file's, or a bench's) for workflows started by a chat
 * or a webhook: they are published before the server starts (so it registers their webhooks), the owner
 * logs in (for the REST calls the editor makes), and the start waits until every workflow's trigger
 * answers — a chat's production URL serves its page, a Webhook's production URL takes POSTs.
 */
import * as path from 'node:path';

import { startN8nServer, type N8nServer } from '../../scripts/lib/n8nServer';
import { N8nRest, type ExecutionRecord } from '../queue/rest';
import { describeFailure, freePort, type N8nHome, type WorkflowJson } from './harness';

export const CHAT_TRIGGER_TYPE = '@n8n/n8n-nodes-langchain.chatTrigger';
export const WEBHOOK_TYPE = 'n8n-nodes-base.webhook';
const FINISHED_STATUSES = ['success', 'error', 'crashed', 'canceled'];

export interface WorkflowServer {
	readonly server: N8nServer;
	readonly rest: N8nRest;
	/** The production URL of `workflow`'s Chat Trigger, which n8n's chat widget posts to. */
	chatUrl(workflow: WorkflowJson): string;
	/** The production URL of `workflow`'s Webhook node. */
	webhookUrl(workflow: WorkflowJson): string;
	/** The newest finished execution of `workflowId`, with its run data. */
	lastExecution(workflowId: string): Promise<ExecutionRecord>;
	/** The ids of every finished execution of `workflowId`, newest first (no run data). */
	finishedExecutionIds(workflowId: string): Promise<string[]>;
	stop(): Promise<void>;
}

/** `workflow` with its Chat Trigger made public ("Make Chat Publicly Available"), so n8n serves its production URL. */
export function withPublicChat(workflow: WorkflowJson): WorkflowJson {
	const trigger = triggerOf(workflow, CHAT_TRIGGER_TYPE);
	trigger.parameters = { ...trigger.parameters, public: true };
	return workflow;
}

export async function startWorkflowServer(home: N8nHome, workflows: WorkflowJson[], env: Record<string, string> = {}): Promise<WorkflowServer> {
	for (const workflow of workflows) {
		const published = await home.n8n(['publish:workflow', `--id=${workflow.id}`]);
		if (published.exitCode !== 0) throw new Error(describeFailure('n8n publish:workflow', published));
	}
	const server = await startN8nServer(home, {
		port: await freePort(),
		// Under .n8n, so the key-leak check reads the server's output too.
		logFile: path.join(home.folder, '.n8n', 'server.log'),
		env: { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...env },
	});
	try {
		const rest = new N8nRest(server.url);
		await rest.setupOwnerAndLogin();
		const chatUrl = (workflow: WorkflowJson) => `${server.url}/webhook/${String(triggerOf(workflow, CHAT_TRIGGER_TYPE).webhookId)}/chat`;
		const webhookUrl = (workflow: WorkflowJson) => `${server.url}/webhook/${String(triggerOf(workflow, WEBHOOK_TYPE).parameters?.path)}`;
		for (const workflow of workflows) {
			if (workflow.nodes.some((node) => node.type === CHAT_TRIGGER_TYPE)) await chatServed(chatUrl(workflow), server);
			else await webhookTakesPost(webhookUrl(workflow), server);
		}
		return {
			server,
			rest,
			chatUrl,
			webhookUrl,
			async lastExecution(workflowId) {
				const filter = encodeURIComponent(JSON.stringify({ workflowId }));
				const { results } = await rest.json<{ results: Array<{ id: string }> }>('GET', `/rest/executions?filter=${filter}`);
				const newest = results.map((entry) => entry.id).sort((a, b) => Number(b) - Number(a))[0];
				return await rest.waitForExecution(newest, 60_000);
			},
			async finishedExecutionIds(workflowId) {
				// With a status filter n8n pages through finished executions only (100 at most per page).
				const filter = encodeURIComponent(JSON.stringify({ workflowId, status: FINISHED_STATUSES }));
				const ids: string[] = [];
				let cursor: string | undefined;
				do {
					const page = await rest.json<{ results: Array<{ id: string }>; nextCursor?: string | null }>(
						'GET',
						`/rest/executions?filter=${filter}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
					);
					ids.push(...page.results.map((entry) => entry.id));
					cursor = page.nextCursor ?? undefined;
				} while (cursor);
				return ids;
			},
			stop: () => server.stop(),
		};
	} catch (error) {
		await server.stop();
		throw error;
	}
}

function triggerOf(workflow: WorkflowJson, type: string): WorkflowJson['nodes'][number] {
	const trigger = workflow.nodes.find((node) => node.type === type);
	if (!trigger) throw new Error(`${workflow.id} has no ${type} node`);
	return trigger;
}

/**
 * n8n answers its REST API before it has activated the published workflows: wait until the chat's
 * production URL serves the chat page (a GET, which runs nothing).
 */
async function chatServed(url: string, server: N8nServer): Promise<void> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
		await res.body?.cancel();
		if (res.status === 200) return;
		if (Date.now() > deadline) throw new Error(`GET ${url} still answers ${res.status} after 60 s\n${server.logTail()}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The same for a Webhook, without running it: a CORS preflight names the methods a registered webhook accepts (404 before). */
async function webhookTakesPost(url: string, server: N8nServer): Promise<void> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const res = await fetch(url, {
			method: 'OPTIONS',
			headers: { origin: server.url, 'access-control-request-method': 'POST' },
			signal: AbortSignal.timeout(10_000),
		});
		await res.body?.cancel();
		if (res.ok && /\bPOST\b/.test(res.headers.get('access-control-allow-methods') ?? '')) return;
		if (Date.now() > deadline) throw new Error(`${url} still takes no POST after 60 s (OPTIONS answers ${res.status})\n${server.logTail()}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** POSTs one chat message as n8n's chat widget sends it. */
export async function postChatMessage(url: string, sessionId: string, chatInput: string, timeoutMs: number): Promise<Response> {
	return await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ action: 'sendMessage', sessionId, chatInput }),
		signal: AbortSignal.timeout(timeoutMs),
	});
}

/** One line of a streamed chat reply and when it arrived (ms after the message was sent). */
export interface ChatLine {
	atMs: number;
	type: string;
	content?: string;
	/** Which node and item sent it (n8n tags every chunk a node sends). */
	metadata?: { nodeName: string; itemIndex: number };
}

/** Reads a streamed chat reply (one JSON object per line) as it arrives; `unterminated` is what followed the last newline. */
export async function readChatLines(res: Response, sentAt: number): Promise<{ lines: ChatLine[]; unterminated: string }> {
	const lines: ChatLine[] = [];
	const decoder = new TextDecoder();
	let buffer = '';
	for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
		buffer += decoder.decode(bytes, { stream: true });
		for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
			const line = buffer.slice(0, end).trim();
			buffer = buffer.slice(end + 1);
			if (line) lines.push({ atMs: Date.now() - sentAt, ...(JSON.parse(line) as Omit<ChatLine, 'atMs'>) });
		}
	}
	return { lines, unterminated: buffer.trim() };
}
