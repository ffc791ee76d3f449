/** Registers one module per endpoint family. */
import { Router } from '../router';
import { registerModels } from './models';
import { registerChat } from './chat';
import { registerResponses } from './responses';
import { registerMessages } from './messages';
import { registerEmbeddings } from './embeddings';
import { registerAgent } from './agent';
import { registerImages } from './images';
import { registerSpeech } from './speech';
import { registerVideo } from './video';
import { registerAsyncInvoke } from './asyncInvoke';
import { registerBatches } from './batches';

export function buildRouter(): Router {
  const router = new Router();
  registerModels(router);
  registerChat(router);
  registerResponses(router);
  registerMessages(router);
  registerEmbeddings(router);
  registerAgent(router);
  registerImages(router);
  registerSpeech(router);
  registerVideo(router);
  registerAsyncInvoke(router);
  registerBatches(router);
  return router;
}
