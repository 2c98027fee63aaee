import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fail } from '../../../../core/index.js';

/**
 * What a snapshot belongs to. A snapshot is valid only for the same container (its id names the
 * directory the restoring runtime looks in), the same release (image) and the same settings: the
 * process in it holds the variables and secrets it was started with.
 */
export interface SnapshotKey {
  space: string;
  container: string;
  release: string;
  /** settingsHash() of the variables, secrets and hardware the container was started with. */
  settings: string;
}

export interface SnapshotMeta extends SnapshotKey {
  takenAt: number;
  bytes: number;
}

export type SnapshotLookup =
  | { kind: 'ready'; meta: SnapshotMeta }
  | { kind: 'none'; reason: 'missing' | 'corrupt' | 'release-changed' | 'settings-changed' | 'expired' };

/** A stable hash of what a restored process would carry from its start; any change invalidates its snapshot. */
export function settingsHash(input: { env: Record<string, string>; secrets: Record<string, string>; hardware: string }): string {
  const sorted = (r: Record<string, string>) => Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([sorted(input.env), sorted(input.secrets), input.hardware])).digest('hex');
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;

export interface SnapshotStoreOptions {
  /** `{data dir}/snapshots`: made 0700; what is below is only for the owner. */
  root: string;
  /** Snapshots older than this are deleted at lookup and by prune(). */
  maxAgeMs: number;
  /** Total size of the snapshots kept; the oldest are evicted first past it. */
  budgetBytes: number;
  now?: () => number;
}

/**
 * The snapshots on disk: `<root>/<container id>/images/` (CRIU's image files), `meta.json` (the key,
 * when it was taken, its size) and `ready` (the restoring runtime restores only when it is there and
 * removes it as it tries). Directories 0700, files 0600: a snapshot is the app's whole memory.
 */
export class SnapshotStore {
  readonly root: string;
  readonly #maxAgeMs: number;
  readonly #budgetBytes: number;
  readonly #now: () => number;

  constructor(options: SnapshotStoreOptions) {
    this.root = options.root;
    this.#maxAgeMs = options.maxAgeMs;
    this.#budgetBytes = options.budgetBytes;
    this.#now = options.now ?? Date.now;
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    chmodSync(this.root, 0o700);
  }

  #dir(container: string): string {
    if (!CONTAINER_ID.test(container)) throw fail('snapshotBadContainerId', { id: container });
    return path.join(this.root, container);
  }

  /** An empty directory for the dump of this container (any older snapshot of it removed): where CRIU writes its images. */
  begin(key: SnapshotKey): { images: string; work: string } {
    const dir = this.#dir(key.container);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'images'), { recursive: true, mode: 0o700 });
    mkdirSync(path.join(dir, 'work'), { mode: 0o700 });
    return { images: path.join(dir, 'images'), work: path.join(dir, 'work') };
  }

  /** After a dump that succeeded: owner-only modes, meta.json, `ready`; then the budget is enforced. Returns what was evicted. */
  commit(key: SnapshotKey): { meta: SnapshotMeta; evicted: string[] } {
    const dir = this.#dir(key.container);
    let bytes = 0;
    for (const f of readdirSync(path.join(dir, 'images'))) {
      const file = path.join(dir, 'images', f);
      chmodSync(file, 0o600);
      bytes += statSync(file).size;
    }
    // CRIU's own logs of the dump (runc's work directory) name the app's files and sockets: owner-only too.
    for (const f of readdirSync(path.join(dir, 'work'))) chmodSync(path.join(dir, 'work', f), statSync(path.join(dir, 'work', f)).isDirectory() ? 0o700 : 0o600);
    const meta: SnapshotMeta = { ...key, takenAt: this.#now(), bytes };
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta), { mode: 0o600 });
    // For the restoring runtime's line in the run log ("restored from snapshot (taken …)").
    writeFileSync(path.join(dir, 'taken'), new Date(meta.takenAt).toISOString(), { mode: 0o600 });
    writeFileSync(path.join(dir, 'ready'), '', { mode: 0o600 });
    return { meta, evicted: this.prune() };
  }

  /**
   * Asks the restoring runtime for a lazy restore of this ready snapshot: `<dir>/lazy` holds the
   * lazy-pages daemon's deadline in seconds (scripts/criu/restore-runtime.sh). Spent with the snapshot.
   */
  requestLazy(container: string, deadlineS: number): void {
    writeFileSync(path.join(this.#dir(container), 'lazy'), String(Math.max(1, Math.round(deadlineS))), { mode: 0o600 });
  }

  /** Whether this container may be restored for this key; an unusable snapshot is deleted, with the reason. */
  lookup(key: SnapshotKey): SnapshotLookup {
    const dir = this.#dir(key.container);
    if (!existsSync(dir)) return { kind: 'none', reason: 'missing' };
    const meta = this.#meta(key.container);
    const reason =
      !meta || !existsSync(path.join(dir, 'ready')) || meta.space !== key.space ? 'corrupt'
      : meta.release !== key.release ? 'release-changed'
      : meta.settings !== key.settings ? 'settings-changed'
      : this.#now() - meta.takenAt > this.#maxAgeMs ? 'expired'
      : undefined;
    if (reason || !meta) {
      rmSync(dir, { recursive: true, force: true });
      return { kind: 'none', reason: reason ?? 'corrupt' };
    }
    return { kind: 'ready', meta };
  }

  #meta(container: string): SnapshotMeta | undefined {
    try {
      const m = JSON.parse(readFileSync(path.join(this.root, container, 'meta.json'), 'utf8')) as SnapshotMeta;
      return typeof m.takenAt === 'number' && typeof m.bytes === 'number' && m.container === container ? m : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every snapshot with its meta, oldest first (directories without a readable meta.json are not snapshots). */
  list(): SnapshotMeta[] {
    return readdirSync(this.root)
      .filter((n) => CONTAINER_ID.test(n))
      .map((n) => this.#meta(n))
      .filter((m): m is SnapshotMeta => m !== undefined)
      .sort((a, b) => a.takenAt - b.takenAt);
  }

  remove(container: string): void {
    rmSync(this.#dir(container), { recursive: true, force: true });
  }

  /** Deleting a Space deletes its snapshots. Returns how many. */
  removeSpace(space: string): number {
    const mine = this.list().filter((m) => m.space === space);
    for (const m of mine) this.remove(m.container);
    return mine.length;
  }

  /** Expired snapshots, then the oldest until the rest fits the budget. Returns the evicted containers. */
  prune(): string[] {
    const evicted: string[] = [];
    const now = this.#now();
    let kept = this.list().filter((m) => {
      if (now - m.takenAt <= this.#maxAgeMs) return true;
      evicted.push(m.container);
      return false;
    });
    let total = kept.reduce((n, m) => n + m.bytes, 0);
    while (total > this.#budgetBytes && kept.length > 0) {
      const oldest = kept[0]!;
      evicted.push(oldest.container);
      total -= oldest.bytes;
      kept = kept.slice(1);
    }
    for (const c of evicted) this.remove(c);
    return evicted;
  }
}
