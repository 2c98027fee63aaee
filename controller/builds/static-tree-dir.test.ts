import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaticTreeDir } from './static-tree-dir.js';

const KEY = 'ab'.repeat(32);

/** A tar stream of `files` (path → content), as the engine's archive of `/site` names them. */
function tarOf(files: Record<string, string>): Readable {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  return pack as unknown as Readable;
}

describe('StaticTreeDir.materialiseFiles (a static build output read back from its image)', () => {
  let root: string;
  let dir: StaticTreeDir;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'trees-'));
    dir = new StaticTreeDir(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('puts the files below the top folder at {root}/{key}, then reuses them without reading the stream', async () => {
    const made = await dir.materialiseFiles(KEY, tarOf({ 'site/index.html': '<h1>built</h1>', 'site/assets/app.js': 'x()' }), 'site');
    expect(made).toBe('made');
    expect(await readFile(path.join(root, KEY, 'index.html'), 'utf8')).toBe('<h1>built</h1>');
    expect(await readFile(path.join(root, KEY, 'assets', 'app.js'), 'utf8')).toBe('x()');
    expect(await dir.has(KEY)).toBe(true);
    const again = tarOf({ 'site/index.html': 'other' });
    expect(await dir.materialiseFiles(KEY, again, 'site')).toBe('present');
    expect(again.destroyed).toBe(true);
    expect(await readFile(path.join(root, KEY, 'index.html'), 'utf8')).toBe('<h1>built</h1>');
  });

  it('an entry climbing out of the output fails the whole tree and leaves nothing behind', async () => {
    await expect(dir.materialiseFiles(KEY, tarOf({ 'site/index.html': 'ok', 'site/../../escape.txt': 'no' }), 'site')).rejects.toThrow();
    expect(await dir.has(KEY)).toBe(false);
    expect(await readdir(root)).toEqual([]);
  });
});
