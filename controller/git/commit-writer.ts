import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpaceportError, fail } from '../../core/index.js';
import { branchNameProblem } from './branch-name.js';
import { filePathProblem } from './cli-git-repos.js';
import { runGit } from './run-git.js';

/** One change of a commit made without a work tree. */
export type CommitOp =
  | { kind: 'add'; path: string; content: Buffer }
  | { kind: 'delete'; path: string }
  | { kind: 'deleteFolder'; path: string };

export interface CommitAuthor {
  name: string;
  email: string;
}

export interface WriteCommitInput {
  gitDir: string;
  branch: string;
  ops: CommitOp[];
  message: string;
  author: CommitAuthor;
  /** The commit the client based its change on: refused (412) when the branch moved since. */
  parentCommit?: string;
  /** Called with the files at the parent (path → blob id) before the ops apply, e.g. to add .gitattributes lines. */
  amend?: (files: ReadonlyMap<string, string>, ops: CommitOp[]) => CommitOp[] | Promise<CommitOp[]>;
}

export interface WrittenCommit {
  commit: string;
  tree: string;
  parent?: string;
}

const ZERO = '0'.repeat(40);
const OID_RE = /^[0-9a-f]{40}$/;

/** A repo-relative path, or a 400 naming the rule it breaks. */
export function checkRepoPath(p: string): string {
  const problem = filePathProblem(p);
  if (problem) throw fail('commitPathInvalid', { path: p, problem });
  return p;
}

async function headOf(gitDir: string, ref: string): Promise<string | undefined> {
  const r = await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { gitDir, okExitCodes: [1] });
  const oid = r.stdout.toString().trim();
  return r.exitCode === 0 && OID_RE.test(oid) ? oid : undefined;
}

/** path → blob id of every file at a commit. */
async function filesAt(gitDir: string, commit: string | undefined): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (!commit) return files;
  const out = (await runGit(['ls-tree', '-r', '-z', '--full-tree', commit], { gitDir })).stdout.toString();
  for (const entry of out.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, oid] = entry.slice(0, tab).split(' ');
    if (type === 'blob' && oid) files.set(entry.slice(tab + 1), oid);
  }
  return files;
}

/**
 * Make a commit on `branch` of a bare repo with stock git plumbing, never a work tree: blobs by
 * `hash-object -w`, a temporary index (`read-tree` of the parent, `update-index --index-info`),
 * `write-tree`, `commit-tree`, then `update-ref <new> <old>`, which fails if the branch moved
 * meanwhile. Without `parentCommit`, a concurrent move is retried on the new head (as the Hub
 * does); with it, the branch must still be there (412 otherwise).
 */
export async function writeCommit(input: WriteCommitInput): Promise<WrittenCommit> {
  const problem = branchNameProblem(input.branch);
  if (problem) throw fail('commitBranchInvalid', { branch: input.branch, problem });
  for (const op of input.ops) checkRepoPath(op.path);
  if (input.parentCommit !== undefined && !OID_RE.test(input.parentCommit)) {
    throw fail('parentCommitInvalid', { parentCommit: input.parentCommit });
  }
  const ref = `refs/heads/${input.branch}`;
  for (let attempt = 0; ; attempt++) {
    const parent = await headOf(input.gitDir, ref);
    if (input.parentCommit !== undefined && input.parentCommit !== parent) {
      throw fail('parentCommitStale', { parentCommit: input.parentCommit, branch: input.branch, head: parent });
    }
    if (parent === undefined && input.branch !== 'main') {
      throw fail('branchNotFound', { branch: input.branch });
    }
    try {
      return await commitOnce(input, ref, parent);
    } catch (err) {
      if (err instanceof SpaceportError && err.code === 'PreconditionFailed' && input.parentCommit === undefined && attempt < 10) continue;
      throw err;
    }
  }
}

async function commitOnce(input: WriteCommitInput, ref: string, parent: string | undefined): Promise<WrittenCommit> {
  const { gitDir } = input;
  const before = await filesAt(gitDir, parent);
  const ops = input.amend ? await input.amend(before, input.ops) : input.ops;
  const after = new Map(before);
  for (const op of ops) {
    if (op.kind === 'add') {
      after.set(op.path, ''); // hashed below
    } else if (op.kind === 'delete') {
      if (!after.delete(op.path)) throw fail('deletedFileMissing', { path: op.path });
    } else {
      const prefix = `${op.path.replace(/\/+$/, '')}/`;
      const inside = [...after.keys()].filter((f) => f.startsWith(prefix));
      if (inside.length === 0) throw fail('deletedFolderMissing', { path: op.path });
      for (const f of inside) after.delete(f);
    }
  }
  for (const op of ops) {
    if (op.kind !== 'add') continue;
    const r = await runGit(['hash-object', '-w', '--stdin'], { gitDir, input: op.content });
    after.set(op.path, r.stdout.toString().trim());
  }
  // A file and a folder of the same name cannot both exist.
  for (const f of after.keys()) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (after.has(dir)) throw fail('fileUnderFile', { file: f, dir });
    }
  }

  const tmp = await mkdtemp(path.join(tmpdir(), 'spaceport-index-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
    const lines = [...after].map(([f, oid]) => `100644 ${oid}\t${f}\0`).join('');
    // Modes of files kept from the parent stay as they were (executables, symlinks).
    if (parent) await runGit(['read-tree', parent], { gitDir, env });
    const removed = [...before.keys()].filter((f) => !after.has(f)).map((f) => `0 ${ZERO}\t${f}\0`).join('');
    const changed = [...after].filter(([f, oid]) => before.get(f) !== oid).map(([f, oid]) => `100644 ${oid}\t${f}\0`).join('');
    await runGit(['update-index', '-z', '--index-info'], { gitDir, env, input: parent ? removed + changed : lines });
    const tree = (await runGit(['write-tree'], { gitDir, env })).stdout.toString().trim();
    const when = `${Math.floor(Date.now() / 1000)} +0000`;
    const who = {
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_NAME: input.author.name,
      GIT_COMMITTER_EMAIL: input.author.email,
      GIT_COMMITTER_DATE: when,
    };
    const args = ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'];
    const commit = (await runGit(args, { gitDir, env: who, input: input.message })).stdout.toString().trim();
    const r = await runGit(['update-ref', ref, commit, parent ?? ZERO], { gitDir, okExitCodes: [1, 128] });
    if (r.exitCode !== 0) {
      throw fail('branchMoved', { branch: input.branch });
    }
    return { commit, tree, ...(parent ? { parent } : {}) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
