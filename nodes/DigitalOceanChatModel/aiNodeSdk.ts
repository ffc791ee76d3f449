/**
 * n8n's AI node SDK (`@n8n/ai-node-sdk`), which n8n ships from version 2.16 and resolves for community
 * packages from its own modules. It is loaded only when a model is supplied, never when n8n loads this
 * package: n8n loads a package's nodes without catching errors, so a missing SDK at load time would take
 * every node of the package down on older n8n versions.
 */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export type AiNodeSdk = typeof import('@n8n/ai-node-sdk');

const SDK = '@n8n/ai-node-sdk';

function isSdkMissing(error: unknown): boolean {
	// A module the SDK itself imports may be missing too; only the SDK's absence means an old n8n.
	return (error as { code?: string })?.code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${SDK}'`);
}

export async function loadAiNodeSdk(node: INode): Promise<AiNodeSdk> {
	try {
		return await import('@n8n/ai-node-sdk');
	} catch (error) {
		if (!isSdkMissing(error)) throw new NodeOperationError(node, error as Error, { description: 'n8n could not load its AI node SDK.' });
		// n8n shows a sub-node's error as "Error in sub-node …" with this message (not the description) below it.
		throw new NodeOperationError(node, 'The DigitalOcean Chat Model needs n8n 2.16 or newer: update n8n, or use the DigitalOcean Chat node', {
			description:
				"It is built on n8n's AI node SDK, which n8n includes from version 2.16 on; this n8n has none. The DigitalOcean Chat node works on every n8n version, as an AI Agent tool too.",
		});
	}
}
