/**
 * The few n8n REST calls the queue-mode test makes, as the editor makes them: owner setup, login
 * (cookie `n8n-auth`), a manual run, reading an execution, downloading a binary file.
 */
import type { RunJson } from '../e2e/harness';

export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Queue',
	lastName: 'Test',
	password: 'QueueTest-Password-1',
};

export interface ExecutionRecord {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	workflowId?: string;
	startedAt?: string | null;
	stoppedAt?: string | null;
	/** The run data, decoded from n8n's `flatted` encoding. */
	run?: RunJson;
	[key: string]: unknown;
}

export class N8nRest {
	private cookie = '';

	constructor(readonly baseUrl: string) {}

	private async request(method: string, apiPath: string, body?: unknown): Promise<Response> {
		return fetch(`${this.baseUrl}${apiPath}`, {
			method,
			headers: {
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.cookie ? { cookie: this.cookie } : {}),
				// n8n's browser-id check: the same value on every call of one session
				'browser-id': 'queue-e2e-test',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
	}

	async json<T = any>(method: string, apiPath: string, body?: unknown): Promise<T> {
		const res = await this.request(method, apiPath, body);
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${apiPath} → ${res.status}: ${text.slice(0, 2000)}`);
		const parsed = text ? JSON.parse(text) : {};
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	}

	/** Creates the owner (fresh database) and logs in as them. */
	async setupOwnerAndLogin(): Promise<void> {
		await this.json('POST', '/rest/owner/setup', OWNER);
		const res = await this.request('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
		const text = await res.text();
		if (!res.ok) throw new Error(`POST /rest/login → ${res.status}: ${text.slice(0, 2000)}`);
		const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (!auth) throw new Error('POST /rest/login set no n8n-auth cookie');
		this.cookie = auth.split(';')[0];
	}

	/** A manual run from `triggerName`, as the editor's "Execute workflow"; returns the execution id. */
	async runWorkflow(workflowId: string, triggerName: string): Promise<string> {
		const result = await this.json<{ executionId?: string; waitingForWebhook?: boolean }>(
			'POST',
			`/rest/workflows/${workflowId}/run`,
			{ triggerToStartFrom: { name: triggerName } },
		);
		if (!result.executionId) throw new Error(`run of ${workflowId} started no execution: ${JSON.stringify(result)}`);
		return String(result.executionId);
	}

	async execution(id: string): Promise<ExecutionRecord> {
		const record = await this.json<ExecutionRecord & { data?: string }>('GET', `/rest/executions/${id}`);
		const { data, ...rest } = record;
		return { ...rest, run: typeof data === 'string' && data ? ({ data: parseFlatted(data) } as unknown as RunJson) : undefined };
	}

	/** Polls the execution until it has stopped (success, error, crashed, canceled). */
	async waitForExecution(id: string, timeoutMs: number): Promise<ExecutionRecord> {
		const deadline = Date.now() + timeoutMs;
		let last: ExecutionRecord | undefined;
		while (Date.now() < deadline) {
			last = await this.execution(id);
			if (!['new', 'running', 'waiting', 'unknown'].includes(last.status) && last.stoppedAt) return last;
			await new Promise((r) => setTimeout(r, 500));
		}
		throw new Error(`execution ${id} still "${last?.status}" after ${timeoutMs} ms`);
	}

	/** `GET /rest/binary-data?id=…&action=download`: the bytes and the headers n8n sent with them. */
	async downloadBinary(binaryId: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
		const res = await this.request('GET', `/rest/binary-data?id=${encodeURIComponent(binaryId)}&action=download`);
		return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
	}
}

/**
 * Decodes n8n's `flatted` serialisation (the `data` of an execution): a JSON array whose first
 * entry is the root; inside objects and arrays every string is the index of the entry holding the
 * real value (strings, objects and arrays alike), so shared and circular references survive.
 */
export function parseFlatted(text: string): unknown {
	const input = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const get = (index: number): unknown => {
		if (revived.has(index)) return revived.get(index);
		const raw = input[index];
		if (raw === null || typeof raw !== 'object') return raw;
		const out: Record<string, unknown> | unknown[] = Array.isArray(raw) ? [] : {};
		revived.set(index, out);
		for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
			(out as Record<string, unknown>)[key] = typeof value === 'string' ? get(Number(value)) : value;
		}
		return out;
	};
	return get(0);
}
