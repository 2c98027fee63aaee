import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../core/index.js';
import { fail, silentLogger, splitSpaceId, toSpaceId, type SpaceId } from '../../core/index.js';
import { validateBranchName } from './branch-name.js';
import { dotgitProblem } from './dotgit-path.js';
import { extractTar } from './extract-tar.js';
import { writeCommit } from './commit-writer.js';
import type { GitRepos, Head, InitialCommit } from './git-repos.js';
import { defaultHooksDir, installHooks } from './install-hooks.js';
import { GitCommandError, killGit, runGit, spawnGit } from './run-git.js';
import { resolveUpstreamAddresses, systemLookup, type LookupAll, type UpstreamAddressPolicy } from './upstream-address.js';
import { ensureAskpass, splitUpstreamCredentials } from './upstream-credentials.js';
import { validateUpstreamUrl } from './upstream-url.js';

export interface CliGitReposOptions {
  /** Directory holding `{owner}/{name}.git`; created when missing. */
  root: string;
  logger?: Logger;
  /** Accept `http://` upstreams on loopback (tests, local mirrors). Default false. */
  allowLoopbackUpstreams?: boolean;
  /** Networks upstreams may resolve to besides public ones (CIDRs). Loopback follows `allowLoopbackUpstreams`. */
  upstreamAllowedNetworks?: readonly string[];
  /** Name resolution for the upstream address check (default: the system resolver). */
  lookup?: LookupAll;
  /** Upper bound for one upstream fetch. Default 5 minutes. */
  upstreamTimeoutMs?: number;
  /** Where the hook sources are (default: `controller/git/hooks`). */
  hooksDir?: string;
}

const OID_RE = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Why a repo-relative file path is not acceptable, or undefined. */
export function filePathProblem(file: string): string | undefined {
  if (file.length === 0 || file.length > 4096) return 'must be 1 to 4096 characters';
  if (/[\x00-\x1f\x7f\\]/.test(file)) return 'must not contain control characters or "\\"';
  if (file.startsWith('/') || file.endsWith('/')) return 'must not start or end with "/"';
  if (file.split('/').some((p) => p === '' || p === '.' || p === '..')) return 'must not contain empty, "." or ".." parts';
  return dotgitProblem(file);
}

/** {@link GitRepos} on the local disk, driving stock `git` (argv only, never a shell). */
export class CliGitRepos implements GitRepos {
  readonly root: string;
  readonly #log: Logger;
  readonly #allowLoopback: boolean;
  readonly #upstreamTimeoutMs: number;
  readonly #addressPolicy: UpstreamAddressPolicy;
  readonly #lookup: LookupAll;
  #askpass?: Promise<string>;
  readonly #hooksDir: string;
  readonly #hooksReady = new Set<string>();

  constructor(opts: CliGitReposOptions) {
    this.root = path.resolve(opts.root);
    this.#log = opts.logger ?? silentLogger();
    this.#allowLoopback = opts.allowLoopbackUpstreams ?? false;
    this.#upstreamTimeoutMs = opts.upstreamTimeoutMs ?? 300_000;
    this.#addressPolicy = { allowLoopback: this.#allowLoopback, allowedNetworks: opts.upstreamAllowedNetworks ?? [] };
    this.#lookup = opts.lookup ?? systemLookup;
    this.#hooksDir = opts.hooksDir ?? defaultHooksDir();
  }

  pathOf(space: SpaceId): string {
    const { owner, name } = splitSpaceId(space);
    toSpaceId(owner, name); // a cast string must still follow the name rules
    const repo = path.resolve(this.root, owner, `${name}.git`);
    if (!repo.startsWith(this.root + path.sep)) throw fail('repoPathOutsideRoot', { space });
    return repo;
  }

  async exists(space: SpaceId): Promise<boolean> {
    const stat = await fs.stat(path.join(this.pathOf(space), 'HEAD')).catch(() => undefined);
    return stat?.isFile() ?? false;
  }

