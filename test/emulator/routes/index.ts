/** Registers one module per endpoint family. */
import { Router } from '../router';
import { registerModels } from './models';
import { registerChat } from './chat';

export function buildRouter(): Router {
  const router = new Router();
  registerModels(router);
  registerChat(router);
  return router;
}
