/** Local emulator of DigitalOcean Serverless Inference (contract: shared/reference/do-inference-api.md). */
import type { Emulator, EmulatorOptions } from './types';
import { EmulatorState } from './state';
import { listen } from './server';
import { listenCdn } from './cdn/server';

export type {
  BatchRecord,
  BatchLimits,
  BatchTimings,
  BatchUrlTtl,
  CdnRequest,
  ChatQuirk,
  Emulator,
  EmulatorConfig,
  EmulatorConfigPatch,
  EmulatorControl,
  EmulatorOptions,
  EmulatorStats,
  Fault,
  FaultTarget,
  FaultRatio,
  JobSubmission,
  VideoTimings,
  AsyncTimings,
  LoggedRequest,
  QuotaConfig,
} from './types';

export { expectedEmbedding } from './embeddings/vectors';
export { keyFingerprint } from './jobs/store';
export { imageMagic, audioMagic, isMp4, type ImageInfo, type ImageKind, type AudioKind } from './media/magic';

export const DEFAULT_KEY = 'emulator-model-access-key';
/** The agent access key the agent endpoint accepts unless `agentKeys` says otherwise. */
export const DEFAULT_AGENT_KEY = 'emulator-agent-access-key';

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const keys = opts.keys && opts.keys.length > 0 ? opts.keys : [DEFAULT_KEY];
  const agentKeys = opts.agentKeys && opts.agentKeys.length > 0 ? opts.agentKeys : [DEFAULT_AGENT_KEY];
  const state = new EmulatorState(new Set(keys), new Set(agentKeys));
  const server = await listen(state, opts.port ?? 0);
  const cdn = await listenCdn(state).catch(async (error: Error) => {
    await server.close();
    throw error;
  });
  state.cdnUrl = cdn.url;
  return {
    url: server.url,
    cdnUrl: cdn.url,
    close: async () => {
      await Promise.all([server.close(), cdn.close()]);
    },
    control: state.control(),
  };
}
