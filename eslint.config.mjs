// ESLint 9 flat config with both rule sets n8n's community-package scanner applies:
// - eslint-plugin-n8n-nodes-base: its community (package.json), credentials and nodes sets;
// - @n8n/eslint-plugin-community-nodes: the `recommended` set, on package.json, nodes/ and credentials/.
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';

const { community, credentials, nodes } = n8nNodesBase.configs;
const plugins = { 'n8n-nodes-base': n8nNodesBase };
const tsLanguage = { parser: tsParser, parserOptions: { sourceType: 'module' } };

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', 'bench/**', 'examples/**'] },
	{
		files: ['package.json'],
		plugins,
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: community.rules,
	},
	{
		files: ['credentials/**/*.ts'],
		plugins,
		languageOptions: tsLanguage,
		rules: {
			...credentials.rules,
			// "Only applicable to nodes in the main repository": community credentials link a full docs URL.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins,
		languageOptions: tsLanguage,
		rules: {
			...nodes.rules,
			// These want the string 'main'; n8n 2.x nodes use the NodeConnectionTypes.Main constant (same value).
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['package.json', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		plugins: communityNodes.configs.recommended.plugins,
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module', extraFileExtensions: ['.json'] } },
		rules: {
			...communityNodes.configs.recommended.rules,
			// This package targets self-hosted n8n (it is not offered for n8n Cloud, where these three
			// rules come from). Its transport is undici by design — streaming, connection reuse, abort
			// and timeouts n8n's helpers do not give — so it has a runtime dependency (accepted and
			// documented in the README), imports undici and `node:` modules, and reads `process.env`
			// (proxy and SSRF settings, as n8n does) and timers. All other recommended rules apply.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
		},
	},
];
