import type { SpaceStore } from '../store/space-store.js';
import { authenticate, userPrincipal, type Principal } from './principal.js';

/** Who a request is: from its token, or from the user a signed-in browser session names. */
export interface Authenticator {
  /** No token is anonymous; an unknown token is InvalidToken (401). */
  fromToken(token: string | undefined): Principal;
  /** A session's user, with their organization roles as a token's are; undefined when the user is gone. */
  fromSession(user: string): Principal | undefined;
}

export function storeAuthenticator(store: SpaceStore): Authenticator {
  return {
    fromToken: (token) => authenticate(store, token),
    fromSession: (name) => {
      const user = store.getUser(name);
      return user && userPrincipal(store, user, { tokenRole: 'write', tokenName: 'web session' });
    },
  };
}
