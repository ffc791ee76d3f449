/** Local emulator of DigitalOcean Serverless Inference (contract: shared/reference/do-inference-api.md). */
import type { Emulator, EmulatorOptions } from './types';
import { EmulatorState } from './state';
import { listen } from './server';

export type {
  Emulator,
  EmulatorConfig,
  EmulatorConfigPatch,
  EmulatorControl,
  EmulatorOptions,
  EmulatorStats,
  Fault,
  FaultRatio,
  LoggedRequest,
  QuotaConfig,
} from './types';

export { expectedEmbedding } from './embeddings/vectors';

export const DEFAULT_KEY = 'emulator-model-access-key';
/** The agent access key the agent endpoint accepts unless `agentKeys` says otherwise. */
export const DEFAULT_AGENT_KEY = 'emulator-agent-access-key';

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const keys = opts.keys && opts.keys.length > 0 ? opts.keys : [DEFAULT_KEY];
  const agentKeys = opts.agentKeys && opts.agentKeys.length > 0 ? opts.agentKeys : [DEFAULT_AGENT_KEY];
  const state = new EmulatorState(new Set(keys), new Set(agentKeys));
  const server = await listen(state, opts.port ?? 0);
  return { url: server.url, close: server.close, control: state.control() };
}
