import type { Logger } from '../../core/index.js';
import type { SpaceStore } from '../store/space-store.js';
import { generateToken } from './principal.js';

/** The name the token seeded from SPACEPORT_ADMIN_TOKEN carries (one at a time). */
export const ADMIN_TOKEN_NAME = 'SPACEPORT_ADMIN_TOKEN';

/**
 * First start: create the admin user. With SPACEPORT_ADMIN_TOKEN, make sure that token works and is
 * the only one seeded that way: a changed value replaces the previous one (rotation: set the new
 * value, restart, the old one stops working); otherwise, when no token exists yet, generate one and
 * return it to be shown once. Tokens the admin made through the API or the web UI are left alone.
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
    const current = store.findToken(opts.token);
    for (const t of store.listTokens(opts.user)) {
      if (t.displayName === ADMIN_TOKEN_NAME && t.id !== current?.token.id) {
        store.deleteToken(opts.user, t.id);
        opts.logger.info({ user: opts.user }, 'SPACEPORT_ADMIN_TOKEN changed: the previous one no longer works');
      }
    }
    if (!current) store.addToken(opts.user, { displayName: ADMIN_TOKEN_NAME, role: 'write', plaintext: opts.token });
    return {};
  }
  if (store.countTokens() > 0) return {};
  const token = generateToken();
  store.addToken(opts.user, { displayName: 'initial admin token', role: 'write', plaintext: token });
  return { generatedToken: token };
}

/**
 * At start: report what older data holds that the name rules now refuse (names equal ignoring case,
 * Spaces whose owner is no user or organization). Nothing is changed or deleted, and Spaceport keeps
 * serving; an operator renames or moves them (an orphan namespace's Spaces are reachable only by
 * site admins until then, and no one can take the name: `createUser`/`createOrg` refuse it).
 */
export function reportNameProblems(store: Pick<SpaceStore, 'nameProblems'>, logger: Logger): void {
  const { caseCollisions, orphanNamespaces } = store.nameProblems();
  if (caseCollisions.length > 0) {
    logger.warn({ caseCollisions }, 'user or organization names equal ignoring case: rename all but one (new names are unique ignoring case)');
  }
  if (orphanNamespaces.length > 0) {
    logger.warn({ orphanNamespaces }, 'Spaces owned by a name that is no user or organization: move them to an existing namespace or delete them');
  }
}
