import { SpaceportError, type SpaceId } from '../../core/index.js';
import type { AccessChecker } from '../../proxy/index.js';
import type { SpaceStore } from '../store/space-store.js';
import { authenticate, canUseApp } from './principal.js';

/**
 * The controller's answer for a private app reached with `Authorization: Bearer <token>` (in-process,
 * and over `POST /internal/access` for proxy replicas): the API's rule (`canUseApp`). An unknown
 * Space or token is a plain no, so the proxy answers as for any host it does not know.
 */
export function appAccessChecker(store: SpaceStore): AccessChecker {
  return {
    canUseApp: async (id, token) => {
      const space = store.getSpace(id as SpaceId);
      if (!space) return false;
      try {
        return canUseApp(authenticate(store, token), space);
      } catch (err) {
        if (err instanceof SpaceportError) return false;
        throw err;
      }
    },
  };
}
