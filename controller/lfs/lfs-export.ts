import fs from 'node:fs/promises';
import path from 'node:path';
import { fail, type SpaceId } from '../../core/index.js';
import type { GitRepos, Head } from '../git/git-repos.js';
import { MAX_POINTER_BYTES, parsePointer } from './lfs-pointer.js';
import type { LfsStore } from './lfs-store.js';

/**
 * Replace every LFS pointer file under `dir` by its object from the store, so a build sees the real
 * files (a Space that loads a model file from its repo works). A missing object fails the export
 * with the file's name and the fix.
 */
export async function smudgeTree(dir: string, store: LfsStore): Promise<number> {
  let replaced = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const st = await fs.stat(p);
        if (st.size > MAX_POINTER_BYTES || st.size < 40) continue;
        const pointer = parsePointer(await fs.readFile(p));
        if (!pointer) continue;
        if ((await store.sizeOf(pointer.oid)) !== pointer.size) {
          throw fail('lfsObjectMissing', { file: path.relative(dir, p), oid: pointer.oid });
        }
        await fs.rm(p);
        await store.copyTo(pointer.oid, p);
        await fs.chmod(p, st.mode & 0o777);
        replaced++;
      }
    }
  };
  await walk(dir);
  return replaced;
}

/** {@link GitRepos} whose `exportTree` writes LFS files as the real files (what builds read). */
export class LfsExportingRepos implements GitRepos {
  readonly #repos: GitRepos;
  readonly #store: LfsStore;

  constructor(repos: GitRepos, store: LfsStore) {
    this.#repos = repos;
    this.#store = store;
  }

  pathOf(space: SpaceId): string {
    return this.#repos.pathOf(space);
  }
  create(space: SpaceId): Promise<void> {
    return this.#repos.create(space);
  }
  exists(space: SpaceId): Promise<boolean> {
    return this.#repos.exists(space);
  }
  remove(space: SpaceId): Promise<void> {
    return this.#repos.remove(space);
  }
  move(from: SpaceId, to: SpaceId): Promise<void> {
    return this.#repos.move(from, to);
  }
  copy(from: SpaceId, to: SpaceId): Promise<void> {
    return this.#repos.copy(from, to);
  }
  lastChangedAt(space: SpaceId, commit: string, files: readonly string[]): Promise<Date> {
    return this.#repos.lastChangedAt(space, commit, files);
  }
  head(space: SpaceId, branch?: string): Promise<Head | undefined> {
    return this.#repos.head(space, branch);
  }
  readFile(space: SpaceId, commit: string, file: string): Promise<Buffer | undefined> {
    return this.#repos.readFile(space, commit, file);
  }
  listFiles(space: SpaceId, commit: string): Promise<string[]> {
    return this.#repos.listFiles(space, commit);
  }
  async exportTree(space: SpaceId, commit: string, dir: string): Promise<void> {
    await this.#repos.exportTree(space, commit, dir);
    await smudgeTree(dir, this.#store);
  }
  fetchUpstream(space: SpaceId, upstream: { url: string; branch: string }): Promise<Head> {
    return this.#repos.fetchUpstream(space, upstream);
  }
}
