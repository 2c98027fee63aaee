import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheMountIds, packageCacheIdsFor, pipCacheIdFor, renderTemplate, sdkLayerCacheIdFor } from './index.js';

/** Issue 15: a docker Space's Dockerfile could mount any Space's pip cache by its public id. */
describe('package cache ids: secret per install and per owner', () => {
  const key = randomBytes(32);
  const uid = 'alice';

  it('are an HMAC of the owner under the install key: stable, per owner, per install, never the owner', () => {
    const id = pipCacheIdFor(key, uid);
    expect(id).toMatch(/^spaceport-pip-[0-9a-f]{32}$/);
    expect(pipCacheIdFor(key, uid)).toBe(id);
    expect(pipCacheIdFor(key, `${uid}x`)).not.toBe(id);
    expect(pipCacheIdFor(randomBytes(32), uid)).not.toBe(id);
    expect(id).not.toContain(uid);
    expect(id).not.toContain(uid.replace(/-/g, ''));
  });

  it('give uv and pip different ids, both secret', () => {
    const ids = packageCacheIdsFor(key, uid);
    expect(ids.pip).toBe(pipCacheIdFor(key, uid));
    expect(ids.uv).toMatch(/^spaceport-uv-[0-9a-f]{32}$/);
    expect(ids.uv.slice(-32)).not.toBe(ids.pip.slice(-32));
    expect(packageCacheIdsFor(key, 'bob').uv).not.toBe(ids.uv);
  });

  it("give the install's SDK layers one secret uv id, the same for every owner, apart from every owner's", () => {
    const id = sdkLayerCacheIdFor(key);
    expect(id).toMatch(/^spaceport-uv-[0-9a-f]{32}$/);
    expect(sdkLayerCacheIdFor(key)).toBe(id);
    expect(sdkLayerCacheIdFor(randomBytes(32))).not.toBe(id);
    for (const owner of [uid, 'bob', '', 'sdk-layers']) expect(Object.values(packageCacheIdsFor(key, owner))).not.toContain(id);
    expect(() => sdkLayerCacheIdFor(Buffer.alloc(8))).toThrow(RangeError);
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
