import { GitCommandError, killGit, runGit, spawnGit } from './run-git.js';

/** One commit as the commit page shows it. */
export interface CommitDetail {
  id: string;
  parents: string[];
  author: { name: string; email: string };
  /** Author date, ISO 8601. */
  date: string;
  title: string;
  /** The message after its title line. */
  body: string;
}

/** A changed path of a commit: lines added and removed, `null` for a binary file. */
export interface DiffStat {
  path: string;
  added: number | null;
  removed: number | null;
}

const OID_RE = /^[0-9a-f]{40}$/;
/** A commit id as a URL may give it: 7 to 40 lowercase hex digits (never a ref name or an expression). */
export const COMMIT_ID_RE = /^[0-9a-f]{7,40}$/;
/** Every git call of a commit page ends within this (a request's deadline). */
const GIT_TIMEOUT_MS = 15_000;

/**
 * The commit `id` names (full or abbreviated, validated before git sees it), if it is `head` or one
 * of its ancestors: commits that `main` no longer reaches (history rewritten by a force push) are
 * not shown. Undefined otherwise.
 */
export async function readCommit(gitDir: string, id: string, head: string): Promise<CommitDetail | undefined> {
  if (!COMMIT_ID_RE.test(id) || !OID_RE.test(head)) return undefined;
  const r = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${id}^{commit}`], { gitDir, okExitCodes: [1, 128], timeoutMs: GIT_TIMEOUT_MS });
  const oid = r.stdout.toString().trim();
  if (r.exitCode !== 0 || !OID_RE.test(oid)) return undefined;
  const reach = await runGit(['merge-base', '--is-ancestor', oid, head], { gitDir, okExitCodes: [1], timeoutMs: GIT_TIMEOUT_MS });
  if (reach.exitCode !== 0) return undefined;
  const out = (await runGit(['show', '-s', '--no-color', '--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%B', oid, '--'], { gitDir, timeoutMs: GIT_TIMEOUT_MS })).stdout.toString('utf8');
  const [full, parents, name, email, date, message] = out.split('\0') as [string, string, string, string, string, string];
  const text = (message ?? '').replace(/\s+$/, '');
  const nl = text.indexOf('\n');
  return {
    id: full,
    parents: parents ? parents.split(' ').filter((p) => OID_RE.test(p)) : [],
    author: { name: name ?? '', email: email ?? '' },
    date: new Date(date ?? 0).toISOString(),
    title: nl < 0 ? text : text.slice(0, nl),
    body: nl < 0 ? '' : text.slice(nl + 1).replace(/^\n+/, ''),
  };
}

/** diff-tree's arguments: against the first parent, or the whole tree for a root commit. */
function against(c: CommitDetail): string[] {
  return c.parents.length > 0 ? [c.parents[0]!, c.id] : ['--root', c.id];
}

const DIFF_FLAGS = ['-r', '--no-commit-id', '--no-renames', '--no-color', '--no-ext-diff', '--no-textconv'];

/** The paths a commit changed, with line counts (`--numstat`; NUL-separated, so any name reads back). */
export async function diffStats(gitDir: string, c: CommitDetail): Promise<DiffStat[]> {
  const out = (await runGit(['-c', 'core.quotePath=false', 'diff-tree', ...DIFF_FLAGS, '--numstat', '-z', ...against(c), '--'], { gitDir, timeoutMs: GIT_TIMEOUT_MS })).stdout.toString('utf8');
  const stats: DiffStat[] = [];
  for (const rec of out.split('\0')) {
    const m = /^(-|\d+)\t(-|\d+)\t([\s\S]+)$/.exec(rec.replace(/^\n/, ''));
    if (!m) continue;
    stats.push({ path: m[3]!, added: m[1] === '-' ? null : Number(m[1]), removed: m[2] === '-' ? null : Number(m[2]) });
  }
  return stats;
}

/**
 * The commit's unified diff as git prints it, cut at `maxBytes` (git is stopped there, so a huge
 * commit costs no more than a small one). `truncated` when cut.
 */
export function diffPatch(gitDir: string, c: CommitDetail, maxBytes: number): Promise<{ patch: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const args = ['diff-tree', ...DIFF_FLAGS, '-p', '--unified=3', ...against(c), '--'];
    const child = spawnGit(args, { gitDir });
    const chunks: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const timer = setTimeout(() => {
      truncated = true;
      killGit(child);
    }, GIT_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => {
      if (truncated) return;
      chunks.push(b);
      size += b.length;
      if (size > maxBytes) {
        truncated = true;
        killGit(child);
      }
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.end();
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new GitCommandError({ command: args, exitCode: null, stderr: Buffer.concat(err).toString(), cause }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!truncated && code !== 0) {
        reject(new GitCommandError({ command: args, exitCode: code, stderr: Buffer.concat(err).toString() }));
        return;
      }
      const all = Buffer.concat(chunks);
      const cut = truncated ? all.subarray(0, Math.min(all.length, maxBytes)) : all;
      resolve({ patch: cut.toString('utf8'), truncated });
    });
  });
}
