/**
 * Turns the Responses node's parameters for one item into a /v1/responses body. Only parameters the
 * user set are sent; everything is validated here so bad input fails before a billable request.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { readImageAsDataUrl } from '../shared/binary';
import { readBuiltInToolsIf, type RequestFeatures } from '../shared/builtInTools';
import { readConversation, stopSequences, textOf } from '../shared/conversation';
import { parseFunctionTools, toResponsesTools, type FunctionTool } from '../shared/tools';
import { asItemInputError, checkRange, commaList, definedOnly, InputError } from '../shared/validation';

export const RESPONSES_ROLES = ['system', 'developer', 'user', 'assistant'] as const;
export type ResponsesRole = (typeof RESPONSES_ROLES)[number];

export interface ResponsesOptions {
	functionTools?: unknown;
	imageBinaryFields?: string;
	imageDetail?: 'auto' | 'low' | 'high';
	maxOutputTokens?: number;
	metadata?: { entry?: Array<{ key?: string; value?: string }> };
	previousResponseId?: string;
	reasoningEffort?: string;
	stop?: string;
	store?: boolean;
	stream?: boolean;
	/** Send the answer to a streaming workflow's caller (answerRelay.ts); unset: yes. */
	streamToChat?: boolean;
	temperature?: number;
	toolChoice?: 'auto' | 'none' | 'required' | 'function';
	toolChoiceFunction?: string;
	topP?: number;
	user?: string;
}

type InputPart = { type: 'input_text'; text: string } | { type: 'input_image'; image_url: string; detail?: string };

export interface InputMessage {
	role: ResponsesRole;
	content: string | InputPart[];
}

export interface ResponsesRequest {
	body: IDataObject & { model: string; input: string | InputMessage[] };
	/** Values inside the body (MCP authorizations) that must never reach output, errors or logs. */
	secrets: string[];
}

const MAX_STOP_SEQUENCES = 4;
const MAX_METADATA_PAIRS = 16;
const MAX_METADATA_KEY = 64;
const MAX_METADATA_VALUE = 512;

/** A Simple Prompt is sent as a plain string; a Message List as input messages. */
function readInput(ctx: IExecuteFunctions, itemIndex: number): string | InputMessage[] {
	const conversation = readConversation(ctx, itemIndex, RESPONSES_ROLES, 'user');
	const isList = ctx.getNodeParameter('inputType', itemIndex, 'prompt') === 'messages';
	return isList ? conversation.map(({ role, content }) => ({ role, content })) : conversation[0].content;
}

/** Images become input_image parts of the last user message (a plain prompt turns into one). */
async function attachImages(
	ctx: IExecuteFunctions,
	itemIndex: number,
	input: string | InputMessage[],
	options: ResponsesOptions,
): Promise<string | InputMessage[]> {
	const fields = commaList(options.imageBinaryFields);
	if (fields.length === 0) return input;
	const messages: InputMessage[] = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
	const target = [...messages].reverse().find((message) => message.role === 'user');
	if (!target) throw new InputError('Images need a user message to go with', 'Add a user message to the list.');
	const parts: InputPart[] = typeof target.content === 'string' ? [{ type: 'input_text', text: target.content }] : target.content;
	for (const field of fields) {
		const url = await readImageAsDataUrl(ctx, itemIndex, field);
		parts.push({ type: 'input_image', image_url: url, ...(options.imageDetail ? { detail: options.imageDetail } : {}) });
	}
	target.content = parts;
	return messages;
}

