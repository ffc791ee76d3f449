/**
 * n8n in queue mode on one machine: Redis, one `n8n start` (main: editor, REST, enqueues) and
 * `n8n worker` processes (they run the executions), all on the same N8N_USER_FOLDER (so the same
 * sqlite database and the same installed community package) and encryption key.
 *
 * - Database: sqlite, shared by the processes. n8n 2.41.1 accepts it in queue mode and only warns
 *   ("Scaling mode is not officially supported with sqlite. Please use PostgreSQL instead.").
 *   Production queue setups use PostgreSQL; for one machine and a test it works.
 * - Binary data: `database` mode (the default n8n 2.x picks itself when EXECUTIONS_MODE=queue;
 *   set explicitly here). The worker writes the files into the database, the main reads them
 *   from there for `GET /rest/binary-data` — no shared disk needed.
 * - Manual runs (`POST /rest/workflows/<id>/run`) go to the worker only with
 *   OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true (otherwise n8n runs manual executions in the main).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { freePort, type N8nHome } from '../e2e/harness';
import { startService, type Service } from './processes';
import type { Redis } from './redis';

/** How long a process may take to become ready on a busy 2-core machine. */
const READY_TIMEOUT = 4 * 60_000;

export interface QueueProcess {
	role: 'main' | 'worker';
	service: Service;
	/** main: http://127.0.0.1:<port>; worker: its health server. */
	url: string;
	brokerPort: number;
	env: NodeJS.ProcessEnv;
}

/** Environment both kinds of process share, on top of the hermetic home environment. */
export function queueEnv(home: N8nHome, redis: Redis): NodeJS.ProcessEnv {
	return {
		...home.env,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
	};
}

function logFile(home: N8nHome, name: string): string {
	const dir = path.join(home.folder, 'logs');
	fs.mkdirSync(dir, { recursive: true });
	return path.join(dir, `${name}.log`);
}

/** `n8n start` in queue mode; resolves once `GET /rest/settings` answers 200 JSON. */
export async function startMain(home: N8nHome, redis: Redis): Promise<QueueProcess> {
	const port = await freePort();
	const brokerPort = await freePort();
	const env: NodeJS.ProcessEnv = {
		...queueEnv(home, redis),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
	};
	const service = startService({
		name: 'n8n main',
		command: home.install.nodeBin,
		args: [home.install.n8nBin, 'start'],
		env,
		cwd: home.folder,
		logFile: logFile(home, 'main'),
	});
	const url = `http://127.0.0.1:${port}`;
	await service.waitFor(
		'200 from GET /rest/settings',
		async () => {
			try {
				const res = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(5_000) });
				const ok = res.status === 200 && (res.headers.get('content-type') ?? '').includes('json');
				await res.arrayBuffer();
				return ok ? true : undefined;
			} catch {
				return undefined;
			}
		},
		READY_TIMEOUT,
	);
	return { role: 'main', service, url, brokerPort, env };
}

/**
 * `n8n worker` (its own task-broker port and health server); resolves once its health server
 * says ready (`/healthz/readiness`: database and Redis connected) and it logged that it is ready.
 */
export async function startWorker(home: N8nHome, redis: Redis, name = 'worker'): Promise<QueueProcess> {
	const brokerPort = await freePort();
	const healthPort = await freePort();
	const env: NodeJS.ProcessEnv = {
		...queueEnv(home, redis),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
	};
	const service = startService({
		name: `n8n ${name}`,
		command: home.install.nodeBin,
		args: [home.install.n8nBin, 'worker'],
		env,
		cwd: home.folder,
		logFile: logFile(home, name),
	});
	const url = `http://127.0.0.1:${healthPort}`;
	await service.waitFor(
		'200 from GET /healthz/readiness',
		async () => {
			try {
				const res = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) });
				await res.arrayBuffer();
				return res.status === 200 ? true : undefined;
			} catch {
				return undefined;
			}
		},
		READY_TIMEOUT,
	);
	await service.waitForOutput(/n8n worker is now ready/, READY_TIMEOUT);
	return { role: 'worker', service, url, brokerPort, env };
}
