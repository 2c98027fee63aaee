import { SpaceportError } from '../../core/index.js';
import { assertCanWrite, authenticate, canReadCode } from '../auth/index.js';
import type { SpaceStore } from '../store/index.js';
import type { GitAuthorizeRequest, GitAuthorizeResult } from './git-http.js';

/**
 * Who may pull (clone, fetch) and push a Space over git, by principal.ts's rules: code is for
 * everyone on a public Space and for members on a protected or private one; a push needs what any
 * change needs (`assertCanWrite`: a role that writes, and a write token).
 *
 * Anonymous: 401 (git then sends credentials) whether or not the Space exists, so a private Space's
 * existence is never told apart from a missing one; a user without access: 404. A refusal is an
 * answer (`{error}`), never a throw.
 */
export function authorizeGit(store: SpaceStore, { space: id, access, token }: GitAuthorizeRequest): GitAuthorizeResult {
  try {
    const p = authenticate(store, token);
    const space = store.getSpace(id);
    if (!space || !canReadCode(p, space)) {
      return { error: new SpaceportError(p.kind === 'anonymous' ? 'Unauthorized' : 'RepoNotFound') };
    }
    if (access === 'write') assertCanWrite(p, space);
    return { user: p.kind === 'user' ? p.user.name : '' };
  } catch (err) {
    if (err instanceof SpaceportError) return { error: err };
    throw err;
  }
}
