// ESLint 9 flat config applying eslint-plugin-n8n-nodes-base's community (package.json),
// credentials and nodes rule sets, as n8n's community package checks do.
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
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
];
