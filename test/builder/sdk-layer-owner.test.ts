import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { cacheMountIds, packageCacheIdsFor, sdkLayerCacheIdFor } from '../../templates/index.js';
import { HOST_CA, TEST_LABEL, TEST_LABEL_VALUE, TestResources, planFor } from './docker-helpers.js';

// Issue 16 (s27, s30). The SDK layer (the SDK from the index at its date, and its import) sees no
// file of the Space. Where nothing of the Space comes before it, it is the install's: built from the
// install's own uv cache (`sdkLayerCacheIdFor`), which no step that sees anything of a Space mounts,
// so a new owner's first Space takes it from BuildKit's cache (the bench's "new owner" deploy). The
// owner's cache scope (`ARG SPACEPORT_CACHE_SCOPE`, a digest of the owner's cache ids) comes right
// after it: every step that mounts an owner's cache, which that owner's own code (an sdist's
// setup.py) can write, stays the owner's. BuildKit 0.13+ (Docker 26+) leaves a cache mount's id out
// of a RUN's cache key (moby/buildkit #4585), so the scope lines are what keep keys apart here: the
// install's SDK layer has one too, so another install on the same engine builds its own.
// Real engine, real PyPI.
const docker = new Docker();
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const BUILD_TIMEOUT = 20 * 60_000;
const README = '---\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n';
const app = (text: string) => `import gradio as gr\n\nwith gr.Blocks() as demo:\n    gr.Markdown(${JSON.stringify(text)})\n\ndemo.launch()\n`;
const SDK_STEP = /^#(\d+) \[[^\]]*\] RUN --mount=type=cache[^\n]*\{ uv pip install [^\n]*'gradio==5\.50\.0' 'spaces' \|\|/m;
/** The step after the SDK layer that installs the SDK (and requirements.txt) again with the owner's cache. */
const OWNER_STEP = /^#(\d+) \[[^\]]*\] RUN --mount=type=cache[^\n]*uv pip install [^\n]*--upgrade [^\n]*'gradio==5\.50\.0' 'spaces' \|\| \{/m;

/** Whether the build log shows the step `re` matches as taken from BuildKit's cache. */
function stepCached(log: string, re: RegExp): boolean {
  const step = re.exec(log);
  if (!step) throw new Error(`no step ${re} in the build log:\n${log.slice(-4000)}`);
  return new RegExp(`^#${step[1]} CACHED$`, 'm').test(log);
}

describe("the SDK layer is the install's, for every owner; every step that mounts an owner's cache stays that owner's (real engine)", () => {
  const res = new TestResources(docker);
  const key = randomBytes(32);
  const otherInstall = randomBytes(32);
  // One commit date for every Space: the same cutoff.
  const changed = new Date();

  beforeAll(async () => {
    await docker.ping();
    await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  });
  afterAll(() => res.cleanup());

  /** Build a Space of `owner` in the install with `installKey`. */
  async function build(what: string, files: Record<string, string>, owner: string, installKey = key): Promise<{ log: string; dockerfile: string }> {
    const dir = await res.repo({ 'README.md': README, ...files });
    const ids = packageCacheIdsFor(installKey, `${owner}-${res.run}`);
    const plan = await planFor(dir, README, {
      pythonInstaller: 'uv',
      pipCacheId: ids.pip,
      uvCacheId: ids.uv,
      sdkLayerCacheId: sdkLayerCacheIdFor(installKey),
      dependenciesChangedAt: changed,
      now: changed,
    });
    const image = res.imageName(`sdk-owner-${what}`);
    res.images.push(image);
    const log = new MemoryLogSink();
    await builder.build(
      { space: `owner/${what}` as SpaceId, image, contextDir: dir, dockerfile: plan.dockerfile!, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs, labels: { [TEST_LABEL]: TEST_LABEL_VALUE } },
      log,
      AbortSignal.timeout(BUILD_TIMEOUT),
    );
    const text = log.lines.join('');
    if (process.env.SPACEPORT_TEST_PRINT_LOG) process.stderr.write(text);
    return { log: text, dockerfile: plan.dockerfile! };
  }

  it(
    "a new owner's first Space takes the install's SDK layer as CACHED and builds its own owner steps; another install's Space builds its own SDK layer",
    async () => {
      const first = await build('alice-1', { 'app.py': app(`first ${res.run}`) }, 'alice');
      expect(stepCached(first.log, SDK_STEP)).toBe(false);
      expect(first.log).toContain('+ gradio==5.50.0');
      // The SDK layer mounts the install's cache and no owner's; the owner's cache is mounted after it.
      const sdkLine = first.dockerfile.split('\n').find((l) => l.includes('{ uv pip install') && !l.includes('--upgrade'))!;
      expect(cacheMountIds(sdkLine)).toEqual([sdkLayerCacheIdFor(key)]);

      const second = await build('alice-2', { 'app.py': app(`second ${res.run}`), 'requirements.txt': 'six==1.16.0\n' }, 'alice');
      expect(stepCached(second.log, SDK_STEP)).toBe(true);
      expect(second.log).toContain('+ six==1.16.0');

      // Another owner of the same install: the SDK layer is the install's (CACHED); the step with
      // bob's cache mounted is bob's own, though alice built one of the same text.
      const bob = await build('bob-1', { 'app.py': app(`first ${res.run}`) }, 'bob');
      expect(stepCached(bob.log, SDK_STEP)).toBe(true);
      expect(stepCached(bob.log, OWNER_STEP)).toBe(false);
      expect(stepCached(first.log, OWNER_STEP)).toBe(false);

      // Another install on the same engine, same owner name, same files: its own SDK layer.
      const other = await build('alice-other-install', { 'app.py': app(`first ${res.run}`) }, 'alice', otherInstall);
      expect(stepCached(other.log, SDK_STEP)).toBe(false);
      expect(other.log).toContain('+ gradio==5.50.0');
    },
    4 * BUILD_TIMEOUT,
  );
});
