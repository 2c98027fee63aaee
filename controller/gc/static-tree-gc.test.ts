import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { StaticTreeDir } from '../builds/static-tree-dir.js';
import { staticTreeImage } from '../runtime/static-instance.js';
import { collectStaticTrees } from './static-tree-gc.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
let root: string | undefined;

afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function tree(name: string, ageMs: number): void {
  mkdirSync(path.join(root!, name));
  writeFileSync(path.join(root!, name, 'index.html'), name);
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(path.join(root!, name), t, t);
}

describe('collectStaticTrees', () => {
  it('removes trees no serving or target release names, and old interrupted exports, after the grace period', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'trees-gc-'));
    tree(A, 2 * 3_600_000); // in use
    tree(B, 2 * 3_600_000); // unreferenced, old
    tree(C, 60_000); // unreferenced, just made (its release may not be written yet)
    tree(`.tmp-${A}-dead`, 2 * 3_600_000);
    writeFileSync(path.join(root, 'not-a-tree'), 'x');
    const removed = await collectStaticTrees({
      dir: new StaticTreeDir(root),
      inUseImages: [staticTreeImage({ tree: A, index: 'index.html' }), 'spaceport/x:1'],
      now: Date.now(),
      logger: silentLogger(),
    });
    expect(removed.sort()).toEqual([`.tmp-${A}-dead`, B].sort());
    expect(readdirSync(root).sort()).toEqual([A, C, 'not-a-tree'].sort());
  });
});
