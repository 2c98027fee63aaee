import type { Sdk, SpaceRecord } from './records.js';

/** A browser session as stored: the session id itself is never stored, only its hash. */
export interface WebSessionRecord {
  user: string;
  csrf: string;
  expiresAt: number;
}

/**
 * Whose private Spaces a query may return: every owner's (`'all'`), or those of the names listed.
 * Public and protected Spaces are always in scope. The store applies it; `readScopeOf` in
 * controller/auth/principal.ts decides it (the same rule as `canRead`).
 */
export interface ReadScope {
  privateOwners: 'all' | readonly string[];
}

/** What the gallery asks for: one page of the Spaces a viewer may see. */
export interface SpaceQuery {
  /** Whose private Spaces may be listed. */
  scope: ReadScope;
  /** Part of `owner/name`, of the title or of the short description, case-insensitive. */
  search?: string;
  sdk?: Sdk;
  owner?: string;
  /** Most recently updated first (the default), most liked, newest, or by `owner/name`. */
  sort?: SpaceSort;
  limit: number;
  offset: number;
}

/**
 * Gallery and `list_spaces` orders. `trending`: the trending score (`WebStore.trendingScoreOf`: likes
 * given in the last 7 days), then whether the app had visitors in the last 7 days, then all likes
 * (the Hub's trendingScore weighs recent likes and visits; Spaceport keeps a Space's last activity,
 * not a visit count).
 */
export const SPACE_SORTS = ['updated', 'likes', 'created', 'name', 'trending'] as const;
export type SpaceSort = (typeof SPACE_SORTS)[number];

/** A like as listed for a user (`/api/users/{user}/likes`) or a Space (`/likers`). */
export interface LikeRecord {
  user: string;
  space: SpaceRecord;
  createdAt: string;
}

export interface SpacePage {
  spaces: SpaceRecord[];
  total: number;
}

/** Sign-in for people and the gallery's query (migration 006). */
export interface WebStore {
  /** Set (or with `undefined`, clear) the argon2 hash of a user's password. */
  setPasswordHash(user: string, hash: string | undefined): void;
  getPasswordHash(user: string): string | undefined;
  /** The user linked to an OpenID identity (`{issuer} {sub}`). */
  findUserByOidcSubject(subject: string): string | undefined;
  linkOidcSubject(user: string, subject: string): void;

  createWebSession(idHash: string, session: WebSessionRecord): void;
  /** A session that has not expired (expired ones are removed as they are met). */
  getWebSession(idHash: string, now: number): WebSessionRecord | undefined;
  deleteWebSession(idHash: string): void;

  /** One page of Spaces, in the query's order (most recently updated first by default), filtered in SQL. */
  querySpaces(q: SpaceQuery): SpacePage;

  /** Like (or with `false`, unlike) a Space as `user`; the Space's count follows. Whether anything changed. */
  setLike(spaceUid: string, user: string, liked: boolean): boolean;
  /** A Space's `trendingScore`: the likes given in the last 7 days (what the `trending` order sorts by first). */
  trendingScoreOf(spaceUid: string): number;
  /** A user's likes of Spaces in `scope`, newest first. */
  likesOf(user: string, scope: ReadScope): LikeRecord[];
  /** The users who like a Space, newest first. */
  likersOf(spaceUid: string): LikeRecord[];
}
