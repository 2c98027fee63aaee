import type { SpaceId } from '../../core/index.js';

/** A new repo's first commit on `main` (the Hub's `.gitattributes` and README.md). */
export interface InitialCommit {
  files: Record<string, Buffer>;
  message: string;
  author: { name: string; email: string };
}

export interface Head {
  commit: string;
  tree: string;
}

/** The Spaces' bare git repositories. The one place that runs `git` (argv only, never a shell). */
export interface GitRepos {
  /** Absolute path of the bare repo. */
  pathOf(space: SpaceId): string;
  /** A new, empty bare repo; with `initial`, `main` starts at that commit (never added to an existing repo). */
  create(space: SpaceId, initial?: InitialCommit): Promise<void>;
  exists(space: SpaceId): Promise<boolean>;
  remove(space: SpaceId): Promise<void>;
  move(from: SpaceId, to: SpaceId): Promise<void>;
  /** A new repo `to` with every branch and tag of `from` (its full history): a duplicated Space. */
  copy(from: SpaceId, to: SpaceId): Promise<void>;
  /** The commit and tree of a branch (default `main`), or undefined when the branch does not exist. */
  head(space: SpaceId, branch?: string): Promise<Head | undefined>;
  /** A file's content at a commit, or undefined when absent. */
  readFile(space: SpaceId, commit: string, file: string): Promise<Buffer | undefined>;
  /** Every file path at a commit. */
  listFiles(space: SpaceId, commit: string): Promise<string[]>;
  /**
   * Committer date of the newest commit reachable from `commit` that changed any of `paths` (the
   * first commit adding them counts), else of `commit` itself.
   */
  lastChangedAt(space: SpaceId, commit: string, paths: readonly string[]): Promise<Date>;
  /** Write the files of a commit into `dir` (which exists and is empty). */
  exportTree(space: SpaceId, commit: string, dir: string): Promise<void>;
  /**
   * Pull mode: fetch `branch` of an upstream URL (validated: https only, or http on loopback when
   * allowed) into the Space's `main`. Returns the new head.
   */
  fetchUpstream(space: SpaceId, upstream: { url: string; branch: string }): Promise<Head>;
}
