import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { fail } from '../core/index.js';

/** One file, folder or symlink of an image's filesystem, as its layers leave it. */
type Node = { type: 'directory'; mode: number } | { type: 'file'; mode: number; data: Buffer } | { type: 'symlink'; linkname: string };

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** `./site/a/` → `site/a`; `''` for the root. */
function clean(name: string): string {
  return path.posix.normalize(`/${name}`).replace(/^\/+|\/+$/g, '');
}

/**
 * The files under one directory of an image, put together from its layers (OCI image layout rules:
 * later layers replace, `.wh.NAME` removes NAME, `.wh..wh..opq` empties its folder), then packed as
 * a tar whose entries are named below the directory's last segment (`site/index.html` for `/site`),
 * as `ImageBuilder.imageFiles` gives them. Only entries under the directory are kept, in memory,
 * up to `maxBytes`; hard links are copied (one to a file outside the directory is refused).
 * Names that climb out, symlinks out and the like are left to the reader (`extractTar` refuses them).
 */
export class ImageDirFromLayers {
  readonly #dir: string;
  readonly #image: string;
  readonly #max: number;
  readonly #nodes = new Map<string, Node>();
  /** Paths the layer being applied put there: its whiteouts remove only what lower layers left. */
  #thisLayer = new Set<string>();
  /** Every path something was put below (folders with or without their own entry); may name dropped ones. */
  readonly #parents = new Set<string>();
  #bytes = 0;

  constructor(o: { image: string; dir: string; maxBytes: number }) {
    this.#dir = clean(o.dir);
    this.#image = o.image;
    this.#max = o.maxBytes;
  }

  #under(p: string): boolean {
    return this.#dir === '' || p === this.#dir || p.startsWith(`${this.#dir}/`);
  }

  /** Drop `p` and everything below it (`keepSelf`: only what is below; `lower`: only what lower layers put there). */
  #drop(p: string, o: { keepSelf?: boolean; lower?: boolean } = {}): void {
    for (const [key, node] of this.#nodes) {
      const below = p === '' ? key !== '' : key.startsWith(`${p}/`);
      if (o.lower && this.#thisLayer.has(key)) continue;
      if (below || (!o.keepSelf && key === p)) {
        if (node.type === 'file') this.#bytes -= node.data.length;
        this.#nodes.delete(key);
      }
    }
  }

  #put(p: string, node: Node): void {
    // A file or link replaces a folder with all it held; a folder over a folder keeps its contents.
    const prior = this.#nodes.get(p);
    if (node.type !== 'directory' && (prior?.type === 'directory' || this.#parents.has(p))) this.#drop(p);
    else if (prior?.type === 'file') this.#bytes -= prior.data.length;
    for (let up = path.posix.dirname(p); up !== '.' && !this.#parents.has(up); up = path.posix.dirname(up)) this.#parents.add(up);
    if (node.type === 'file') {
      this.#bytes += node.data.length;
      if (this.#bytes > this.#max) throw fail('imageFilesTooLarge', { image: this.#image, dir: `/${this.#dir}`, max: this.#max });
    }
    this.#nodes.set(p, node);
    this.#thisLayer.add(p);
  }

  /** Apply one layer (an uncompressed tar stream), in order from the base layer up. */
  async applyLayer(layer: Readable): Promise<void> {
    this.#thisLayer = new Set();
    const extract = tar.extract();
    const fed = pipeline(layer, extract);
    try {
      for await (const entry of extract) {
        const { name, type, mode, linkname } = entry.header;
        const p = clean(name);
        const base = path.posix.basename(p);
        const parent = path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p);
        if (base === OPAQUE) {
          this.#drop(parent, { keepSelf: true, lower: true });
          entry.resume();
          continue;
        }
        if (base.startsWith(WHITEOUT)) {
          this.#drop(parent === '' ? base.slice(WHITEOUT.length) : `${parent}/${base.slice(WHITEOUT.length)}`, { lower: true });
          entry.resume();
          continue;
        }
        if (!this.#under(p)) {
          entry.resume();
          continue;
        }
        if (type === 'directory') {
          this.#put(p, { type: 'directory', mode: mode ?? 0o755 });
          entry.resume();
        } else if (type === 'file' || type === 'contiguous-file') {
          const chunks: Buffer[] = [];
          const prior = this.#nodes.get(p);
          let size = prior?.type === 'file' ? -prior.data.length : 0;
          for await (const chunk of entry as AsyncIterable<Buffer>) {
            size += chunk.length;
            if (this.#bytes + size > this.#max) throw fail('imageFilesTooLarge', { image: this.#image, dir: `/${this.#dir}`, max: this.#max });
            chunks.push(chunk);
          }
          this.#put(p, { type: 'file', mode: mode ?? 0o644, data: Buffer.concat(chunks) });
        } else if (type === 'symlink') {
          this.#put(p, { type: 'symlink', linkname: linkname ?? '' });
          entry.resume();
        } else if (type === 'link') {
          const target = this.#nodes.get(clean(linkname ?? ''));
          entry.resume();
          if (target?.type !== 'file') throw fail('imageHardLinkOutside', { image: this.#image, name: p, link: clean(linkname ?? '') });
          this.#put(p, { ...target });
        } else {
          // Devices, fifos and the like have no place in a site: left out.
          entry.resume();
        }
      }
      await fed;
    } catch (err) {
      layer.destroy();
      await fed.catch(() => undefined);
      throw err;
    }
  }

  /** The directory's entries as a tar stream; fails when the image has no such directory. */
  pack(): Readable {
    // The folder is there when it has an entry or anything below it (a layer may leave parents implicit).
    const dirNode = this.#nodes.get(this.#dir);
    const below = [...this.#nodes.keys()].some((k) => k.startsWith(`${this.#dir}/`));
    if (this.#dir !== '' && (dirNode ? dirNode.type !== 'directory' : !below)) throw fail('imageDirMissing', { image: this.#image, dir: `/${this.#dir}` });
    if (this.#dir !== '' && !dirNode) this.#nodes.set(this.#dir, { type: 'directory', mode: 0o755 });
    const top = this.#dir === '' ? '' : path.posix.dirname(this.#dir) === '.' ? '' : `${path.posix.dirname(this.#dir)}/`;
    const pack = tar.pack();
    const entries = [...this.#nodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [p, node] of entries) {
      const name = p.slice(top.length);
      if (node.type === 'directory') pack.entry({ name: `${name}/`, type: 'directory', mode: node.mode });
      else if (node.type === 'symlink') pack.entry({ name, type: 'symlink', linkname: node.linkname });
      else pack.entry({ name, type: 'file', mode: node.mode, size: node.data.length }, node.data);
    }
    pack.finalize();
    return pack as unknown as Readable;
  }
}
