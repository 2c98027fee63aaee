import { createHash } from 'node:crypto';
import { SpaceportError, fail } from '../../core/index.js';
import { writeCommit, checkRepoPath, type CommitAuthor, type CommitOp } from '../git/commit-writer.js';
import { createAnnotatedTag, createRef, deleteRef } from '../git/ref-writer.js';
import { readBlob, statPath } from '../git/tree-reader.js';
import { INLINE_MAX_BYTES, clientUsesXet, formatPointer, ignoredBy, shouldUseLfs, trackedByLfs, type LfsStore } from '../lfs/index.js';
import type { SpaceRecord } from '../store/records.js';
import type { CommitPayload } from './commit-payload.js';
import type { RepoFiles } from './repo-files.js';

export interface PreuploadFile {
  path: string;
  /** Base64 of the first 512 bytes. */
  sample: string;
  size: number;
}

export interface RepoCommitsOptions {
  files: RepoFiles;
  lfs: LfsStore;
  /** A commit landed on `main`: build it, exactly as after a push. */
  onMainCommit(space: SpaceRecord): Promise<void>;
}

/** Deploying without git: the Hub's `preupload` and `commit` endpoints over a Space's bare repo. */
export class RepoCommits {
  readonly #o: RepoCommitsOptions;

  constructor(opts: RepoCommitsOptions) {
    this.#o = opts;
  }

