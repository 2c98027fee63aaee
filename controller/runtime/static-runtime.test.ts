import { describe, expect, it } from 'vitest';
import type { Flavor, ReleaseId, SpaceId } from '../../core/index.js';
import type { InstanceSpec } from './runtime.js';
import { staticTreeImage, staticTreeOf } from './static-instance.js';
import { StaticTreeRuntime } from './static-runtime.js';
import { FakeRuntime } from './testing/index.js';

const TREE = 'a1'.repeat(20);
const space = 'alice/site' as SpaceId;
const spec = (release: string, image: string): InstanceSpec => ({ space, release: release as ReleaseId, image, port: 8080, env: {}, flavor: { name: 'cpu-basic' } as unknown as Flavor });

describe('StaticTreeRuntime', () => {
  it('runs no container for a static release: ready at once when its tree is there, failed when it is not', async () => {
    const inner = new FakeRuntime();
    const present = new Set([TREE]);
    const rt = new StaticTreeRuntime(inner, async (t) => present.has(t));
    await rt.apply(spec('r1', staticTreeImage({ tree: TREE, index: 'index.html' })));
    expect(inner.applied).toEqual([]);
    expect((await rt.list(space)).map((i) => [i.release, i.state.kind])).toEqual([['r1', 'ready']]);
    await rt.apply(spec('r2', staticTreeImage({ tree: 'b2'.repeat(20), index: 'index.html' })));
    expect((await rt.list(space)).find((i) => i.release === 'r2')?.state.kind).toBe('failed');
  });

  it('a Space moving from a container to its tree keeps no container once the others are removed', async () => {
    const inner = new FakeRuntime();
    const rt = new StaticTreeRuntime(inner, async () => true);
    await rt.apply(spec('r1', 'spaceport/alice-site:old'));
    await rt.apply(spec('r2', staticTreeImage({ tree: TREE, index: 'index.html' })));
    expect((await inner.list(space)).length).toBe(1);
    await rt.remove(space, { keep: 'r2' as ReleaseId });
    expect(await inner.list(space)).toEqual([]);
    expect((await rt.list(space)).map((i) => i.release)).toEqual(['r2']);
    await rt.stop(space, 'r2' as ReleaseId);
    expect((await rt.list(space))[0]!.state.kind).toBe('stopped');
    await rt.apply(spec('r2', staticTreeImage({ tree: TREE, index: 'index.html' })));
    expect((await rt.list(space))[0]!.state.kind).toBe('ready');
  });

  it('reads back only well-formed static images', () => {
    expect(staticTreeOf(staticTreeImage({ tree: TREE, index: 'dist/index.html' }))).toEqual({ tree: TREE, index: 'dist/index.html' });
    for (const image of ['spaceport/x:1', 'static-tree:nothex/index.html', `static-tree:${TREE}`, `static-tree:${TREE}/`, undefined]) expect(staticTreeOf(image)).toBeUndefined();
  });
});
