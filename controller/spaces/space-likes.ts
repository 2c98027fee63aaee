import { SpaceportError } from '../../core/index.js';
import { assertSignedInWriter, readScopeOf, type Principal } from '../auth/index.js';
import type { SpaceRecord, SpaceStore } from '../store/index.js';

/**
 * Likes in the Hub's shapes: `POST/DELETE /api/spaces/{id}/like`, `GET /api/users/{user}/likes`
 * (`list_liked_repos`), `GET /api/spaces/{id}/likers` (`list_repo_likers`). The Space is one the
 * caller may read (the routes resolve it: private is missing); a user's likes list only Spaces the
 * caller may read.
 */
export class SpaceLikes {
  readonly #store: Pick<SpaceStore, 'setLike' | 'likesOf' | 'likersOf' | 'getSpaceByUid' | 'getUser'>;

  constructor(store: Pick<SpaceStore, 'setLike' | 'likesOf' | 'likersOf' | 'getSpaceByUid' | 'getUser'>) {
    this.#store = store;
  }

  /** Like or unlike `space` as the caller (a signed-in user with a write token or a session); the new count. */
  set(p: Principal, space: SpaceRecord, liked: boolean): { likes: number; liked: boolean } {
    assertSignedInWriter(p);
    this.#store.setLike(space.uid, p.user.name, liked);
    return { likes: this.#store.getSpaceByUid(space.uid)?.likes ?? 0, liked };
  }

  /** Whether the caller likes `space` (false for anonymous). */
  likedBy(p: Principal, space: SpaceRecord): boolean {
    if (p.kind !== 'user') return false;
    return this.#store.likersOf(space.uid).some((l) => l.user === p.user.name);
  }

  /** A user's likes, as `list_liked_repos` reads them; an unknown user is a 404 as on the Hub. */
  ofUser(p: Principal, user: string): Record<string, unknown>[] {
    if (!this.#store.getUser(user)) throw new SpaceportError('NotFound');
    return this.#store.likesOf(user, readScopeOf(p)).map((l) => ({
      createdAt: l.createdAt,
      repo: { name: l.space.id, type: 'space' },
    }));
  }

  /** Who likes `space`, as `list_repo_likers` reads them. */
  likers(space: SpaceRecord): Record<string, unknown>[] {
    return this.#store.likersOf(space.uid).map((l) => ({ user: l.user, fullname: l.user, type: 'user', isPro: false, avatarUrl: '' }));
  }
}
