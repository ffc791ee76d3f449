/** The "Simplified" output of the Responses node, read from a response object (streamed or not). */
import type { IDataObject } from 'n8n-workflow';

import { parseToolArguments } from '../shared/tools';
import type { ContentPart, OutputItem, ResponseObject } from './responsesStream';

/** Item types the node shows under their own fields; every other item is a built-in (server-run) tool's. */
const OWN_ITEM_TYPES = new Set(['message', 'reasoning', 'function_call']);

function textsOf(parts: ContentPart[] | undefined, type: string): string[] {
	return (parts ?? [])
		.filter((part) => part?.type === type && typeof part.text === 'string')
		.map((part) => part.text as string);
}

/** Every output_text part of every message item, joined (what the SDKs call `output_text`). */
export function outputText(output: OutputItem[]): string {
	return output
		.filter((item) => item.type === 'message')
		.flatMap((item) => textsOf(item.content, 'output_text'))
		.join('');
}

/** The reasoning trace, or its summary when the model only gives one; null without reasoning. */
export function reasoningText(output: OutputItem[]): string | null {
	const items = output.filter((item) => item.type === 'reasoning');
	const trace = items.flatMap((item) => textsOf(item.content, 'reasoning_text'));
	const texts = trace.length > 0 ? trace : items.flatMap((item) => textsOf(item.summary, 'summary_text'));
	return texts.length > 0 ? texts.join('') : null;
}

function outputItems(response: ResponseObject): OutputItem[] {
	return Array.isArray(response.output) ? response.output : [];
}

/** The answer's text: what goes to the chat when the answer streams there. */
export function responseText(response: ResponseObject): string {
	return outputText(outputItems(response));
}

export function simplifyResponse(response: ResponseObject, context: { requestId?: string }): IDataObject {
	const output = outputItems(response);
	const text = outputText(output);
	return {
		text,
		reasoning: reasoningText(output),
		functionCalls: output
			.filter((item) => item.type === 'function_call')
			.map((item) => {
				const args = parseToolArguments(item.arguments);
				// `input` repeats the arguments: n8n expressions refuse a key named "arguments" (as in Chat's toolCalls).
				return { callId: item.call_id, name: item.name, arguments: args, input: args };
			}),
		builtInToolCalls: output.filter((item) => !OWN_ITEM_TYPES.has(item.type)) as unknown as IDataObject[],
		responseId: response.id,
		status: response.status,
		model: response.model,
		usage: response.usage ?? {},
		requestId: context.requestId ?? null,
		// The answer again, under the name n8n's Chat Trigger reads in its "Last Node" response mode.
		output: text,
	};
}
