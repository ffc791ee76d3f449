/** GET /v1/models (§2). A key sees only the models it may use, so forbidden models are left out. */
import type { Router } from '../router';
import { listedModels } from '../catalog/models';

export function registerModels(router: Router): void {
  router.add('GET', '/v1/models', (ex, { state }) => {
    const forbidden = new Set(state.config.forbiddenModels);
    const data = listedModels().filter((m) => !forbidden.has(m.id)).map((m) => ({
      id: m.id,
      object: 'model',
      created: m.created,
      owned_by: m.ownedBy,
    }));
    ex.sendJson(200, { object: 'list', data });
  });
}
