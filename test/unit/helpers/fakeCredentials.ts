/**
 * Credentials as n8n-core hands them to a node: only a type the node declares (and shows for its
 * current parameters), only one the test provided, and with the credential type's defaults filled in.
 * The checks and their messages follow n8n-core's NodeExecutionContext._getCredentials (2.41).
 */
import { join } from 'node:path';

import {
	NodeHelpers,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type INode,
	type INodeParameters,
	type INodeType,
} from 'n8n-workflow';

export type CredentialsByType = Record<string, ICredentialDataDecryptedObject>;

const ROOT = join(__dirname, '..', '..', '..');

let registry: Map<string, ICredentialType> | undefined;

/**
 * The package's credential types, found the way n8n finds them: through package.json's `n8n.credentials`
 * (a credential missing there cannot be used by a test either). Each dist path maps to its source file.
 */
export function packageCredentialTypes(): Map<string, ICredentialType> {
	if (registry) return registry;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const manifest = require(join(ROOT, 'package.json')) as { n8n: { credentials: string[] } };
	registry = new Map();
	for (const distPath of manifest.n8n.credentials) {
		const source = join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		for (const exported of Object.values(require(source) as Record<string, new () => ICredentialType>)) {
			const credential = new exported();
			registry.set(credential.name, credential);
		}
	}
	return registry;
}

/** The data n8n would decrypt for one credential: the test's fields (each one the type has) plus the type's defaults. */
export function credentialData(type: string, fields: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	const credentialType = packageCredentialTypes().get(type);
	if (!credentialType) {
		throw new Error(`The test provides credentials of type "${type}", which the package does not register in package.json`);
	}
	const known = credentialType.properties.map((property) => property.name);
	const unknown = Object.keys(fields).filter((name) => !known.includes(name));
	if (unknown.length > 0) {
		throw new Error(`Credential type "${type}" has no field ${unknown.map((name) => `"${name}"`).join(', ')} (it has ${known.join(', ')})`);
	}
	return NodeHelpers.getNodeParameters(credentialType.properties, fields as INodeParameters, true, false, null, null) as ICredentialDataDecryptedObject;
}

/** What `getCredentials(type)` returns or throws for `node` (of `nodeType`; null for a test without a node). */
export function readCredentials(
	nodeType: INodeType | null,
	node: INode,
	provided: CredentialsByType,
	type: string,
): ICredentialDataDecryptedObject {
	if (nodeType) {
		const { description } = nodeType;
		if (description.credentials === undefined) {
			throw new NodeOperationError(node, `Node type "${node.type}" does not have any credentials defined`, { level: 'warning' });
		}
		const declared = description.credentials.find((credential) => credential.name === type);
		if (declared === undefined) {
			throw new NodeOperationError(node, `Node type "${node.type}" does not have any credentials of type "${type}" defined`, {
				level: 'warning',
			});
		}
		if (!NodeHelpers.displayParameter(node.parameters, declared, node, description, node.parameters)) {
			throw new NodeOperationError(node, 'Credentials not found');
		}
		if (declared.required !== true && !provided[type]) {
			throw new NodeOperationError(node, 'Node does not require credentials');
		}
	}
	if (!provided[type]) {
		if (Object.keys(provided).length === 0) {
			throw new NodeOperationError(node, 'Node does not have any credentials set', { level: 'warning' });
		}
		throw new NodeOperationError(node, `Node does not have any credentials set for "${type}"`, { level: 'warning' });
	}
	return { ...provided[type] };
}
