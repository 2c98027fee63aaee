import type { Sdk, SpaceRecord } from './records.js';

/** A browser session as stored: the session id itself is never stored, only its hash. */
export interface WebSessionRecord {
  user: string;
  csrf: string;
  expiresAt: number;
}

/** What the gallery asks for: one page of the Spaces a viewer may see. */
export interface SpaceQuery {
  /** Who looks: private Spaces are listed for their owner and admins only. */
  viewer?: { name: string; admin: boolean };
  /** Part of `owner/name` or of the title, case-insensitive. */
  search?: string;
  sdk?: Sdk;
  owner?: string;
  limit: number;
  offset: number;
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

  /** One page of Spaces, most recently updated first, filtered in SQL. */
  querySpaces(q: SpaceQuery): SpacePage;
}
