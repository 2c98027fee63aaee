import { fail } from '../../core/index.js';
import { parsePointer, type LfsPointer } from '../lfs/lfs-pointer.js';
import { branchNameProblem } from './branch-name.js';
import { runGit } from './run-git.js';

/** A file or folder of a commit's tree, with the LFS object a pointer file names. */
export type TreeEntry =
  | { type: 'file'; path: string; oid: string; size: number; mode: string; lfs?: LfsPointer & { pointerSize: number } }
  | { type: 'directory'; path: string; oid: string };

export interface CommitEntry {
  id: string;
  title: string;
  message: string;
  date: string;
  authors: { user: string; email: string }[];
}

const OID_RE = /^[0-9a-f]{40}$/;

/**
 * The commit a revision names: a branch, a tag, `refs/…` of those, or a full commit id. Anything
 * else (`HEAD~1`, `main^`, options) is refused before git sees it. RevisionNotFound when absent.
 */
export async function resolveRevision(gitDir: string, rev: string): Promise<string> {
  let candidates: string[];
  if (OID_RE.test(rev)) candidates = [rev];
  else if (rev.startsWith('refs/')) {
    if (branchNameProblem(rev.slice('refs/'.length)) !== undefined) throw fail('revisionInvalid', { rev });
    candidates = [rev];
  } else {
    if (branchNameProblem(rev) !== undefined) throw fail('revisionInvalid', { rev });
    candidates = [`refs/heads/${rev}`, `refs/tags/${rev}`];
  }
  for (const c of candidates) {
    const r = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${c}^{commit}`], { gitDir, okExitCodes: [1, 128] });
    const oid = r.stdout.toString().trim();
    if (r.exitCode === 0 && OID_RE.test(oid)) return oid;
  }
  throw fail('revisionNotFound', { rev });
}

/** Read several blobs at once (`cat-file --batch`): oid → content. */
async function readBlobs(gitDir: string, oids: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (oids.length === 0) return out;
  const r = await runGit(['cat-file', '--batch'], { gitDir, input: oids.map((o) => `${o}\n`).join('') });
  let at = 0;
  const buf = r.stdout;
  while (at < buf.length) {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0) break;
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(buf.subarray(at, nl).toString());
    if (!m) {
      at = nl + 1; // "<oid> missing"
      continue;
    }
    const size = Number(m[3]);
    out.set(m[1]!, Buffer.from(buf.subarray(nl + 1, nl + 1 + size)));
    at = nl + 1 + size + 1;
  }
  return out;
}

/** Blobs this small may be LFS pointers (git lfs writes ~130 bytes). */
const MAY_BE_POINTER = (size: number) => size >= 100 && size <= 1024;

/**
 * The entries of a commit's tree under `dir` (the root when empty): its direct children, or every
 * file below it with `recursive` (folders too, as the Hub lists them). Pointer files carry `lfs`.
 */
export async function listTree(gitDir: string, commit: string, opts: { dir?: string; recursive?: boolean } = {}): Promise<TreeEntry[]> {
  const dir = opts.dir ?? '';
  const args = ['ls-tree', '-l', '-z', ...(opts.recursive ? ['-r', '-t'] : []), commit, '--', ...(dir ? [`${dir}/`] : [])];
  // Paths are literal: a folder named `*` or `:(glob)x` is that folder, never a pattern.
  const out = (await runGit(args, { gitDir, env: { GIT_LITERAL_PATHSPECS: '1' } })).stdout.toString();
  const entries: TreeEntry[] = [];
  for (const line of out.split('\0')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, oid, size] = line.slice(0, tab).trim().split(/\s+/);
    const p = line.slice(tab + 1);
    if (dir && !p.startsWith(`${dir}/`)) continue; // `-t` also lists the folders leading to dir
    if (type === 'tree') entries.push({ type: 'directory', path: p, oid: oid! });
    else if (type === 'blob') entries.push({ type: 'file', path: p, oid: oid!, size: Number(size), mode: mode! });
  }
  const small = entries.filter((e): e is Extract<TreeEntry, { type: 'file' }> => e.type === 'file' && MAY_BE_POINTER(e.size));
  const blobs = await readBlobs(gitDir, [...new Set(small.map((e) => e.oid))]);
  for (const e of small) {
    const pointer = parsePointer(blobs.get(e.oid) ?? Buffer.alloc(0));
    if (pointer) e.lfs = { ...pointer, pointerSize: e.size };
  }
  return entries;
}

/** One path of a commit: a file (with its LFS pointer, if any), a folder, or undefined. */
export async function statPath(gitDir: string, commit: string, p: string): Promise<TreeEntry | undefined> {
  const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
  const siblings = await listTree(gitDir, commit, { dir: parent });
  return siblings.find((e) => e.path === p);
}

/** A blob's content. */
export async function readBlob(gitDir: string, oid: string): Promise<Buffer> {
  return (await runGit(['cat-file', 'blob', oid], { gitDir })).stdout;
}

/**
 * The commits reachable from `commit`, newest first: `skip` then up to `limit`; `total` counts them all.
 * With `path`, only those that changed it (a file, or anything under a folder; a literal path, never a glob).
 */
export async function listCommits(gitDir: string, commit: string, opts: { skip: number; limit: number; path?: string }): Promise<{ commits: CommitEntry[]; total: number }> {
  const only = opts.path === undefined ? [] : [opts.path];
  const literal = opts.path === undefined ? [] : ['--literal-pathspecs'];
  const total = Number((await runGit([...literal, 'rev-list', '--count', commit, '--', ...only], { gitDir })).stdout.toString().trim());
  const fmt = '%H%x00%an%x00%ae%x00%aI%x00%B%x00%x1e';
  const out = (await runGit([...literal, 'log', `--format=${fmt}`, `--skip=${opts.skip}`, `--max-count=${opts.limit}`, commit, '--', ...only], { gitDir })).stdout.toString();
  const commits: CommitEntry[] = [];
  for (const rec of out.split('\x1e')) {
    const parts = rec.replace(/^\n/, '').split('\0');
    if (parts.length < 5 || !OID_RE.test(parts[0]!)) continue;
    const [id, name, email, date, body] = parts as [string, string, string, string, string];
    const text = body.replace(/\n+$/, '');
    const nl = text.indexOf('\n');
    commits.push({
      id,
      title: nl < 0 ? text : text.slice(0, nl),
      message: nl < 0 ? '' : text.slice(nl + 1).replace(/^\n+/, ''),
      date: new Date(date).toISOString(),
      authors: [{ user: name, email }],
    });
  }
  return { commits, total };
}

/** Branches and tags with their commits. */
export async function listRefs(gitDir: string): Promise<{ name: string; ref: string; targetCommit: string }[]> {
  const out = (await runGit(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(*objectname)', 'refs/heads', 'refs/tags'], { gitDir })).stdout.toString();
  const refs = [];
  for (const line of out.split('\n')) {
    const [ref, oid, peeled] = line.split('\0');
    if (!ref || !oid) continue;
    const name = ref.replace(/^refs\/(heads|tags)\//, '');
    refs.push({ name, ref, targetCommit: peeled || oid });
  }
  return refs;
}
