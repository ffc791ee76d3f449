/**
 * The owner account of a local n8n server, and a small cookie-authenticated client for its internal
 * REST API (/rest/*, what the editor uses).
 */
import { StartError } from './errors';

export interface OwnerAccount {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

/** The owner `npm start` creates (printed in its banner and READY line: not a secret). */
export const START_OWNER: OwnerAccount = {
	email: 'owner@example.com',
	password: 'Emulator-Start-1',
	firstName: 'Local',
	lastName: 'Owner',
};

export class RestError extends Error {
	constructor(
		readonly status: number,
		readonly method: string,
		readonly path: string,
		readonly body: string,
	) {
		super(`${method} ${path} → ${status}: ${body.slice(0, 500)}`);
	}
}

/** Calls /rest/* with the `n8n-auth` cookie once logged in; answers are unwrapped from `{data}`. */
export class RestClient {
	private cookie = '';

	constructor(readonly baseUrl: string) {}

	get authCookie(): string {
		return this.cookie;
	}

	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const headers: Record<string, string> = { accept: 'application/json' };
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (this.cookie) headers.cookie = this.cookie;
		const res = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const pair = c.split(';')[0];
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		const text = await res.text();
		if (!res.ok) throw new RestError(res.status, method, path, text);
		const json = text ? JSON.parse(text) : undefined;
		return (json && typeof json === 'object' && 'data' in json ? json.data : json) as T;
	}

	get<T = unknown>(path: string): Promise<T> {
		return this.request<T>('GET', path);
	}

	post<T = unknown>(path: string, body: unknown): Promise<T> {
		return this.request<T>('POST', path, body);
	}

	async login(email: string, password: string): Promise<void> {
		await this.post('/rest/login', { emailOrLdapLoginId: email, password });
		if (!this.cookie) throw new Error('POST /rest/login answered without an n8n-auth cookie');
	}
}

/**
 * Creates the owner on a fresh database (POST /rest/owner/setup), then logs in as the owner.
 * Returns the logged-in client and whether the owner was created now.
 */
export async function ensureOwner(baseUrl: string, owner: OwnerAccount): Promise<{ client: RestClient; created: boolean }> {
	const client = new RestClient(baseUrl);
	const settings = await client.get<{ userManagement?: { showSetupOnFirstLoad?: boolean } }>('/rest/settings');
	const created = settings.userManagement?.showSetupOnFirstLoad === true;
	if (created) await client.post('/rest/owner/setup', owner);
	try {
		await client.login(owner.email, owner.password);
	} catch (err) {
		if (err instanceof RestError && err.status === 401) {
			throw new StartError(
				`n8n already has an owner, but ${owner.email} / ${owner.password} does not log in (changed in the editor?).\n` +
					'Start with a fresh folder (N8N_START_HOME=<new folder>) or delete the current one.',
			);
		}
		throw err;
	}
	return { client, created };
}
