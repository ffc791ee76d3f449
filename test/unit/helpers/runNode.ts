/** Runs a node's execute() against the emulator with fixed default parameters; tests vary only what they check. */
import { NodeOperationError, type INodeExecutionData, type INodeType } from 'n8n-workflow';

import { DEFAULT_KEY } from '../../emulator';
import { fakeExecuteContext, type FakeContextOptions, type Params } from './fakeContext';

export function nodeRunner(node: () => INodeType, defaults: Params, emulator: { url: string }) {
	const run = async (params: Params = {}, extra: Partial<FakeContextOptions> = {}): Promise<INodeExecutionData[]> => {
		const ctx = fakeExecuteContext({
			params: { ...defaults, ...params },
			credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
			...extra,
		});
		const output = (await node().execute!.call(ctx)) as INodeExecutionData[][];
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
