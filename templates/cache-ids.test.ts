import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheMountIds, pipCacheIdFor, renderTemplate } from './index.js';

/** Issue 15: a docker Space's Dockerfile could mount any Space's pip cache by its public id. */
describe('pip cache ids: secret per install and per Space', () => {
  const key = randomBytes(32);
  const uid = '0195f0a2-6d4e-7c1b-9a3f-1b2c3d4e5f60';

  it('are an HMAC of the Space uid under the install key: stable, per Space, per install, never the uid', () => {
    const id = pipCacheIdFor(key, uid);
    expect(id).toMatch(/^spaceport-pip-[0-9a-f]{32}$/);
    expect(pipCacheIdFor(key, uid)).toBe(id);
    expect(pipCacheIdFor(key, `${uid}x`)).not.toBe(id);
    expect(pipCacheIdFor(randomBytes(32), uid)).not.toBe(id);
    expect(id).not.toContain(uid);
    expect(id).not.toContain(uid.replace(/-/g, ''));
  });

  it('refuse a short key', () => {
    expect(() => pipCacheIdFor(Buffer.alloc(8), uid)).toThrow(RangeError);
  });

  it('reach the rendered Dockerfile, where cacheMountIds finds every one (the builder masks them in logs)', () => {
    const id = pipCacheIdFor(key, uid);
    const r = renderTemplate({
      sdk: 'gradio',
      pythonImage: 'spaceport/python:3.11',
      nodeImage: 'spaceport/node:bookworm',
      appFile: 'app.py',
      files: { requirements: true, preRequirements: true, packagesTxt: false, packageJson: false, packageLock: false },
      sdkVersion: '5.9.1',
      pipCacheId: id,
    });
    expect(r.dockerfile).toContain(`--mount=type=cache,id=${id},`);
    expect(cacheMountIds(r.dockerfile ?? '')).toEqual([id]);
  });

  it('cacheMountIds reads ids wherever they sit among the options, and only cache mounts', () => {
    const df = [
      'RUN --mount=type=cache,target=/a,id=one --mount=type=cache,id=two,target=/b echo',
      'RUN --mount=type=secret,id=TOKEN cat /run/secrets/TOKEN',
      'RUN --mount=type=cache,target=/c echo',
    ].join('\n');
    expect(cacheMountIds(df)).toEqual(['one', 'two']);
  });
});
