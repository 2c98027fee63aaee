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
