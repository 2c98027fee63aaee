import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fail, splitSpaceId, toSpaceId, type SpaceId } from '../../../core/index.js';
import { validateBranchName } from '../branch-name.js';
import { filePathProblem } from '../cli-git-repos.js';
import { resolveInside } from '../extract-tar.js';
import type { GitRepos, Head, InitialCommit } from '../git-repos.js';
import { validateUpstreamUrl } from '../upstream-url.js';

type Files = ReadonlyMap<string, Buffer>;

interface Commit {
  head: Head;
  files: Files;
  parent?: Commit;
  date: Date;
}

interface Repo {
  branches: Map<string, Commit>;
  commits: Map<string, Commit>;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * In-memory {@link GitRepos} for tests of code that uses repos (builder, controller). `commit()`
 * stands in for a push; `upstreams` holds what `fetchUpstream` finds at a URL.
 */
export class FakeGitRepos implements GitRepos {
  readonly #repos = new Map<SpaceId, Repo>();
  /** url → branch → files, for `fetchUpstream`. */
  readonly upstreams = new Map<string, Map<string, Record<string, string | Buffer>>>();
  readonly #allowLoopback: boolean;
  #seq = 0;

  constructor(opts: { allowLoopbackUpstreams?: boolean } = {}) {
    this.#allowLoopback = opts.allowLoopbackUpstreams ?? false;
  }

  pathOf(space: SpaceId): string {
    const { owner, name } = splitSpaceId(space);
    toSpaceId(owner, name);
    return `/fake-repos/${owner}/${name}.git`;
  }

  async create(space: SpaceId, initial?: InitialCommit): Promise<void> {
    this.pathOf(space);
    if (this.#repos.has(space)) return;
    this.#repos.set(space, { branches: new Map(), commits: new Map() });
    if (initial) await this.commit(space, initial.files);
  }

  async exists(space: SpaceId): Promise<boolean> {
    return this.#repos.has(space);
  }

  async remove(space: SpaceId): Promise<void> {
    this.#repos.delete(space);
  }

  async move(from: SpaceId, to: SpaceId): Promise<void> {
    const repo = this.#repo(from);
    if (this.#repos.has(to)) throw fail('repoExists', { space: to });
    this.pathOf(to);
    this.#repos.delete(from);
    this.#repos.set(to, repo);
  }

  async copy(from: SpaceId, to: SpaceId): Promise<void> {
    const repo = this.#repo(from);
    if (this.#repos.has(to)) throw fail('repoExists', { space: to });
    this.pathOf(to);
    this.#repos.set(to, { branches: new Map(repo.branches), commits: new Map(repo.commits) });
  }

  /** Record a commit of exactly `files` on `branch` (a push), dated `date` (default now). Returns its head. */
  async commit(space: SpaceId, files: Record<string, string | Buffer>, branch = 'main', date = new Date()): Promise<Head> {
    const repo = this.#repo(space);
    const entries = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]));
    const tree = sha1(JSON.stringify([...entries].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sha1(v.toString('base64'))])));
    const commit = sha1(`${space}:${branch}:${tree}:${++this.#seq}`);
    const c: Commit = { head: { commit, tree }, files: entries, parent: repo.branches.get(branch), date };
    repo.commits.set(commit, c);
    repo.branches.set(branch, c);
    return c.head;
  }

  async head(space: SpaceId, branch = 'main'): Promise<Head | undefined> {
    validateBranchName(branch);
    return this.#repo(space).branches.get(branch)?.head;
  }

  async readFile(space: SpaceId, commit: string, file: string): Promise<Buffer | undefined> {
    return this.#commit(space, commit).files.get(file);
  }

  async listFiles(space: SpaceId, commit: string): Promise<string[]> {
    return [...this.#commit(space, commit).files.keys()].sort();
  }

  async lastChangedAt(space: SpaceId, commit: string, paths: readonly string[]): Promise<Date> {
    for (const p of paths) {
      const problem = filePathProblem(p);
      if (problem) throw fail('filePathInvalid', { path: p, problem });
    }
    const same = (a: Commit, b: Commit) => paths.every((p) => (a.files.get(p)?.toString('base64') ?? null) === (b.files.get(p)?.toString('base64') ?? null));
    const start = this.#commit(space, commit);
    for (let c: Commit | undefined = start; c; c = c.parent) {
      if (!c.parent ? paths.some((p) => c!.files.has(p)) : !same(c, c.parent)) return c.date;
    }
    return start.date;
  }

  async exportTree(space: SpaceId, commit: string, dir: string): Promise<void> {
    const root = path.resolve(dir);
    for (const [file, content] of this.#commit(space, commit).files) {
      const target = resolveInside(root, file);
      if (target === undefined) throw fail('fileOutsideRepo', { file });
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content);
    }
  }

  async fetchUpstream(space: SpaceId, upstream: { url: string; branch: string }): Promise<Head> {
    const url = validateUpstreamUrl(upstream.url, { allowLoopbackHttp: this.#allowLoopback });
    validateBranchName(upstream.branch);
    this.#repo(space);
    const files = this.upstreams.get(url)?.get(upstream.branch);
    if (!files) throw fail('upstreamFetchFailed', { branch: upstream.branch });
    return this.commit(space, files);
  }

  #repo(space: SpaceId): Repo {
    const repo = this.#repos.get(space);
    if (!repo) throw fail('repoNotFound', { space });
    return repo;
  }

  #commit(space: SpaceId, commit: string): Commit {
    const c = this.#repo(space).commits.get(commit);
    if (!c) throw fail('commitNotFound', { commit, space });
    return c;
  }
}
