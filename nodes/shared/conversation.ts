/**
 * The text nodes' common input: a "Simple Prompt" or a "Message List", read and validated the same
 * way everywhere (plus the matching node properties), and stop sequences given one per line.
 */
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { InputError } from './validation';

export interface ConversationMessage<Role extends string = string> {
	role: Role;
	content: string;
	/** Extra per-message values of the list (e.g. Chat's prompt-cache TTL). */
	[extra: string]: unknown;
}

/** Expressions may hand over numbers or objects; anything but text is sent as its JSON. */
export function textOf(value: unknown): string {
	if (typeof value === 'string') return value;
	return value === null || value === undefined ? '' : JSON.stringify(value);
}

export interface ConversationRules<Role extends string> {
	/** Whether a list message may have no text (e.g. an assistant message that carries tool calls). */
	contentOptional?: (message: ConversationMessage<Role>, position: number) => boolean;
}

/**
 * The item's conversation: a Simple Prompt becomes one user message. Every message must have text
 * unless `rules.contentOptional` says otherwise. `allowedRoles` maps roles the endpoint doesn't know
 * to `fallbackRole`.
 */
export function readConversation<Role extends string>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	allowedRoles: readonly Role[],
	fallbackRole: Role,
	rules: ConversationRules<Role> = {},
): Array<ConversationMessage<Role>> {
	if (ctx.getNodeParameter('inputType', itemIndex, 'prompt') !== 'messages') {
		const prompt = textOf(ctx.getNodeParameter('prompt', itemIndex, ''));
		if (prompt.trim() === '') {
			throw new InputError('The prompt is empty', 'Enter a prompt, or map it from the input with an expression.');
		}
		return [{ role: fallbackRole, content: prompt }];
	}
	const list = ctx.getNodeParameter('messages.message', itemIndex, []) as Array<Record<string, unknown>>;
	if (list.length === 0) {
		throw new InputError('The message list is empty', 'Add at least one message under "Messages".');
	}
	return list.map(({ role, content, ...extra }, position) => {
		const known = allowedRoles.includes(role as Role) ? (role as Role) : fallbackRole;
		const message: ConversationMessage<Role> = { ...extra, role: known, content: textOf(content) };
		if (message.content.trim() === '' && !rules.contentOptional?.(message, position)) {
			throw new InputError(`Message ${position + 1} has no content`, 'Every message needs text content.');
		}
		return message;
	});
}

/** "Stop Sequences" hold one sequence per line; `max` is the endpoint's limit, if it has one. */
export function stopSequences(value: string | undefined, max?: number): string[] | undefined {
	const sequences = (value ?? '').split('\n').filter((sequence) => sequence !== '');
	if (sequences.length === 0) return undefined;
	if (max !== undefined && sequences.length > max) {
		throw new InputError(`At most ${max} stop sequences are allowed (got ${sequences.length})`, 'Put one stop sequence per line.');
	}
	return sequences;
}

const ROLE_NAMES: Record<string, string> = {
	assistant: 'Assistant',
	developer: 'Developer',
	system: 'System',
	tool: 'Tool',
	user: 'User',
};

export const inputTypeProperty = (messagesDescription: string): INodeProperties => ({
	displayName: 'Input Type',
	name: 'inputType',
	type: 'options',
	default: 'prompt',
	options: [
		{ name: 'Simple Prompt', value: 'prompt', description: 'One user prompt' },
		{ name: 'Message List', value: 'messages', description: messagesDescription },
	],
});

export const promptProperty: INodeProperties = {
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	required: true,
	placeholder: 'e.g. Summarize this text in three bullet points',
	displayOptions: { show: { inputType: ['prompt'] } },
};

/** The "Messages" list for the given roles, with optional extra fields per message. */
export function messageListProperty(roles: string[], extraValues: INodeProperties[] = []): INodeProperties {
	const roleOptions: INodePropertyOptions[] = [...roles]
		.sort()
		.map((role) => ({ name: ROLE_NAMES[role] ?? role, value: role }));
	return {
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: { message: [{ role: 'user', content: '' }] },
		placeholder: 'Add Message',
		displayOptions: { show: { inputType: ['messages'] } },
		options: [
			{
				displayName: 'Message',
				name: 'message',
				values: [
					{ displayName: 'Role', name: 'role', type: 'options', default: 'user', options: roleOptions },
					{ displayName: 'Content', name: 'content', type: 'string', typeOptions: { rows: 2 }, default: '' },
					...extraValues,
				],
			},
		],
	};
}
