/**
 * The four operations of a job node (Video, Fal): Generate (submit, wait, fetch the result), Submit,
 * Get Status, and Get Result (waits while the job still runs, then fetches). A node supplies how to
 * submit, poll and deliver; this module owns the parameters, the waiting, and what a failed or
 * timed-out job becomes. Submitting happens once per item and is never retried once it may have
 * reached the server (the node's `submit` uses `retry: 'before-send-only'`).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { cancelSignalOf, createClient, readRequestSettings } from './client';
import { passOn } from './errors';
import { runItems } from './items';
import { waitForJob, type JobState } from './jobs';
import type { InferenceClient } from './transport';
import { asItemInputError, InputError } from './validation';

export type JobOperation = 'generate' | 'submit' | 'getStatus' | 'getResult';

const WAITING_OPERATIONS: JobOperation[] = ['generate', 'getResult'];

/** Operation, Job ID, Wait Timeout and On Timeout; `result` names what Generate produces ("the video"). */
export function jobProperties(result: string, defaultWaitSeconds: number): INodeProperties[] {
	return [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			default: 'generate',
			options: [
				{
					name: 'Generate',
					value: 'generate',
					action: `Generate ${result} and wait for it`,
					description: `Submit a job, wait for it and output ${result} as binary data`,
				},
				{
					name: 'Get Result',
					value: 'getResult',
					action: 'Get the result of a job',
					description: `Wait for a submitted job if it still runs, then output ${result}`,
				},
				{
					name: 'Get Status',
					value: 'getStatus',
					action: 'Get the status of a job',
					description: 'Check a submitted job once and output its status',
				},
				{
					name: 'Submit',
					value: 'submit',
					action: 'Submit a job',
					description: 'Submit a job and output its ID at once, to fetch the result later (e.g. after a Wait node)',
				},
			],
		},
		{
			displayName: 'Job ID',
			name: 'jobId',
			type: 'string',
			default: '={{ $json.jobId }}',
			required: true,
			displayOptions: { show: { operation: ['getStatus', 'getResult'] } },
			description: 'The ID the Submit operation output (field jobId)',
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: defaultWaitSeconds,
			displayOptions: { show: { operation: WAITING_OPERATIONS } },
			description:
				'Longest time to wait for the job to finish. The job is checked every 1–2 seconds at first, then every tenth of the time waited (at most every 10 seconds), so it is noticed soon after it finishes. Stopping the workflow ends the wait at once.',
		},
		{
			displayName: 'On Timeout',
			name: 'onTimeout',
			type: 'options',
			default: 'fail',
			displayOptions: { show: { operation: WAITING_OPERATIONS } },
			options: [
				{
					name: 'Fail',
					value: 'fail',
					description: 'Stop with an error that names the job ID, so it can be fetched later with Get Result',
				},
				{
					name: 'Output the Job to Continue Later',
					value: 'output',
					description: 'Output the job ID and status (timedOut: true) and go on; fetch it later with Get Result',
				},
			],
		},
	];
}

export function readJobOperation(ctx: IExecuteFunctions): JobOperation {
	return ctx.getNodeParameter('operation', 0, 'generate') as JobOperation;
}

/** What a node knows about its kind of job. */
export interface JobDriver<J> {
	/** "video job", "fal request": used in messages. */
	noun: string;
	submit: (itemIndex: number) => Promise<J>;
	poll: (jobId: string, itemIndex: number) => Promise<J>;
	idOf: (job: J) => string;
	statusOf: (job: J) => string;
	stateOf: (job: J) => JobState;
	/** The job's error message, for a failed job. */
	errorOf: (job: J) => string | undefined;
	/** Extra json fields for every output about this job (model, timestamps …). */
	describe: (job: J) => IDataObject;
	/** Fetches a finished job's result as output item(s); `facts` (job summary, polls) go into their json. */
	deliver: (job: J, itemIndex: number, facts: IDataObject) => Promise<INodeExecutionData[]>;
}

/** A job's error as text: DO sends a string, some backends an object with a message. */
export function jobErrorText(error: unknown): string | undefined {
	if (error === null || error === undefined || error === '') return undefined;
	if (typeof error === 'string') return error;
	const message = (error as { message?: unknown }).message;
	return typeof message === 'string' ? message : JSON.stringify(error);
}

