import type { BuildId, ReleaseId, SpaceId } from '../../core/index.js';
import type {
  BuildRecord,
  BuildState,
  Lifecycle,
  OrgMembership,
  OrgRecord,
  OrgRole,
  ReleaseRecord,
  SettingKind,
  SettingRecord,
  SpaceRecord,
  TokenRecord,
  TokenRole,
  Upstream,
  UserRecord,
  UserRole,
  Visibility,
  Sdk,
} from './records.js';
import type { WebStore } from './web-store.js';

export interface NewSpace {
  id: SpaceId;
  sdk: Sdk;
  visibility: Visibility;
  hardware: string;
  sleepSeconds?: number;
  upstream?: Upstream;
  webhookSecret?: string;
  storageTier?: SpaceRecord['storageTier'];
}

/** A build as it is queued: the store gives it its id, state and times. */
export type NewBuild = Pick<BuildRecord, 'spaceUid' | 'commit' | 'tree' | 'noCache'>;

/** A release as a successful build makes it: the store gives it its id and time. */
export type NewRelease = Omit<ReleaseRecord, 'id' | 'failure' | 'createdAt'>;

/** The spec: what the owner asks for. Written by SpaceService only (`updateSpec`), the last API call wins. */
export type SpecPatch = Partial<
  Pick<SpaceRecord, 'visibility' | 'paused' | 'hardware' | 'sleepSeconds' | 'upstream' | 'webhookSecret' | 'storageTier'>
>;

/**
 * The status: what Spaceport observed (the pushed head and its README's sdk and card, the target
 * and serving releases, sleep). Written only by `updateStatus`, conditioned on the version read.
 */
export type StatusPatch = Partial<Pick<SpaceRecord, 'sdk' | 'cardData' | 'headSha' | 'targetRelease' | 'servingRelease' | 'asleepSince'>>;

/** A status write refused because the row changed since the read its decision was taken on. */
export type StatusConflict = 'conflict';

/** Users, tokens (stored as SHA-256 hashes) and organizations. */
export interface AccountStore {
  // users and tokens (tokens are stored as SHA-256 hashes)
  createUser(name: string, role: UserRole): UserRecord;
  getUser(name: string): UserRecord | undefined;
  listUsers(): UserRecord[];
  addToken(user: string, token: { displayName: string; role: TokenRole; plaintext: string }): TokenRecord;
  /** The token and its user for a plaintext token, or undefined. */
  findToken(plaintext: string): { token: TokenRecord; user: UserRecord } | undefined;
  countTokens(): number;
  /** A user's tokens, oldest first (never the plaintext, which is not stored). */
  listTokens(user: string): TokenRecord[];
  /** Revoke one of `user`'s tokens; false when `user` has no token with that id. */
  deleteToken(user: string, id: string): boolean;

  // organizations (users and organizations share one namespace)
  /**
   * Users and organizations are created only under a name that is not reserved (`isReservedName`),
   * not taken by any user or organization ignoring case, and not the owner of existing Spaces
   * (creating an account never grants rights over Spaces that were there before).
   */
  createOrg(name: string, fullname?: string): OrgRecord;
  getOrg(name: string): OrgRecord | undefined;
  listOrgs(): OrgRecord[];
  deleteOrg(name: string): void;
  /** Add a member or change their role. */
  setMember(org: string, user: string, role: OrgRole): OrgMembership;
  /** false when `user` was not a member. */
  removeMember(org: string, user: string): boolean;
  listMembers(org: string): OrgMembership[];
  /** The organizations `user` belongs to, with their role in each. */
  membershipsOf(user: string): OrgMembership[];
  /** The user or organization whose name is `name` ignoring case (the first, if older data has several). */
  accountNamedIgnoringCase(name: string): { kind: 'user' | 'org'; name: string } | undefined;
  /**
   * Problems in older data that the rules above now prevent: user or organization names equal
   * ignoring case, and Space owners that are no user or organization. Reported at start, never repaired.
   */
  nameProblems(): { caseCollisions: string[][]; orphanNamespaces: string[] };
}

/** Builds, releases, secrets and variables. */
export interface BuildStore {
  // builds
  addBuild(build: NewBuild): BuildRecord;
  getBuild(id: BuildId): BuildRecord | undefined;
  /** Move a build along its lifecycle (checked against the transition table). */
  setBuildState(id: BuildId, state: BuildState): BuildRecord;
  latestBuild(spaceUid: string): BuildRecord | undefined;
  listBuilds(spaceUid: string, limit?: number): BuildRecord[];
  /** Builds that were queued or running when the process stopped. */
  unfinishedBuilds(): BuildRecord[];

  // releases
  addRelease(release: NewRelease): ReleaseRecord;
  getRelease(id: ReleaseId): ReleaseRecord | undefined;
  setReleaseFailure(id: ReleaseId, failure: string | undefined): void;

  // secrets and variables (secret values are sealed at rest by the implementation)
  listSettings(spaceUid: string, kind: SettingKind): SettingRecord[];
  upsertSetting(spaceUid: string, kind: SettingKind, setting: { key: string; value: string; description?: string }): void;
  deleteSetting(spaceUid: string, kind: SettingKind, key: string): void;
}

/** Spaces, builds, releases, users, tokens, secrets and variables. SQLite now; one contract suite. */
export interface SpaceStore extends AccountStore, BuildStore, WebStore {
  // spaces
  /** Create a Space; the subdomain is chosen here (the Hub rule, a hash suffix on collision). */
  createSpace(space: NewSpace): SpaceRecord;
  getSpace(id: SpaceId): SpaceRecord | undefined;
  getSpaceByUid(uid: string): SpaceRecord | undefined;
  getSpaceBySubdomain(subdomain: string): SpaceRecord | undefined;
  listSpaces(filter?: { owner?: string }): SpaceRecord[];
  /**
   * Spaces in id order, read one at a time (stop early: a page of 20 out of 10,000 reads about 20
   * rows); `search` matches a case-insensitive substring of the id.
   */
  iterateSpaces(filter?: { owner?: string; search?: string }): Iterable<SpaceRecord>;
  /** Write the owner's spec (SpaceService only); bumps `version` and `updatedAt`. */
  updateSpec(uid: string, patch: SpecPatch): SpaceRecord;
  /**
   * Write status facts if the row is still at `readVersion` (the version of the read the decision
   * was taken on), bumping it; else 'conflict' and nothing written: re-read and decide again
   * (`writeStatus`). `updatedAt` moves only with a new `headSha`. RepoNotFound when the Space is gone.
   */
  updateStatus(uid: string, readVersion: number, patch: StatusPatch): SpaceRecord | StatusConflict;
  /** The latest visit: kept only if later than the stored one; bumps neither `version` nor `updatedAt`. */
  recordActivity(uid: string, at: number): void;
  /** Rename: a new id and subdomain, the same uid. */
  moveSpace(uid: string, to: SpaceId): SpaceRecord;
  deleteSpace(uid: string): void;

  close(): void;
}

export type { Lifecycle };