  /** The head of `rev`, or undefined for `main` of a repo with no commit yet. */
  async #head(space: SpaceRecord, rev: string): Promise<string | undefined> {
    try {
      return await this.#o.files.resolve(space, rev);
    } catch (err) {
      if (rev === 'main' && err instanceof SpaceportError && err.code === 'RevisionNotFound') return undefined;
      throw err;
    }
  }

  async #repoFile(space: SpaceRecord, head: string | undefined, name: string): Promise<string | undefined> {
    if (!head) return undefined;
    const st = await statPath(this.#o.files.gitDir(space), head, name);
    return st?.type === 'file' ? (await readBlob(this.#o.files.gitDir(space), st.oid)).toString('utf8') : undefined;
  }

  /**
   * For each file: `lfs` or `regular` (the Hub's rule: `.gitattributes`, over 10 MiB, binary),
   * `shouldIgnore` (the given `.gitignore`, else the repo's), and the `oid` of the file already there (so unchanged files are skipped).
   * Clients that would send `lfs` files through Xet get `regular` (see {@link clientUsesXet}).
   */
  async preupload(space: SpaceRecord, rev: string, files: PreuploadFile[], opts: { userAgent?: string; gitIgnore?: string }): Promise<Record<string, unknown>> {
    const head = await this.#head(space, rev);
    const attrs = await this.#repoFile(space, head, '.gitattributes');
    const gitIgnore = opts.gitIgnore ?? (await this.#repoFile(space, head, '.gitignore'));
    const xet = clientUsesXet(opts.userAgent);
    const existing = head ? await this.#o.files.pathsInfo(space, head, files.map((f) => f.path)) : [];
    const out = files.map((f) => {
      checkRepoPath(f.path);
      const sample = Buffer.from(f.sample, 'base64');
      const mode = (!xet || f.size > INLINE_MAX_BYTES) && shouldUseLfs({ path: f.path, size: f.size, sample }, attrs) ? 'lfs' : 'regular';
      const there = existing.find((e) => e.path === f.path);
      let oid: string | undefined;
      if (there?.type === 'file') oid = mode === 'lfs' ? there.lfs?.oid : there.lfs ? undefined : there.oid;
      return { path: f.path, uploadMode: mode, shouldIgnore: ignoredBy(f.path, gitIgnore), ...(oid ? { oid } : {}) };
    });
    return { files: out, commitOid: head ?? null };
  }

  /**
   * Apply a commit payload to branch `rev`: regular files that belong in LFS (the same rule as
   * preupload) are stored as LFS objects and committed as pointers; `lfsFile` entries must name an
   * object uploaded to this repo; `.gitattributes` gains a line for LFS files it does not track yet,
   * so a git clone gets the real files. A commit to `main` builds, as a push does.
   */
  async commit(space: SpaceRecord, rev: string, payload: CommitPayload, author: CommitAuthor): Promise<{ commit: string }> {
    const { lfs, files } = this.#o;
    if (rev !== 'main' && !(await this.#head(space, rev))) throw fail('revisionNotFound', { rev });
    const head = await this.#head(space, rev);
    const newAttrs = payload.ops.find((o) => o.key === 'file' && o.path === '.gitattributes');
    const attrs = newAttrs?.key === 'file' ? newAttrs.content.toString('utf8') : await this.#repoFile(space, head, '.gitattributes');
    const ops: CommitOp[] = [];
    const lfsPaths: string[] = [];
    for (const op of payload.ops) {
      checkRepoPath(op.path.replace(/\/+$/, ''));
      if (op.key === 'file') {
        if (op.path !== '.gitattributes' && shouldUseLfs({ path: op.path, size: op.content.length, sample: op.content.subarray(0, 8000) }, attrs)) {
          const oid = createHash('sha256').update(op.content).digest('hex');
          if (!(await lfs.has({ oid, size: op.content.length }))) await lfs.put(space.uid, { oid, size: op.content.length }, op.content);
          else await lfs.link(space.uid, oid);
          ops.push({ kind: 'add', path: op.path, content: Buffer.from(formatPointer({ oid, size: op.content.length })) });
          lfsPaths.push(op.path);
        } else {
          ops.push({ kind: 'add', path: op.path, content: op.content });
        }
      } else if (op.key === 'lfsFile') {
        const size = op.size ?? (await lfs.sizeOf(op.oid));
        if (size === undefined || !(await lfs.has({ oid: op.oid, size }, space.uid))) {
          throw fail('commitLfsObjectMissing', { oid: op.oid, path: op.path, space: space.id });
        }
        ops.push({ kind: 'add', path: op.path, content: Buffer.from(formatPointer({ oid: op.oid, size })) });
        lfsPaths.push(op.path);
      } else if (op.key === 'deletedFile') {
        ops.push({ kind: 'delete', path: op.path });
      } else {
        ops.push({ kind: 'deleteFolder', path: op.path.replace(/\/+$/, '') });
      }
    }
    const message = payload.description.trim() ? `${payload.summary}\n\n${payload.description}` : payload.summary;
    const written = await writeCommit({
      gitDir: files.gitDir(space),
      branch: rev,
      ops,
      message,
      author,
      ...(payload.parentCommit !== undefined ? { parentCommit: payload.parentCommit } : {}),
      amend: async (_before, planned) => {
        const untracked = lfsPaths.filter((p) => !trackedByLfs(p, attrs));
        if (untracked.length === 0) return planned;
        const lines = untracked.map((p) => `${p.replace(/([ *?[\]\\#!])/g, '\\$1')} filter=lfs diff=lfs merge=lfs -text`);
        const base = attrs ?? '';
        const content = Buffer.from(`${base}${base === '' || base.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n`);
        return [...planned.filter((o) => o.path !== '.gitattributes'), { kind: 'add', path: '.gitattributes', content }];
      },
    });
    if (rev === 'main') await this.#o.onMainCommit(space);
    return { commit: written.commit };
  }

  /**
   * `create_branch`: a branch at `startingPoint` (a branch, tag or commit; default main's head).
   * Only `main` builds, so a branch is just a ref.
   */
  async createBranch(space: SpaceRecord, branch: string, startingPoint = 'main'): Promise<void> {
    const commit = await this.#o.files.resolve(space, startingPoint);
    await createRef(this.#o.files.gitDir(space), 'branch', branch, commit);
  }

  /** `delete_branch`: any branch but `main` (what the Space runs). */
  async deleteBranch(space: SpaceRecord, branch: string): Promise<void> {
    if (branch === 'main') throw fail('mainNotDeletable');
    await deleteRef(this.#o.files.gitDir(space), 'branch', branch);
  }

  /** `create_tag`: on the commit `rev` names; annotated when there is a message, lightweight otherwise. */
  async createTag(space: SpaceRecord, rev: string, tag: string, opts: { message?: string; tagger: CommitAuthor }): Promise<void> {
    const commit = await this.#o.files.resolve(space, rev);
    const gitDir = this.#o.files.gitDir(space);
    if (opts.message) await createAnnotatedTag(gitDir, { name: tag, commit, message: opts.message, tagger: opts.tagger });
    else await createRef(gitDir, 'tag', tag, commit);
  }

  async deleteTag(space: SpaceRecord, tag: string): Promise<void> {
    await deleteRef(this.#o.files.gitDir(space), 'tag', tag);
  }
}
