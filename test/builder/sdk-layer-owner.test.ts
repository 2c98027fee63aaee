import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { packageCacheIdsFor, type PackageCacheIds } from '../../templates/index.js';
import { HOST_CA, TEST_LABEL, TEST_LABEL_VALUE, TestResources, planFor } from './docker-helpers.js';

// Issue 16, Done means 1 (s27): a second Space of the same owner, with the same SDK, version and
// cutoff day, takes the first Space's SDK layer from BuildKit's cache (the bench's "warm" deploy),
// and a Space of another owner never does: that layer was built from the first owner's uv cache,
// which the first owner's own code (an sdist's setup.py) can write.
//
// BuildKit 0.13+ (Docker 26+) leaves a cache mount's id out of a RUN's cache key (moby/buildkit
// #4585), so there the owner's cache id alone kept nothing apart: the templates declare
// `ARG SPACEPORT_CACHE_SCOPE` (a digest of the owner's cache ids) before the first step that mounts
// them. This engine may still key on the ids, so the other owner's build here names the FIRST
// owner's mount ids with its own scope line: its key differs only by the scope, as every owner's
// does on an engine that ignores the ids. Real engine, real PyPI.
const docker = new Docker();
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const BUILD_TIMEOUT = 20 * 60_000;
const README = '---\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n';
const app = (text: string) => `import gradio as gr\n\nwith gr.Blocks() as demo:\n    gr.Markdown(${JSON.stringify(text)})\n\ndemo.launch()\n`;
const SDK_STEP = /^#(\d+) \[[^\]]*\] RUN --mount=type=cache[^\n]*\{ uv pip install [^\n]*'gradio==5\.50\.0' 'spaces' \|\|/m;

/** Whether the build log shows the SDK layer's step as taken from BuildKit's cache. */
function sdkStepCached(log: string): boolean {
  const step = SDK_STEP.exec(log);
  if (!step) throw new Error(`no SDK layer step in the build log:\n${log.slice(-4000)}`);
  return new RegExp(`^#${step[1]} CACHED$`, 'm').test(log);
}

describe('the SDK layer is shared by the Spaces of one owner, never across owners (real engine)', () => {
  const res = new TestResources(docker);
  const key = randomBytes(32);
  const alice = packageCacheIdsFor(key, `alice-${res.run}`);
  const bob = packageCacheIdsFor(key, `bob-${res.run}`);
  // One commit date for every Space: the same cutoff (day).
  const changed = new Date();

  beforeAll(async () => {
    await docker.ping();
    await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  });
  afterAll(() => res.cleanup());

  /** Build a Space of the owner with `ids`; `mountIds`: the cache ids its mounts name (default `ids`). */
  async function build(what: string, files: Record<string, string>, ids: PackageCacheIds, mountIds = ids): Promise<string> {
    const dir = await res.repo({ 'README.md': README, ...files });
    const plan = await planFor(dir, README, { pythonInstaller: 'uv', pipCacheId: ids.pip, uvCacheId: ids.uv, dependenciesChangedAt: changed, now: changed });
    const dockerfile = plan.dockerfile!.replaceAll(ids.uv, mountIds.uv).replaceAll(ids.pip, mountIds.pip);
    const image = res.imageName(`sdk-owner-${what}`);
    res.images.push(image);
    const log = new MemoryLogSink();
    await builder.build(
      { space: `owner/${what}` as SpaceId, image, contextDir: dir, dockerfile, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs, labels: { [TEST_LABEL]: TEST_LABEL_VALUE } },
      log,
      AbortSignal.timeout(BUILD_TIMEOUT),
    );
    const text = log.lines.join('');
    if (process.env.SPACEPORT_TEST_PRINT_LOG) process.stderr.write(text);
    return text;
  }

  it(
    "a second Space of one owner takes the SDK layer as CACHED; another owner's Space (even naming the same cache ids) builds its own",
    async () => {
      const first = await build('alice-1', { 'app.py': app(`first ${res.run}`) }, alice);
      expect(sdkStepCached(first)).toBe(false);
      expect(first).toContain('+ gradio==5.50.0');

      const second = await build('alice-2', { 'app.py': app(`second ${res.run}`), 'requirements.txt': 'six==1.16.0\n' }, alice);
      expect(sdkStepCached(second)).toBe(true);
      expect(second).toContain('+ six==1.16.0');

      const other = await build('bob-1', { 'app.py': app(`first ${res.run}`) }, bob, alice);
      expect(sdkStepCached(other)).toBe(false);
      expect(other).toContain('+ gradio==5.50.0');
    },
    3 * BUILD_TIMEOUT,
  );
});
