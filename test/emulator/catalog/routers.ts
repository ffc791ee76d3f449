/**
 * Inference routers (§12.1), selected with `model: "router:<name>"`. A router classifies the prompt
 * into one of its tasks and answers with that task's first model ("manual ranking" policy); with no
 * matching task its fallback answers. The emulator classifies by keywords so selection is
 * deterministic. Routers are not listed in /v1/models (UNVERIFIED whether DO lists them).
 */

export interface RouterTask {
  name: string;
  keywords: string[];
  models: string[];
}

export interface RouterDefinition {
  name: string;
  tasks: RouterTask[];
  fallback: { name: string; models: string[] };
}

export const ROUTER_PREFIX = 'router:';

export const ROUTERS: readonly RouterDefinition[] = [
  {
    name: 'software-engineering',
    tasks: [
      {
        name: 'code-generation',
        keywords: ['code', 'function', 'typescript', 'javascript', 'python', 'implement', 'refactor', 'class', 'sql'],
        models: ['anthropic-claude-4.6-sonnet', 'openai-gpt-oss-120b'],
      },
      {
        name: 'debugging',
        keywords: ['bug', 'error', 'exception', 'stack trace', 'crash', 'debug'],
        models: ['openai-gpt-5.2', 'anthropic-claude-sonnet-4.5'],
      },
    ],
    fallback: { name: 'fallback', models: ['llama3.3-70b-instruct'] },
  },
  {
    name: 'my-support-router',
    tasks: [
      {
        name: 'billing',
        keywords: ['invoice', 'bill', 'billing', 'charge', 'refund', 'payment', 'price'],
        models: ['anthropic-claude-3.5-haiku'],
      },
      {
        name: 'technical-support',
        keywords: ['error', 'droplet', 'crash', 'broken', 'code', 'outage', 'down'],
        models: ['openai-gpt-oss-120b', 'llama3.3-70b-instruct'],
      },
    ],
    fallback: { name: 'fallback', models: ['llama3.3-70b-instruct'] },
  },
];

const BY_NAME = new Map(ROUTERS.map((r) => [r.name, r]));

export function isRouterId(model: string): boolean {
  return model.startsWith(ROUTER_PREFIX);
}

export function findRouter(model: string): RouterDefinition | undefined {
  return BY_NAME.get(model.slice(ROUTER_PREFIX.length));
}

/** Picks the first task whose keyword occurs as a word in the prompt, else the fallback. */
export function selectRoute(router: RouterDefinition, prompt: string): { task: string; model: string } {
  const text = prompt.toLowerCase();
  for (const task of router.tasks) {
    if (task.keywords.some((k) => new RegExp(`\\b${escapeRegExp(k)}\\b`).test(text))) {
      return { task: task.name, model: task.models[0] };
    }
  }
  return { task: router.fallback.name, model: router.fallback.models[0] };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
