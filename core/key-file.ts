import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A key kept in a file (mode 0600): read it, or make it once. Several processes may start at the same
 * moment on one data dir (controller replicas on a shared volume, a CLI next to the server): the new
 * key is written whole to a file of its own, then linked into place, which fails for all but the
 * first; so every process reads the same key, and none ever reads a half-written one.
 */
export function readOrCreateKeyFile(file: string, make: () => string | Buffer): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.new`;
  writeFileSync(draft, make(), { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(draft, { force: true });
  }
  return readFileSync(file);
}