function metadataObject(metadata: ResponsesOptions['metadata']): IDataObject | undefined {
	const entries = metadata?.entry ?? [];
	if (entries.length === 0) return undefined;
	const help = 'Metadata takes up to 16 pairs, each with a unique key of 1–64 characters and a value of up to 512.';
	if (entries.length > MAX_METADATA_PAIRS) throw new InputError(`Metadata has ${entries.length} pairs; at most 16 are allowed`, help);
	// Keys are the user's own words: "constructor" or "__proto__" must be plain keys, not Object.prototype's.
	const result = Object.create(null) as IDataObject;
	for (const { key = '', value = '' } of entries) {
		const name = key.trim();
		if (name === '' || name.length > MAX_METADATA_KEY) throw new InputError(`Metadata key "${name}" must be 1–64 characters`, help);
		if (Object.hasOwn(result, name)) throw new InputError(`Metadata key "${name}" is used twice`, help);
		const text = textOf(value);
		if (text.length > MAX_METADATA_VALUE) throw new InputError(`The value of metadata key "${name}" is longer than 512 characters`, help);
		result[name] = text;
	}
	return result;
}

function toolChoice(options: ResponsesOptions, functions: FunctionTool[], toolCount: number): unknown {
	const choice = options.toolChoice;
	if (choice === undefined) return undefined;
	if (choice !== 'none' && toolCount === 0) {
		throw new InputError('Tool Choice needs at least one tool', 'Add Function Tools or Built-in Tools, or remove Tool Choice.');
	}
	if (choice !== 'function') return choice;
	const name = (options.toolChoiceFunction ?? '').trim();
	if (!functions.some((tool) => tool.name === name)) {
		throw new InputError(
			name === '' ? 'Tool Choice needs a function name' : `Tool Choice names "${name}", which is not among the Function Tools`,
			'Enter the name of one of the functions defined under Function Tools.',
		);
	}
	// CONFLICT: OA documents this nested form for Responses, OpenAI's API the flat {type, name}; the contract's is sent.
	return { type: 'function', function: { name } };
}

function previousResponseId(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	const id = textOf(value).trim();
	if (id === '') {
		// An added but empty option is a broken chain: sending without it would silently lose the conversation.
		throw new InputError(
			'Previous Response ID is empty',
			'Map the responseId of the earlier DigitalOcean Responses node, e.g. {{ $json.responseId }}, or remove the option.',
		);
	}
	return id;
}

async function readOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: ResponsesOptions,
	features: RequestFeatures,
): Promise<{ fields: IDataObject; secrets: string[] }> {
	checkRange(options.temperature, 'Temperature', 0, 2);
	checkRange(options.topP, 'Top P', 0, 1);
	checkRange(options.maxOutputTokens, 'Max Output Tokens', 1, Number.MAX_SAFE_INTEGER);
	const functions = parseFunctionTools(options.functionTools);
	const builtIn = await readBuiltInToolsIf(ctx, itemIndex, features);
	const tools = [...toResponsesTools(functions), ...builtIn.tools];
	const fields = definedOnly({
		max_output_tokens: options.maxOutputTokens,
		temperature: options.temperature,
		top_p: options.topP,
		stop: stopSequences(options.stop, MAX_STOP_SEQUENCES),
		metadata: metadataObject(options.metadata),
		user: options.user || undefined,
		store: options.store,
		previous_response_id: previousResponseId(options.previousResponseId),
		reasoning: options.reasoningEffort ? { effort: options.reasoningEffort } : undefined,
		tools: tools.length > 0 ? tools : undefined,
		tool_choice: toolChoice(options, functions, tools.length),
	}) as IDataObject;
	return { fields, secrets: builtIn.secrets };
}

export async function buildResponsesRequest(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: string,
	features: RequestFeatures = {},
): Promise<ResponsesRequest> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ResponsesOptions;
	return await asItemInputError(ctx, itemIndex, async () => {
		if (!model || model.trim() === '') throw new InputError('No model selected', 'Pick a model from the list or enter its ID.');
		const input = await attachImages(ctx, itemIndex, readInput(ctx, itemIndex), options);
		const instructions = textOf(ctx.getNodeParameter('instructions', itemIndex, ''));
		const { fields, secrets } = await readOptions(ctx, itemIndex, options, features);
		return {
			body: { model: model.trim(), input, ...(instructions.trim() !== '' ? { instructions } : {}), ...fields },
			secrets,
		};
	});
}
