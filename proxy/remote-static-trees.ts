import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import { controllerUrl } from './controller-client.js';
import { TREES_PATH } from './route-stream-protocol.js';
import { TREE_HASH, type StaticTrees } from './static-trees.js';
import { unpackTree } from './tree-download.js';

export interface RemoteStaticTreesOptions {
  /** `http(s)://host:port` of the controller. */
  controllerUrl: string;
  /** `SPACEPORT_INTERNAL_TOKEN`, sent as `Authorization: Bearer …` (as the route stream is). */
  token: string;
  /** This replica's own cache directory (emptied at start: nothing in it is trusted across runs). */
  cacheDir: string;
  /** Bytes of trees kept; the least recently used go first (default 1 GiB). A larger tree is not kept. */
  maxBytes?: number;
  /** Per download (default 60 000). */
  timeoutMs?: number;
  logger: Logger;
  dispatcher?: Dispatcher;
}

/**
 * A proxy replica's static trees: fetched from the controller by hash (`GET /internal/trees/{hash}`)
 * on first use, unpacked into a temp dir and renamed into `{cacheDir}/{hash}` (so a tree is served
 * whole or not at all), kept in an LRU bounded by bytes. One download per tree at a time.
 */
export class RemoteStaticTrees implements StaticTrees {
  readonly #o: RemoteStaticTreesOptions;
  readonly #max: number;
  /** Trees here, least recently used first, with their bytes. */
  readonly #lru = new Map<string, number>();
  readonly #inflight = new Map<string, Promise<string | undefined>>();
  #bytes = 0;
  /** The cache directory's real path (the file server compares real paths), once emptied and made. */
  #ready?: Promise<string>;

  constructor(opts: RemoteStaticTreesOptions) {
    this.#o = opts;
    this.#max = opts.maxBytes ?? 1 << 30;
  }

  async dirOf(tree: string): Promise<string | undefined> {
    if (!TREE_HASH.test(tree)) return undefined;
    const bytes = this.#lru.get(tree);
    if (bytes !== undefined) {
      this.#lru.delete(tree);
      this.#lru.set(tree, bytes);
      return path.join(await this.#ready!, tree);
    }
    let pending = this.#inflight.get(tree);
    if (pending === undefined) {
      pending = this.#fetch(tree).finally(() => this.#inflight.delete(tree));
      this.#inflight.set(tree, pending);
    }
    return pending;
  }

  /** Bytes of trees held now. */
  get bytes(): number {
    return this.#bytes;
  }

  async #fetch(tree: string): Promise<string | undefined> {
    const { logger } = this.#o;
    this.#ready ??= (async () => {
      await rm(this.#o.cacheDir, { recursive: true, force: true });
      await mkdir(this.#o.cacheDir, { recursive: true });
      return realpath(this.#o.cacheDir);
    })();
    const cacheDir = await this.#ready;
    const tmp = path.join(cacheDir, `.tmp-${tree}-${randomBytes(4).toString('hex')}`);
    const timeout = this.#o.timeoutMs ?? 60_000;
    try {
      const res = await request(controllerUrl(this.#o.controllerUrl, `${TREES_PATH}${tree}`), {
        method: 'GET',
        headers: { authorization: `Bearer ${this.#o.token}` },
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(this.#o.dispatcher ? { dispatcher: this.#o.dispatcher } : {}),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        logger.warn({ tree, status: res.statusCode }, 'static tree not fetched');
        return undefined;
      }
      await mkdir(tmp);
      const bytes = await unpackTree(res.body, tmp, this.#max);
      const dir = path.join(cacheDir, tree);
      await rename(tmp, dir);
      this.#lru.set(tree, bytes);
      this.#bytes += bytes;
      await this.#evict(tree);
      return dir;
    } catch (err) {
      logger.warn({ err: (err as Error).message, tree }, 'static tree fetch failed');
      await rm(tmp, { recursive: true, force: true });
      return undefined;
    }
  }

  /** Drop the least recently used trees (never `keep`) until the cache fits. */
  async #evict(keep: string): Promise<void> {
    for (const [tree, bytes] of this.#lru) {
      if (this.#bytes <= this.#max) break;
      if (tree === keep) continue;
      this.#lru.delete(tree);
      this.#bytes -= bytes;
      // Renamed first: a request already streaming a file keeps its open file; a new one refetches.
      const cacheDir = await this.#ready!;
      const doomed = path.join(cacheDir, `.tmp-evicted-${tree}-${randomBytes(4).toString('hex')}`);
      await rename(path.join(cacheDir, tree), doomed).catch(() => undefined);
      await rm(doomed, { recursive: true, force: true });
    }
  }
}
