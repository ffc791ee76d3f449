/**
 * The package as users get it: `npm pack` of the fresh build (`npm run test:e2e` builds first), then
 * plain `npm install <tgz>` into a fresh `<N8N_USER_FOLDER>/.n8n/nodes`, run by npm on the Node that
 * runs the n8n under test — Node 20 for n8n 2.8.4 (`npm run test:e2e:n8n-2.8`), Node 24 for 2.41.1
 * (`npm run test:e2e`). That n8n then loads the installed package and runs an example against the
 * emulator.
 *
 * Guards: an install that pulls a second `n8n-workflow` (the peer is optional, so npm must not install
 * the newest one, whose isolated-vm does not build on Node 20 and whose classes would shadow n8n's),
 * and a tarball that lacks what n8n loads (nodes, credentials, icons, codex) or ships dead weight
 * (source maps without their sources, a `main` that does not exist).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { nodeOutput, PACKAGE_NAME, readExample, type TarballInstall } from './harness';
import { expectCleanExit, postsTo, RUN_TIMEOUT, useN8nWithEmulator } from './setup';

const example = readExample('chat-basic');
const setup = useN8nWithEmulator({
	workflows: [example],
	builtFiles: ['dist/nodes/DigitalOceanChat/DigitalOceanChat.node.js'],
	home: { packageLayout: 'tarball' },
});

function tarballInstall(): TarballInstall {
	const install = setup.home.tarballInstall;
	if (!install) throw new Error('the n8n home was not made with the tarball layout');
	return install;
}

/** The package folder npm unpacked into `.n8n/nodes/node_modules`. */
const installedPackageDir = () => path.join(tarballInstall().nodesDir, 'node_modules', PACKAGE_NAME);

test('plain `npm install <tgz>` succeeds on the Node that runs this n8n and installs only the package and undici', () => {
	const { npmInstall, nodeVersion, nodesDir, pack } = tarballInstall();
	const n8nNode = execFileSync(setup.home.install.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
	process.stderr.write(
		`[e2e] npm install of the tarball (${pack.size} B packed, ${pack.unpackedSize} B unpacked, ${pack.files.length} files) ` +
			`on Node ${nodeVersion} for n8n ${setup.home.install.version}: ${npmInstall.durationMs} ms\n`,
	);
	expect(npmInstall.exitCode).toBe(0);
	expect(nodeVersion).toBe(n8nNode);

	// No n8n-workflow (nor its isolated-vm): the node must use the copy of the n8n that loads it.
	const installed = fs.readdirSync(path.join(nodesDir, 'node_modules')).filter((name) => !name.startsWith('.'));
	expect(installed.sort()).toEqual([PACKAGE_NAME, 'undici'].sort());
});

test('package hygiene: undici as a caret range; the tarball holds what n8n loads (nodes, credentials, codex, icons) and nothing that points at missing files', () => {
	const { pack } = tarballInstall();
	const files = new Set(pack.files.map((f) => f.path));
	const missing = (paths: string[]) => paths.filter((p) => !files.has(p));

	const manifest = JSON.parse(fs.readFileSync(path.join(installedPackageDir(), 'package.json'), 'utf8'));
	expect(manifest.keywords).toContain('n8n-community-node-package');
	// undici as a caret range (users get its patches), and what npm picked satisfies it (semver from n8n's own install).
	expect(manifest.dependencies.undici).toMatch(/^\^7\.\d+\.\d+$/);
	const undici = JSON.parse(fs.readFileSync(path.join(tarballInstall().nodesDir, 'node_modules', 'undici', 'package.json'), 'utf8'));
	const semver = require(path.join(setup.home.install.home, 'node_modules', 'semver')) as {
		satisfies(version: string, range: string): boolean;
	};
	expect({ undici: undici.version, satisfies: semver.satisfies(undici.version, manifest.dependencies.undici) }).toEqual({
		undici: undici.version,
		satisfies: true,
	});
	expect(manifest.n8n.nodes.length).toBeGreaterThan(0);
	expect(missing([...manifest.n8n.nodes, ...manifest.n8n.credentials])).toEqual([]);
	// Each node's codex (categories, docs links) sits next to it.
	expect(missing(manifest.n8n.nodes.map((node: string) => node.replace(/\.js$/, '.json')))).toEqual([]);
	// Every `file:` icon a node or credential names resolves inside the tarball.
	const icons = [...manifest.n8n.nodes, ...manifest.n8n.credentials].flatMap((file: string) => {
		const code = fs.readFileSync(path.join(installedPackageDir(), file), 'utf8');
		return [...code.matchAll(/['"]file:([^'"]+)['"]/g)].map((m) => path.posix.join(path.posix.dirname(file), m[1]));
	});
	expect(icons.length).toBeGreaterThanOrEqual(2 * (manifest.n8n.nodes.length + manifest.n8n.credentials.length));
	expect(missing(icons)).toEqual([]);

	// An entry point, if declared, exists (n8n itself only reads the `n8n` block).
	for (const entry of [manifest.main, manifest.types].filter(Boolean)) expect(missing([path.posix.normalize(entry)])).toEqual([]);
	// Source maps only with the sources they point at.
	const unresolvedSources = [...files]
		.filter((f) => f.endsWith('.map'))
		.flatMap((map) => {
			const { sources } = JSON.parse(fs.readFileSync(path.join(installedPackageDir(), map), 'utf8')) as { sources: string[] };
			return sources.map((s) => path.posix.join(path.posix.dirname(map), s)).filter((s) => !files.has(s));
		});
	expect(unresolvedSources).toEqual([]);
	// Only the build and the standard files npm always adds.
	expect([...files].filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([]);
	expect(missing(['README.md', 'LICENSE'])).toEqual([]);
});

test(
	'n8n loads the installed package and the example runs: the model answer comes back from the emulator',
	async () => {
		const { result, run, requests } = await setup.run(example.id);
		expect(run.data.resultData.error).toBeUndefined();
		expectCleanExit(result);

		const [item, ...more] = nodeOutput(run, 'DigitalOcean Chat');
		expect(more).toEqual([]);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			content: 'Echo: What is the capital of France? Answer in one word.',
			finishReason: 'stop',
			model: 'llama3.3-70b-instruct',
		});
		const [chat, ...morePosts] = postsTo(requests, '/v1/chat/completions');
		expect(morePosts).toEqual([]);
		expect(requests).toHaveLength(1);
		expect(chat.status).toBe(200);
		expect(chat.headers.authorization).toBe(`Bearer ${setup.modelKey}`);
		expect(chat.body).toMatchObject({
			model: 'llama3.3-70b-instruct',
			messages: [{ role: 'user', content: 'What is the capital of France? Answer in one word.' }],
		});
		expect(item.json.requestId).toMatch(/\S/);
	},
	RUN_TIMEOUT,
);
