/**
 * A chat model of DigitalOcean Serverless Inference in the shape n8n's AI SDK asks for (`ChatModel`):
 * the SDK wraps it for LangChain, so the AI Agent and chains can use it. Every request goes through this
 * package's transport — its retries, the shared pause after a 429, no second request for an answer that
 * had started arriving (it was billed), the key only to the API's origin, timeouts and cancel — and is
 * read by the same code as the Chat node's, which tolerates what OpenAI-compatible servers send
 * (`tool_calls: null`, `content: null`, `reasoning_content`, a usage chunk without choices, S1's empty
 * `id` and `role`).
 */
import type { ChatModel, GenerateResult, Message, StreamChunk, Tool } from '@n8n/ai-node-sdk';
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { requestChatCompletion, type CompletionReply, type OnDelta } from '../shared/chatCompletion';
import { toChatTools } from '../shared/tools';
import type { InferenceClient } from '../shared/transport';
import { InputError } from '../shared/validation';
import { pushed } from './pushed';
import { toGenerateResult, toWireMessages, type WireMessage } from './wireMessages';

export type FunctionTool = Extract<Tool, { type: 'function' }>;

export interface ServerlessChatSettings {
	node: INode;
	client: InferenceClient;
	modelId: string;
	/** The body fields the user set (temperature, max_tokens, …), already validated. */
	fields: IDataObject;
	/** Whether requests ask for a streamed answer (the "Streaming" option). */
	streaming: boolean;
	/** The SDK's converter of a tool's input schema (JSON Schema or Zod) to JSON Schema. */
	toJsonSchema: (tool: FunctionTool) => object;
}

const CHAT_PATH = '/v1/chat/completions';

/** A finished answer as stream chunks: its tool calls whole (see `stream()`), then the finish. */
function* closingChunks(result: GenerateResult): Generator<StreamChunk> {
	for (const block of result.message.content) {
		if (block.type === 'tool-call') {
			yield { type: 'tool-call-delta', id: block.toolCallId, name: block.toolName, argumentsDelta: block.input };
		}
	}
	yield { type: 'finish', finishReason: result.finishReason ?? 'other', usage: result.usage };
}

export class ServerlessChatModel implements ChatModel {
	readonly provider = 'digitalocean';

	readonly modelId: string;

	constructor(
		private readonly settings: ServerlessChatSettings,
		private readonly tools: FunctionTool[] = [],
	) {
		this.modelId = settings.modelId;
	}

	withTools(tools: Tool[]): ServerlessChatModel {
		// The SDK's LangChain adapter hands over function tools only (provider tools are OpenAI's).
		const functions = tools.filter((tool): tool is FunctionTool => tool.type === 'function');
		return new ServerlessChatModel(this.settings, [...this.tools, ...functions]);
	}

	async generate(messages: Message[]): Promise<GenerateResult> {
		return this.result(await this.send(messages, this.settings.streaming));
	}

	/**
	 * The answer's text as it arrives, then its tool calls and the finish with the usage. Tool calls come
	 * whole once the answer is complete: the SDK's adapter files every tool-call piece under index 0,
	 * so LangChain tells parallel calls apart only by their (complete) ids.
	 */
	async *stream(messages: Message[]): AsyncGenerator<StreamChunk> {
		if (!this.settings.streaming) {
			const result = await this.generate(messages);
			const text = result.message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
			if (text !== '') yield { type: 'text-delta', delta: text };
			yield* closingChunks(result);
			return;
		}
		const pieces = pushed<string, CompletionReply>(async (push) => {
			const onDelta: OnDelta = (kind, text) => {
				if (kind === 'text') push(text);
			};
			return await this.send(messages, true, onDelta);
		});
		let next = await pieces.next();
		for (; !next.done; next = await pieces.next()) yield { type: 'text-delta', delta: next.value };
		yield* closingChunks(this.result(next.value));
	}

	private wireMessages(messages: Message[]): WireMessage[] {
		try {
			return toWireMessages(messages);
		} catch (error) {
			throw new NodeOperationError(this.settings.node, error as Error, { description: (error as Partial<InputError>).description });
		}
	}

	private async send(messages: Message[], stream: boolean, onDelta?: OnDelta): Promise<CompletionReply> {
		const { client, modelId, fields, toJsonSchema } = this.settings;
		const body: IDataObject = { model: modelId, messages: this.wireMessages(messages) as unknown as IDataObject[], ...fields };
		if (this.tools.length > 0) {
			body.tools = toChatTools(
				this.tools.map((tool) => ({
					name: tool.name,
					...(tool.description ? { description: tool.description } : {}),
					parameters: toJsonSchema(tool) as IDataObject,
				})),
			);
		}
		return await requestChatCompletion(client, { path: CHAT_PATH, body }, { stream, onDelta });
	}

	private result({ completion }: CompletionReply): GenerateResult {
		const [choice] = completion.choices;
		if (!choice) {
			throw new NodeOperationError(this.settings.node, 'DigitalOcean answered without any choice', {
				description: 'The reply held no answer. Try again; if it keeps happening, try another model.',
			});
		}
		return toGenerateResult(completion, choice);
	}
}
