/**
 * Lays this package out inside an n8n user folder the way n8n's community-package installer does:
 * `<.n8n>/nodes/node_modules/<package>` (n8n scans `nodes/node_modules/n8n-nodes-*` at start-up and
 * names the node types `<package>.<node>`). Shared by the real-n8n e2e harness and `npm start`.
 * Node built-ins only; imports nothing from test/ (the harness imports this file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package root (the folder holding package.json and dist/). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/**
 * - `copy`: package.json without dev/peer dependencies, a copy of dist/, and symlinks to the
 *   runtime dependencies — what n8n's community-package installer leaves. `n8n-workflow` then
 *   resolves to n8n's own copy (through the NODE_PATH n8n sets), as in production.
 * - `symlink`: a symlink to the package root. Modules resolve from the clone, so the node gets
 *   the clone's devDependency `n8n-workflow` (a second copy of the classes n8n checks with
 *   instanceof), and the devDependency `@n8n/ai-node-sdk` with its own LangChain instead of n8n's.
 */
export type PackageLayout = 'symlink' | 'copy';

interface PackageJson {
	name: string;
	version: string;
	dependencies?: Record<string, string>;
	[key: string]: unknown;
}

export function readPackageJson(): PackageJson {
	return JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * Installs the package into `<dotN8n>/nodes/node_modules/<package>`, replacing whatever an earlier
 * run left there (so a persistent user folder always gets the current build). Returns the target.
 */
export function installCommunityPackage(dotN8n: string, layout: PackageLayout): string {
	const pkg = readPackageJson();
	const nodesDir = path.join(dotN8n, 'nodes');
	const target = path.join(nodesDir, 'node_modules', pkg.name);
	fs.mkdirSync(path.dirname(target), { recursive: true });
	// n8n finds community packages by scanning nodes/node_modules/n8n-nodes-* (n8n-core
	// scanDirectoryForPackages); nodes/package.json is only what its installer maintains.
	// Written anyway so the folder looks like a real install.
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [pkg.name]: pkg.version } }, null, 2),
	);
	fs.rmSync(target, { recursive: true, force: true }); // a symlink is removed, not followed
	if (layout === 'symlink') {
		fs.symlinkSync(PACKAGE_ROOT, target, 'dir');
	} else {
		installPackageCopy(pkg, target);
	}
	return target;
}

/** A copy of the package as n8n's community installer leaves it (see PackageLayout). */
function installPackageCopy(pkg: PackageJson, target: string): void {
	const { devDependencies: _d, peerDependencies: _p, optionalDependencies: _o, ...installed } = pkg;
	const dist = path.join(PACKAGE_ROOT, 'dist');
	if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first.`);
	fs.mkdirSync(target, { recursive: true });
	fs.writeFileSync(path.join(target, 'package.json'), JSON.stringify(installed, null, 2));
	fs.cpSync(dist, path.join(target, 'dist'), { recursive: true });
	for (const dep of Object.keys(pkg.dependencies ?? {})) {
		const src = path.join(PACKAGE_ROOT, 'node_modules', dep);
		if (!fs.existsSync(src)) throw new Error(`runtime dependency ${dep} is not installed in ${PACKAGE_ROOT}`);
		const dst = path.join(target, 'node_modules', dep);
		fs.mkdirSync(path.dirname(dst), { recursive: true });
		fs.symlinkSync(src, dst, 'dir');
	}
}
