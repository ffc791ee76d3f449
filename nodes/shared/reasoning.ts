/** Reasoning controls shared by the text nodes. */
import type { INodePropertyOptions } from 'n8n-workflow';

/**
 * Every documented value: OpenAI-style none…xhigh (OA/GPY) plus DO's `max` (S2) — the sources disagree,
 * so all are offered and the model decides what it supports.
 */
export const REASONING_EFFORT_OPTIONS: INodePropertyOptions[] = [
	{ name: 'None', value: 'none' },
	{ name: 'Minimal', value: 'minimal' },
	{ name: 'Low', value: 'low' },
	{ name: 'Medium', value: 'medium' },
	{ name: 'High', value: 'high' },
	{ name: 'Extra High', value: 'xhigh' },
	{ name: 'Max', value: 'max' },
];
