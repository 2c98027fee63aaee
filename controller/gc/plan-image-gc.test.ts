import { describe, expect, it } from 'vitest';
import { planImageGc } from './plan-image-gc.js';

describe('planImageGc', () => {
  it('keeps the newest N distinct images per Space and removes older ones', () => {
    expect(planImageGc([{ built: ['a:5', 'a:4', 'a:4', 'a:3', 'a:2', 'a:1'], inUse: ['a:5'] }], 3)).toEqual(['a:1', 'a:2']);
  });

  it('never removes the serving or target image, however old', () => {
    expect(planImageGc([{ built: ['a:3', 'a:2', 'a:1'], inUse: ['a:1', 'a:3'] }], 1)).toEqual(['a:2']);
  });

  it('never removes an image another Space keeps or uses (shared content-addressed images)', () => {
    const plan = planImageGc(
      [
        { built: ['x:new', 'shared:1'], inUse: ['x:new'] },
        { built: ['shared:1'], inUse: ['shared:1'] },
      ],
      1,
    );
    expect(plan).toEqual([]);
  });

  it('keep 0 removes everything not in use', () => {
    expect(planImageGc([{ built: ['a:2', 'a:1'], inUse: ['a:2'] }], 0)).toEqual(['a:1']);
  });
});