  /** Create the bare repo (branch `main`, push over HTTP enabled, our hooks). Idempotent. */
  async create(space: SpaceId, initial?: InitialCommit): Promise<void> {
    const repo = this.pathOf(space);
    if (await this.exists(space)) {
      await this.#configure(repo);
      return;
    }
    await fs.mkdir(path.dirname(repo), { recursive: true });
    // Initialise next to the target and rename, so a half-made repo is never visible.
    const tmp = `${repo}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await runGit(['init', '--quiet', '--bare', '--template=', '-b', 'main', tmp]);
      await this.#configure(tmp);
      if (initial) {
        const ops = Object.entries(initial.files).map(([p, content]) => ({ kind: 'add' as const, path: p, content }));
        await writeCommit({ gitDir: tmp, branch: 'main', ops, message: initial.message, author: initial.author });
      }
      await fs.rename(tmp, repo).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
        await this.#configure(repo); // created concurrently: keep that one
      });
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
    this.#log.info({ space }, 'git repo created');
  }

  async #configure(repo: string): Promise<void> {
    for (const [key, value] of [
      ['http.receivepack', 'true'],
      ['receive.fsckObjects', 'true'],
      ['receive.denyDeleteCurrent', 'true'],
    ] as const) {
      await runGit(['config', key, value], { gitDir: repo });
    }
    await installHooks(repo, this.#hooksDir);
    this.#hooksReady.add(repo);
  }

  /** Make sure an existing repo has the current hooks (once per process and repo). */
  async ensureHooks(space: SpaceId): Promise<void> {
    const repo = this.pathOf(space);
    if (this.#hooksReady.has(repo)) return;
    await installHooks(repo, this.#hooksDir);
    this.#hooksReady.add(repo);
  }

  async remove(space: SpaceId): Promise<void> {
    const repo = this.pathOf(space);
    await fs.rm(repo, { recursive: true, force: true });
    this.#hooksReady.delete(repo);
    await fs.rmdir(path.dirname(repo)).catch(() => {}); // the owner's folder, when now empty
    this.#log.info({ space }, 'git repo removed');
  }

  async move(from: SpaceId, to: SpaceId): Promise<void> {
    const src = this.pathOf(from);
    const dst = this.pathOf(to);
    if (!(await this.exists(from))) throw fail('repoNotFound', { space: from });
    if (await this.exists(to)) throw fail('repoExists', { space: to });
    await fs.mkdir(path.dirname(dst), { recursive: true });
    await fs.rename(src, dst);
    this.#hooksReady.delete(src);
    await fs.rmdir(path.dirname(src)).catch(() => {});
    this.#log.info({ from, to }, 'git repo moved');
  }

  /**
   * A new repo with every branch and tag of `from`: made next to the target (init, our config and
   * hooks, a local fetch of all refs) and renamed into place, so a half-made copy is never visible.
   */
  async copy(from: SpaceId, to: SpaceId): Promise<void> {
    const src = await this.#existing(from);
    const dst = this.pathOf(to);
    if (await this.exists(to)) throw fail('repoExists', { space: to });
    await fs.mkdir(path.dirname(dst), { recursive: true });
    const tmp = `${dst}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await runGit(['init', '--quiet', '--bare', '--template=', '-b', 'main', tmp]);
      await this.#configure(tmp);
      await runGit(
        ['-c', 'protocol.allow=never', '-c', 'protocol.file.allow=always', 'fetch', '--quiet', '--no-write-fetch-head', '--', src, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'],
        { gitDir: tmp },
      );
      await fs.rename(tmp, dst);
      this.#hooksReady.add(dst);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
    this.#log.info({ from, to }, 'git repo copied');
  }

  async #existing(space: SpaceId): Promise<string> {
    if (!(await this.exists(space))) throw fail('repoNotFound', { space });
    return this.pathOf(space);
  }

  async head(space: SpaceId, branch = 'main'): Promise<Head | undefined> {
    validateBranchName(branch);
    const repo = await this.#existing(space);
    const ref = `refs/heads/${branch}`;
    // One process (this runs on every push): the commit and its tree from one read of the ref.
    // for-each-ref also lists `{ref}/…`, hence the name check.
    const listed = await runGit(['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(tree)', ref], { gitDir: repo });
    for (const line of listed.stdout.toString().split('\n')) {
      const [name, type, commit, tree] = line.split('\0');
      if (name !== ref) continue;
      if (type === 'commit' && commit && tree) return { commit, tree };
      return this.#peeledHead(repo, ref); // a branch at a tag object
    }
    return undefined;
  }

