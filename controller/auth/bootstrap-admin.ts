import type { Logger } from '../../core/index.js';
import type { SpaceStore } from '../store/space-store.js';
import { generateToken } from './principal.js';

/**
 * First start: create the admin user. With SPACEPORT_ADMIN_TOKEN, make sure that token works
 * (automation); otherwise, when no token exists yet, generate one and return it to be shown once.
 */
export function bootstrapAdmin(
  store: SpaceStore,
  opts: { user: string; token?: string; logger: Logger },
): { generatedToken?: string } {
  if (!store.getUser(opts.user)) {
    store.createUser(opts.user, 'admin');
    opts.logger.info({ user: opts.user }, 'admin user created');
  }
  if (opts.token) {
    if (!store.findToken(opts.token)) store.addToken(opts.user, { displayName: 'SPACEPORT_ADMIN_TOKEN', role: 'write', plaintext: opts.token });
    return {};
  }
  if (store.countTokens() > 0) return {};
  const token = generateToken();
  store.addToken(opts.user, { displayName: 'initial admin token', role: 'write', plaintext: token });
  return { generatedToken: token };
}
