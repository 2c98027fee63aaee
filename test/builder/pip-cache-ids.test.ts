import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { pipCacheIdFor } from '../../templates/index.js';
import { TestResources } from './docker-helpers.js';

/**
 * Issue 15: our templates' pip cache ids must stay secret, since any Dockerfile on the engine can
 * mount a cache by id. BuildKit prints each step with its mount options, so the build log (which
 * readers of a Space see) must not carry them.
 */
describe('the pip cache id of a templated build (real engine, BuildKit)', () => {
  const docker = new Docker();
  const res = new TestResources(docker);
  const builder = new DockerImageBuilder({ docker, logger: silentLogger() });

  beforeAll(async () => {
    await ensureBaseImages(docker, DEFAULT_BASE_IMAGES, silentLogger());
  });
  afterEach(() => res.cleanup());

  it('is masked in the build log', async () => {
    const id = pipCacheIdFor(randomBytes(32), `test-${res.run}`);
    const dir = await res.repo({ 'app.py': 'print(1)\n' });
    const image = res.imageName('pip-cache-id');
    res.images.push(image);
    const log = new MemoryLogSink();
    const dockerfile = `FROM ${DEFAULT_BASE_IMAGES.python}\nRUN --mount=type=cache,id=${id},target=/root/.cache/pip echo cached-${res.run}\n`;
    await builder.build({ space: 'tester/cache' as SpaceId, image, contextDir: dir, dockerfile }, log, new AbortController().signal);
    const text = log.lines.join('');
    expect(text).toContain(`echo cached-${res.run}`);
    expect(text).not.toContain(id);
  }, 300_000);
});