  async #peeledHead(repo: string, ref: string): Promise<Head | undefined> {
    const found = await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { gitDir: repo, okExitCodes: [1] });
    const commit = found.stdout.toString().trim();
    if (found.exitCode !== 0 || commit === '') return undefined;
    const tree = (await runGit(['rev-parse', '--verify', `${commit}^{tree}`], { gitDir: repo })).stdout.toString().trim();
    return { commit, tree };
  }

  /** The repo path, after checking the repo exists and `commit` is a full object id of a commit in it. */
  async #commit(space: SpaceId, commit: string): Promise<string> {
    if (!OID_RE.test(commit)) throw fail('commitIdInvalid', { commit });
    const repo = await this.#existing(space);
    const r = await runGit(['cat-file', '-e', `${commit}^{commit}`], { gitDir: repo, okExitCodes: [1, 128] });
    if (r.exitCode !== 0) throw fail('commitNotFound', { commit, space });
    return repo;
  }

  async readFile(space: SpaceId, commit: string, file: string): Promise<Buffer | undefined> {
    const problem = filePathProblem(file);
    if (problem) throw fail('filePathInvalid', { path: file, problem });
    const repo = await this.#commit(space, commit);
    // `--batch` answers "missing" (or a non-blob type) instead of failing, so absence needs no stderr parsing.
    const r = await runGit(['cat-file', '--batch'], { gitDir: repo, input: `${commit}:${file}\n` });
    const nl = r.stdout.indexOf(0x0a);
    const header = r.stdout.subarray(0, nl < 0 ? r.stdout.length : nl).toString();
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m || m[1] !== 'blob') return undefined;
    return Buffer.from(r.stdout.subarray(nl + 1, nl + 1 + Number(m[2])));
  }

  async listFiles(space: SpaceId, commit: string): Promise<string[]> {
    const repo = await this.#commit(space, commit);
    const r = await runGit(['ls-tree', '-r', '--name-only', '-z', commit], { gitDir: repo });
    return r.stdout.toString().split('\0').filter((f) => f !== '');
  }

  async lastChangedAt(space: SpaceId, commit: string, paths: readonly string[]): Promise<Date> {
    for (const p of paths) {
      const problem = filePathProblem(p);
      if (problem) throw fail('filePathInvalid', { path: p, problem });
    }
    const repo = await this.#commit(space, commit);
    const literal = paths.map((p) => `:(literal)${p}`);
    let out = (await runGit(['log', '-1', '--format=%cI', commit, '--', ...literal], { gitDir: repo })).stdout.toString().trim();
    if (out === '') out = (await runGit(['log', '-1', '--format=%cI', commit], { gitDir: repo })).stdout.toString().trim();
    return new Date(out);
  }

  async exportTree(space: SpaceId, commit: string, dir: string): Promise<void> {
    const repo = await this.#commit(space, commit);
    // The repo's content as stored: no filters from the host's git config (Debian's git-lfs installs an
    // `lfs` smudge filter system-wide, which would fail here); LFS pointers are replaced by the caller.
    const child = spawnGit(['archive', '--format=tar', commit], { gitDir: repo, env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    // git archive reads nothing: a closed pipe here is no error of the export (its exit code tells).
    child.stdin.on('error', () => undefined);
    child.stdin.end();
    const stderr: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    // Awaited only once the tar is extracted: a spawn failure before then must not be an unhandled
    // rejection (Node ends the process on one). It is still thrown by the `await exited` below.
    exited.catch(() => undefined);
    try {
      await extractTar(child.stdout, dir);
    } catch (err) {
      killGit(child);
      await exited.catch(() => {});
      throw err;
    }
    const code = await exited;
    if (code !== 0) {
      throw new GitCommandError({ command: ['archive', '--format=tar', commit], exitCode: code, stderr: Buffer.concat(stderr).toString() });
    }
  }

  async fetchUpstream(space: SpaceId, upstream: { url: string; branch: string }): Promise<Head> {
    const checked = validateUpstreamUrl(upstream.url, { allowLoopbackHttp: this.#allowLoopback });
    const branch = validateBranchName(upstream.branch);
    const repo = await this.#existing(space);
    // Checked again now (the name may resolve elsewhere than when it was set) and pinned: curl
    // connects to exactly the addresses checked here, so a rebinding DNS answer cannot move it.
    const { host, port, addresses } = await resolveUpstreamAddresses(checked, this.#addressPolicy, this.#lookup);
    this.#askpass ??= ensureAskpass(path.join(this.root, '.askpass'));
    const { url, env } = splitUpstreamCredentials(checked, await this.#askpass);
    const pinned = addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(',');
    const protocols = ['-c', 'protocol.allow=never', '-c', 'protocol.https.allow=always'];
    if (this.#allowLoopback) protocols.push('-c', 'protocol.http.allow=always');
    const args = [
      ...protocols,
      '-c', 'credential.helper=',
      '-c', 'core.askPass=',
      // A redirect would lead to a host that was never checked.
      '-c', 'http.followRedirects=false',
      '-c', `http.curloptResolve=${host.includes(':') ? `[${host}]` : host}:${port}:${pinned}`,
      'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules',
      '--', url, `+refs/heads/${branch}:refs/heads/main`,
    ];
    try {
      await runGit(args, { gitDir: repo, env, timeoutMs: this.#upstreamTimeoutMs });
    } catch (err) {
      if (!(err instanceof GitCommandError)) throw err;
      const why = err.timedOut ? `timed out after ${this.#upstreamTimeoutMs} ms` : err.stderr.trim() || `git exited with ${err.exitCode}`;
      this.#log.warn({ space, exitCode: err.exitCode, timedOut: err.timedOut }, 'upstream fetch failed');
      throw fail('upstreamFetchFailed', { branch, why }, { cause: err });
    }
    const head = await this.head(space);
    if (!head) throw fail('upstreamNoMain');
    this.#log.info({ space, commit: head.commit }, 'upstream fetched');
    return head;
  }
}
