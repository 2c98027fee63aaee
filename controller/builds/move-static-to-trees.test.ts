import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { staticTreeImage } from '../runtime/static-instance.js';
import type { SpaceStore } from '../store/space-store.js';
import { moveStaticSpacesToTrees } from './move-static-to-trees.js';

/** Static Spaces released as images (`plain`, `built` with app_build_command), one already a tree, one gradio. */
function storeOf(): Pick<SpaceStore, 'listSpaces' | 'getRelease'> {
  const spaces = [
    { uid: 'u-plain', id: 'a/plain', sdk: 'static', targetRelease: 'r-plain' },
    { uid: 'u-built', id: 'a/built', sdk: 'static', targetRelease: 'r-built' },
    { uid: 'u-tree', id: 'a/tree', sdk: 'static', targetRelease: 'r-tree' },
    { uid: 'u-gradio', id: 'a/gradio', sdk: 'gradio', targetRelease: 'r-gradio' },
  ];
  const releases: Record<string, { image: string; config: Record<string, unknown> }> = {
    'r-plain': { image: 'spaceport/a-plain:1', config: {} },
    'r-built': { image: 'spaceport/a-built:1', config: { app_build_command: 'npm run build' } },
    'r-tree': { image: staticTreeImage({ tree: 'c'.repeat(40), index: 'index.html' }), config: {} },
    'r-gradio': { image: 'spaceport/a-gradio:1', config: {} },
  };
  return { listSpaces: () => spaces, getRelease: (id: string) => releases[id] } as unknown as Pick<SpaceStore, 'listSpaces' | 'getRelease'>;
}

describe('moveStaticSpacesToTrees', () => {
  it('rebuilds every static Space still in a container, with app_build_command too when the builder reads images back', async () => {
    const queued: string[] = [];
    const pipeline = { enqueue: async (uid: string) => (queued.push(uid), { id: uid }) as never };
    expect(await moveStaticSpacesToTrees({ store: storeOf() as SpaceStore, pipeline, logger: silentLogger(), builtFiles: true })).toBe(2);
    expect(queued).toEqual(['u-plain', 'u-built']);
  });

  it('leaves app_build_command Spaces in their containers when the builder cannot read images back (a rebuild would release an image again)', async () => {
    const queued: string[] = [];
    const pipeline = { enqueue: async (uid: string) => (queued.push(uid), { id: uid }) as never };
    expect(await moveStaticSpacesToTrees({ store: storeOf() as SpaceStore, pipeline, logger: silentLogger(), builtFiles: false })).toBe(1);
    expect(queued).toEqual(['u-plain']);
  });
});
