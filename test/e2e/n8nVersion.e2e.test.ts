/**
 * Which n8n the e2e suite runs against: the version asked for (N8N_VERSION, default 2.41.1 —
 * `npm run test:e2e`; `npm run test:e2e:n8n-2.8` asks for 2.8.4) really is the one the other e2e
 * files execute, on a Node that n8n supports. Guards the version matrix against a leg that quietly
 * runs the default n8n.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DEFAULT_N8N_VERSION, ensureN8n } from './harness';

const INSTALL_TIMEOUT = 15 * 60_000;

test(
	'the n8n under test is the requested version, running on a Node it supports',
	async () => {
		const install = await ensureN8n();
		const requested = process.env.N8N_VERSION || DEFAULT_N8N_VERSION;
		expect(install.version).toBe(requested);

		const run = (args: string[]) => execFileSync(install.nodeBin, args, { env: install.env, encoding: 'utf8', timeout: 60_000 }).trim();
		expect(run([install.n8nBin, '--version'])).toBe(requested);

		const n8nPackage = JSON.parse(fs.readFileSync(path.join(install.home, 'node_modules', 'n8n', 'package.json'), 'utf8'));
		expect(n8nPackage.version).toBe(requested);
		// semver from n8n's own dependencies (not one of this package's).
		const semver = require(path.join(install.home, 'node_modules', 'semver')) as {
			satisfies(version: string, range: string): boolean;
		};
		const nodeVersion = run(['--version']);
		const supported: string = n8nPackage.engines?.node ?? '*';
		process.stderr.write(`[e2e] n8n ${requested} on Node ${nodeVersion} (n8n wants ${supported})\n`);
		expect({ nodeVersion, supported, ok: semver.satisfies(nodeVersion, supported) }).toEqual({
			nodeVersion,
			supported,
			ok: true,
		});
	},
	INSTALL_TIMEOUT,
);
