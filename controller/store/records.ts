import type { BuildId, ReleaseId, SpaceId, StorageTier } from '../../core/index.js';

export type Visibility = 'public' | 'private' | 'protected';
/**
 * Run, sleep (no container), or stay paused: computed from the spec's `paused` (the owner's) and
 * the status's `asleepSince` (the idle policy's), never stored.
 */
export type Lifecycle = 'active' | 'asleep' | 'paused';
import type { Sdk } from '../../templates/index.js';

export type { Sdk };
export type UserRole = 'admin' | 'user';
export type TokenRole = 'read' | 'write';
export type BuildFailure = 'CONFIG_ERROR' | 'NO_APP_FILE' | 'BUILD_ERROR';

export interface UserRecord {
  name: string;
  role: UserRole;
  createdAt: string;
}

/** A member's role in an organization: admin (members and Spaces), write (Spaces), read (see private Spaces). */
export type OrgRole = 'admin' | 'write' | 'read';

export interface OrgRecord {
  name: string;
  fullname: string;
  createdAt: string;
}

export interface OrgMembership {
  org: string;
  user: string;
  role: OrgRole;
  createdAt: string;
}

export interface TokenRecord {
  id: string;
  user: string;
  displayName: string;
  role: TokenRole;
  createdAt: string;
}

export interface Upstream {
  url: string;
  branch: string;
}

export interface SpaceRecord {
  uid: string;
  id: SpaceId;
  owner: string;
  name: string;
  subdomain: string;
  sdk: Sdk;
  visibility: Visibility;
  /** Bumped on every visibility change: private-app grants and cookies carry it (with `uid`). */
  visibilityGen: number;
  /** Spec: the owner paused it (written by SpaceService only). */
  paused: boolean;
  /** Status: put to sleep by the idle policy at this time (ms since the epoch); undefined: awake. */
  asleepSince?: number;
  /** `paused` ? 'paused' : `asleepSince` ? 'asleep' : 'active' (computed when read). */
  lifecycle: Lifecycle;
  /**
   * The row's version: every spec and status write bumps it (activity does not). A status write
   * names the version its decision was read at and is refused when the row moved on since.
   */
  version: number;
  /** How many users like it (`space_likes`; neither spec nor status: a like moves no version). */
  likes?: number;
  hardware: string;
  /** Seconds idle before sleeping; undefined = the operator default; -1 = never. */
  sleepSeconds?: number;
  upstream?: Upstream;
  webhookSecret?: string;
  /** Persistent storage at `/data` (the Hub's tier); undefined: none. */
  storageTier?: StorageTier;
  cardData?: Record<string, unknown>;
  headSha?: string;
  targetRelease?: ReleaseId;
  servingRelease?: ReleaseId;
  /** Status: the latest visit (a monotonic fact: a write never moves it back). */
  lastActiveAt?: number;
  createdAt: string;
  /** The last change of the owner's spec, a rename or a new head commit (the Hub's `lastModified`); never activity or runtime facts. */
  updatedAt: string;
}

/** A build's lifecycle: queued → running → succeeded | failed (see build-transitions.ts). */
export type BuildState =
  | { status: 'queued' }
  | { status: 'running' }
  | { status: 'succeeded'; image: string }
  | { status: 'failed'; failure: BuildFailure; message: string };

export type BuildRecord = BuildState & {
  id: BuildId;
  spaceUid: string;
  commit: string;
  tree: string;
  noCache: boolean;
  createdAt: string;
  finishedAt?: string;
};

export interface ReleaseRecord {
  id: ReleaseId;
  spaceUid: string;
  buildId: BuildId;
  commit: string;
  image: string;
  port: number;
  config: Record<string, unknown>;
  /** The flavor this release runs on (a hardware change makes a new release); undefined: the Space's. */
  hardware?: string;
  failure?: string;
  createdAt: string;
}

export type SettingKind = 'secret' | 'variable';

export interface SettingRecord {
  key: string;
  value: string;
  description?: string;
  updatedAt: string;
}
