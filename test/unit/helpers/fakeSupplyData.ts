/**
 * n8n's supply-data context (what a sub-node's supplyData gets) on top of the fake execute context:
 * the same parameters, credentials and cancel signal, plus `addInputData` / `addOutputData` recorded
 * the way n8n-core's SupplyDataContext keeps them — each addInputData opens the sub-node's next run
 * (its index returned at once, so overlapping calls get their own runs), addOutputData completes it.
 */
import type { INodeExecutionData, ISupplyDataFunctions, NodeConnectionType } from 'n8n-workflow';

import { fakeExecuteContext, type FakeContextOptions } from './fakeContext';

/** One run of the sub-node as its panel shows it. */
export interface SubNodeRun {
	connectionType: NodeConnectionType;
	input: INodeExecutionData[][];
	/** Items, or the error the run ended with; undefined while it runs. */
	output?: INodeExecutionData[][] | Error;
}

export function fakeSupplyDataContext(options: FakeContextOptions): ISupplyDataFunctions & { runs: SubNodeRun[] } {
	const runs: SubNodeRun[] = [];
	const context = Object.assign(fakeExecuteContext(options), {
		runs,
		addInputData(connectionType: NodeConnectionType, input: INodeExecutionData[][]) {
			runs.push({ connectionType, input });
			return { index: runs.length - 1 };
		},
		addOutputData(connectionType: NodeConnectionType, index: number, output: INodeExecutionData[][] | Error) {
			const run = runs[index];
			if (!run || run.connectionType !== connectionType || run.output !== undefined) {
				throw new Error(`addOutputData(${connectionType}, ${index}) matches no open run of that connection type`);
			}
			run.output = output;
		},
	});
	return context as unknown as ISupplyDataFunctions & { runs: SubNodeRun[] };
}
