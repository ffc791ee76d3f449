/**
 * Runs a node's execute() against the emulator. `base` holds what the test file fixes and the node's
 * description has no usable default for (a model, a prompt); every other parameter comes from the
 * description, so tests pass only what they vary.
 */
import { NodeOperationError, type INodeExecutionData, type INodeType } from 'n8n-workflow';

import { DEFAULT_KEY } from '../../emulator';
import { fakeExecuteContext, type FakeContextOptions, type Params } from './fakeContext';

export function nodeRunner(node: () => INodeType, base: Params, emulator: { url: string }) {
	const run = async (params: Params = {}, extra: Partial<FakeContextOptions> = {}): Promise<INodeExecutionData[]> => {
		const nodeType = node();
		const ctx = fakeExecuteContext({
			params: { ...base, ...params },
			credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
			...extra,
			node: nodeType,
		});
		const output = (await nodeType.execute!.call(ctx)) as INodeExecutionData[][];
		return output[0];
	};
	/** The NodeOperationError a run fails with (the test fails if it succeeds or throws something else). */
	const runError = async (params: Params, extra: Partial<FakeContextOptions> = {}): Promise<NodeOperationError> => {
		const error = await run(params, extra).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	};
	return { run, runError };
}