/** The id in a submission's reply; without one the paid job cannot be tracked, which must be said loudly. */
export function requireJobId(
	ctx: IExecuteFunctions,
	id: unknown,
	what: string,
	reply: { requestId?: string },
	itemIndex: number,
): string {
	if (typeof id === 'string' && id !== '') return id;
	throw new NodeOperationError(ctx.getNode(), `DigitalOcean accepted the ${what} but returned no job ID`, {
		itemIndex,
		description: `Request ID ${reply.requestId ?? 'unknown'}. The job cannot be tracked; check your DigitalOcean usage before running the item again.`,
	});
}

/** The job ID parameter of item `itemIndex`, checked before any request. */
export function readJobId(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('jobId', itemIndex, '') as unknown;
	const jobId = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	if (jobId === '') {
		throw new InputError(
			'Job ID is empty',
			'Enter the ID a Submit operation output, e.g. the expression {{ $json.jobId }} after a Submit node.',
		);
	}
	if (/[/?#\s]/.test(jobId)) throw new InputError(`Job ID "${jobId}" is not a valid job ID`, 'A job ID has no slashes, spaces, ? or #.');
	return jobId;
}

function summary<J>(driver: JobDriver<J>, job: J): IDataObject {
	const state = driver.stateOf(job);
	return {
		jobId: driver.idOf(job),
		status: driver.statusOf(job),
		done: state === 'done',
		failed: state === 'failed',
		error: state === 'failed' ? (driver.errorOf(job) ?? 'The job failed') : null,
		...driver.describe(job),
	};
}

function failedJobError<J>(ctx: IExecuteFunctions, driver: JobDriver<J>, job: J, itemIndex: number): NodeOperationError {
	const reason = driver.errorOf(job) ?? `its status is ${driver.statusOf(job)}`;
	return new NodeOperationError(ctx.getNode(), `The ${driver.noun} ${driver.idOf(job)} failed: ${reason}`, {
		itemIndex,
		description: 'Change the prompt or input and run the node again. DigitalOcean reported the failure; nothing was downloaded.',
	});
}

/** Errors while fetching a finished job's result say how to fetch it again without paying twice. */
function withRetryHint<J>(error: unknown, driver: JobDriver<J>, job: J): unknown {
	if (!(error instanceof NodeOperationError || error instanceof NodeApiError)) return error;
	const hint = `The ${driver.noun} ${driver.idOf(job)} finished; run Get Result with this job ID to fetch it again without a new job.`;
	error.description = error.description ? `${error.description} ${hint}` : hint;
	return error;
}

async function waitAndDeliver<J>(
	ctx: IExecuteFunctions,
	driver: JobDriver<J>,
	first: J,
	itemIndex: number,
	justSubmitted: boolean,
): Promise<INodeExecutionData[]> {
	const timeoutSeconds = ctx.getNodeParameter('waitTimeout', itemIndex, 600) as number;
	const onTimeout = ctx.getNodeParameter('onTimeout', itemIndex, 'fail') as 'fail' | 'output';
	const jobId = driver.idOf(first);
	let job = first;
	let waited: IDataObject = { polls: 0, waitedSeconds: 0 };

	if (driver.stateOf(first) === 'pending') {
		const result = await waitForJob(() => driver.poll(jobId, itemIndex), driver.stateOf, {
			timeoutMs: Math.max(1, timeoutSeconds) * 1000,
			signal: cancelSignalOf(ctx),
			// A job fetched by Get Result has usually run a while; a fresh one is checked after a second.
			initialIntervalMs: justSubmitted ? 1_000 : 2_000,
		});
		waited = { polls: result.polls, waitedSeconds: Math.round(result.waitedMs / 100) / 10 };
		if (result.outcome === 'timeout') {
			const last = result.job ?? first;
			if (onTimeout === 'output') return [{ json: { ...summary(driver, last), timedOut: true, ...waited } }];
			throw new NodeOperationError(
				ctx.getNode(),
				`The ${driver.noun} ${jobId} did not finish within ${timeoutSeconds} s (status: ${driver.statusOf(last)})`,
				{
					itemIndex,
					description: `It is still running on DigitalOcean. Fetch it later with the Get Result operation and Job ID ${jobId} (it is not submitted again), or raise "Wait Timeout".`,
				},
			);
		}
		job = result.job;
	}
	if (driver.stateOf(job) === 'failed') throw failedJobError(ctx, driver, job, itemIndex);
	try {
		return await driver.deliver(job, itemIndex, { ...summary(driver, job), ...waited });
	} catch (error) {
		throw withRetryHint(error, driver, job);
	}
}

/** A submission that failed after it may have reached DigitalOcean is not sent again; the error says why. */
async function submitOnce<J>(ctx: IExecuteFunctions, driver: JobDriver<J>, itemIndex: number): Promise<J> {
	try {
		return await driver.submit(itemIndex);
	} catch (error) {
		const status = error instanceof NodeApiError ? Number(error.httpCode) : NaN;
		if (error instanceof NodeApiError && !(status >= 400 && status < 500)) {
			const note = `The request may have reached DigitalOcean, so it was not sent again: a second ${driver.noun} would be billed twice. Check your DigitalOcean usage before running the item again.`;
			// Before DigitalOcean's request id, which stays last where users look for it.
			const [hint, requestId] = (error.description ?? '').split(/ (?=Request ID: )/);
			error.description = [hint, note, requestId].filter(Boolean).join(' ');
		}
		throw passOn(ctx.getNode(), error, itemIndex);
	}
}

export async function runJobOperation<J>(
	ctx: IExecuteFunctions,
	operation: JobOperation,
	itemIndex: number,
	driver: JobDriver<J>,
): Promise<INodeExecutionData[]> {
	switch (operation) {
		case 'submit':
			return [{ json: summary(driver, await submitOnce(ctx, driver, itemIndex)) }];
		case 'getStatus':
			return [{ json: summary(driver, await driver.poll(readJobId(ctx, itemIndex), itemIndex)) }];
		case 'getResult':
			return await waitAndDeliver(ctx, driver, await driver.poll(readJobId(ctx, itemIndex), itemIndex), itemIndex, false);
		case 'generate':
			return await waitAndDeliver(ctx, driver, await submitOnce(ctx, driver, itemIndex), itemIndex, true);
		default:
			throw new NodeOperationError(ctx.getNode(), `Unknown operation "${String(operation)}"`, { itemIndex });
	}
}

/** The validation pre-pass of a job node: request fields for submitting operations, the job ID otherwise. */
export async function validateJobItem(
	ctx: IExecuteFunctions,
	operation: JobOperation,
	itemIndex: number,
	buildRequest: (itemIndex: number) => Promise<unknown>,
): Promise<unknown> {
	if (operation === 'submit' || operation === 'generate') return await buildRequest(itemIndex);
	return readJobId(ctx, itemIndex);
}

/**
 * The whole `execute()` of a job node: one client, the operation, every item checked before the first
 * request, then each item run with the node's driver. `checkOutput` validates the output options of
 * the operations that fetch files, up front: a typo must not surface only after a paid job.
 */
export async function executeJobNode<J>(
	ctx: IExecuteFunctions,
	createDriver: (client: InferenceClient, retries: number) => JobDriver<J>,
	buildRequest: (itemIndex: number) => Promise<unknown>,
	checkOutput?: (itemIndex: number) => void,
): Promise<INodeExecutionData[][]> {
	const settings = readRequestSettings(ctx);
	const client = await createClient(ctx, settings);
	const operation = readJobOperation(ctx);
	const driver = createDriver(client, settings.maxRetries);
	const validate = async (itemIndex: number) => {
		if (checkOutput && WAITING_OPERATIONS.includes(operation)) await asItemInputError(ctx, itemIndex, () => checkOutput(itemIndex));
		return await validateJobItem(ctx, operation, itemIndex, buildRequest);
	};
	const output = await runItems(ctx, async (itemIndex) => await runJobOperation(ctx, operation, itemIndex, driver), {
		concurrency: settings.concurrency,
		validate,
	});
	return [output];
}

/** Reads "Max File Size (MB)" from the node's options into bytes. */
export function maxBytesOf(options: { maxFileSize?: number }, defaultMb: number): number {
	const mb = options.maxFileSize && options.maxFileSize > 0 ? options.maxFileSize : defaultMb;
	return Math.round(mb * 1024 * 1024);
}

export function maxFileSizeOption(defaultMb: number): INodeProperties {
	return {
		displayName: 'Max File Size (MB)',
		name: 'maxFileSize',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: defaultMb,
		description: 'A result file larger than this is not downloaded; the item fails with a clear error instead',
	};
}
