import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import tar from 'tar-stream';

/**
 * Write the tree at `dir` as a tar to `out`: regular files and folders, by their path in the tree.
 * A symlink that resolves to a file inside the tree goes as that file's content under the link's
 * name; any other symlink (out of the tree, to a folder) is left out, so a replica's copy holds no
 * link at all.
 */
export async function packTree(dir: string, out: Writable, signal?: AbortSignal): Promise<void> {
  const root = await realpath(dir);
  const pack = tar.pack();
  // The reader may go away mid-tree (a replica stopped): that ends this send, never the process.
  pack.on('error', () => undefined);
  const onAbort = (): void => void pack.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  pack.pipe(out);
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
      signal?.throwIfAborted();
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = path.join(root, name);
      if (entry.isDirectory()) {
        pack.entry({ name: `${name}/`, type: 'directory', mode: 0o755 });
        await walk(name);
        continue;
      }
      let file = full;
      if (entry.isSymbolicLink()) {
        const real = await realpath(full).catch(() => undefined);
        if (real === undefined || !real.startsWith(root + path.sep)) continue;
        file = real;
      }
      const st = await stat(file);
      if (!st.isFile()) continue;
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ name, size: st.size, mode: 0o644, type: 'file' }, (err) => (err ? reject(err) : resolve()));
        const body = createReadStream(file);
        body.on('error', reject);
        sink.on('error', reject);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        body.pipe(sink);
      });
    }
  };
  try {
    await walk('');
    pack.finalize();
  } catch (err) {
    pack.destroy();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
