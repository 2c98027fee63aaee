import { runGit } from './run-git.js';

/** The Hub's `lastCommit` of a tree entry (`list_repo_tree(expand=True)`, `paths-info` with `expand`). */
export interface LastCommit {
  id: string;
  title: string;
  date: string;
}

/**
 * The newest commit reachable from `commit` that changed each of `paths` (a file, or anything under a
 * folder): one `git log --name-only` over the history limited to those paths (literal pathspecs, never
 * globs), read until every path is placed. Paths never changed (impossible for paths of the tree) are absent.
 */
export async function lastCommits(gitDir: string, commit: string, paths: readonly string[], opts: { timeoutMs?: number } = {}): Promise<Map<string, LastCommit>> {
  const found = new Map<string, LastCommit>();
  const wanted = [...new Set(paths)];
  if (wanted.length === 0) return found;
  const out = (
    await runGit(['-c', 'core.quotePath=false', '--literal-pathspecs', 'log', '-z', '--name-only', '--no-renames', '--format=%x1e%H%x1f%s%x1f%cI', commit, '--', ...wanted], {
      gitDir,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    })
  ).stdout.toString('utf8');
  const open = new Set(wanted);
  for (const rec of out.split('\x1e')) {
    if (open.size === 0) break;
    const nul = rec.indexOf('\0');
    if (nul < 0) continue;
    const [id, title, date] = rec.slice(0, nul).split('\x1f') as [string, string | undefined, string | undefined];
    if (!/^[0-9a-f]{40}$/.test(id) || title === undefined || date === undefined) continue;
    const names = rec.slice(nul + 1).replace(/^\n/, '').split('\0').filter((n) => n !== '');
    for (const p of [...open]) {
      if (names.some((n) => n === p || n.startsWith(`${p}/`))) {
        found.set(p, { id, title, date: new Date(date).toISOString() });
        open.delete(p);
      }
    }
  }
  return found;
}
