/** The Chat node's "Simplified" output of a chat completion (reading it is shared: ../shared/chatCompletion.ts). */
import type { IDataObject } from 'n8n-workflow';

import { contentText, type ChatCompletion } from '../shared/chatCompletion';
import { parseToolArguments } from '../shared/tools';

export interface SimplifyContext {
	requestId?: string;
	route?: string;
}

/** The text of the first choice: what goes to the chat when the answer streams there. */
export function firstChoiceText(completion: ChatCompletion): string {
	return contentText(completion.choices[0]?.message.content);
}

/**
 * One output json per choice: answer, reasoning, parsed tool calls, usage and ids. `output` repeats the
 * answer under the name n8n's Chat Trigger reads in its "Last Node" response mode.
 */
export function simplifyCompletion(completion: ChatCompletion, context: SimplifyContext): IDataObject[] {
	const multiple = completion.choices.length > 1;
	return completion.choices.map((choice) => {
		const content = contentText(choice.message.content);
		const output: IDataObject = {
			content,
			reasoning: choice.message.reasoning_content ?? null,
			toolCalls: (choice.message.tool_calls ?? []).map((call) => {
				const args = parseToolArguments(call.function?.arguments);
				// `input` repeats the arguments because n8n expressions refuse to read a key named
				// "arguments" ("Cannot access due to security concerns"): {{ $json.toolCalls[0].input.city }}.
				return { id: call.id, name: call.function?.name, arguments: args, input: args };
			}),
			finishReason: choice.finish_reason,
			model: completion.model,
			usage: completion.usage ?? {},
			requestId: context.requestId ?? null,
			output: content,
		};
		if (context.route) output.route = context.route;
		if (multiple) output.choiceIndex = choice.index;
		return output;
	});
}
