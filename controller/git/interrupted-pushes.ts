import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../core/index.js';

/** The quarantine directory git receive-pack writes a push's objects to (`tmp_objdir_create("incoming")`). */
const QUARANTINE_RE = /^tmp_objdir-incoming-[A-Za-z0-9]+$/;

/**
 * Removes the quarantine directories that pushes interrupted by a killed process left in
 * `{root}/{owner}/{name}.git/objects/` (a finished or refused push removes its own). Call it at
 * start, before the port opens: no push is running then, so every one found is a leftover.
 * Returns the directories removed, relative to `root`.
 */
export async function removeInterruptedPushes(root: string, logger?: Logger): Promise<string[]> {
  const removed: string[] = [];
  const dirs = async (dir: string): Promise<string[]> =>
    (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const owner of await dirs(root)) {
    for (const repo of await dirs(path.join(root, owner))) {
      if (!repo.endsWith('.git')) continue;
      const objects = path.join(root, owner, repo, 'objects');
      for (const entry of await dirs(objects)) {
        if (!QUARANTINE_RE.test(entry)) continue;
        await fs.rm(path.join(objects, entry), { recursive: true, force: true });
        removed.push(path.join(owner, repo, 'objects', entry));
      }
    }
  }
  if (removed.length > 0) logger?.info({ removed }, 'removed objects of interrupted pushes');
  return removed;
}
