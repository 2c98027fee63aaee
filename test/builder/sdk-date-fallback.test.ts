import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { UV_FALLBACK_NOTICE, cutoffFallbackNotice, packageCacheIdsFor } from '../../templates/index.js';
import { HOST_CA, TEST_LABEL, TEST_LABEL_VALUE, TestResources, planFor, waitForHttp } from './docker-helpers.js';

// Issue 19: a Space pinning an old SDK resolves its packages as of the SDK release plus a window.
// When requirements.txt cannot be installed as of then (here it pins six 1.17.0, uploaded on
// 2024-12-04, after gradio 4.44.1's date plus 30 days), the install is tried once more as of the
// commit date, keeping the SDK layer's packages of the SDK's date where they fit, and the build log
// says which cutoff was used and why. Real engine, real PyPI.
const docker = new Docker();
const SPACE = 'tester/sdk-date-fallback' as SpaceId;
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const BUILD_TIMEOUT = 20 * 60_000;
const README = '---\nsdk: gradio\nsdk_version: 4.44.1\napp_file: app.py\n---\n';
const APP = 'import gradio as gr\nimport six\n\ngr.Interface(fn=lambda s: f"six {six.__version__}: {s}", inputs="text", outputs="text").launch()\n';
/** gradio 4.44.1's upload time on PyPI (the SdkReleaseDates lookup gives it; fixed here). */
const GRADIO_4441_UPLOADED = new Date('2024-09-30T20:12:13Z');
const SDK_DATE = '2024-10-30T20:12:13+00:00';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('an old SDK pin whose requirements cannot resolve at its date (real engine)', () => {
  const res = new TestResources(docker);
  const ids = packageCacheIdsFor(randomBytes(32), `sdkfallback-test-${res.run}`);

  beforeAll(async () => {
    await docker.ping();
    await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  });
  afterAll(() => res.cleanup());

  it(
    'installs as of the SDK date first, then as of the commit date after a line saying why, and the app runs',
    async () => {
      const dir = await res.repo({ 'README.md': README, 'requirements.txt': 'six==1.17.0\n', 'app.py': APP });
      const now = new Date();
      const plan = await planFor(dir, README, {
        pythonInstaller: 'uv',
        pipCacheId: ids.pip,
        uvCacheId: ids.uv,
        dependenciesChangedAt: now,
        now,
        sdkRelease: { name: 'gradio', version: '4.44.1', uploadedAt: GRADIO_4441_UPLOADED },
      });
      expect(plan.packageCutoff).toBe(SDK_DATE);
      const commit = plan.templateInput.fallbackCutoff!;
      expect(Date.parse(commit)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
      expect(plan.notices.at(-1)).toContain(`if they cannot be installed as of then, as of ${commit}`);

      const image = res.imageName('sdk-date-fallback');
      res.images.push(image);
      const sink = new MemoryLogSink();
      await builder.build(
        { space: SPACE, image, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs, labels: { [TEST_LABEL]: TEST_LABEL_VALUE } },
        sink,
        AbortSignal.timeout(BUILD_TIMEOUT),
      );
      const log = sink.lines.join('');
      if (process.env.SPACEPORT_TEST_PRINT_LOG) process.stderr.write(log);

      // uv's reason (no six 1.17.0 as of the SDK date), then our line, then the install as of the commit date.
      const uvError = log.search(/^#\d+ .*six==1\.17\.0.*/m);
      const notice = log.search(new RegExp(`^#\\d+ ${escape(cutoffFallbackNotice(SDK_DATE, commit))}$`, 'm'));
      expect(uvError).toBeGreaterThanOrEqual(0);
      expect(notice).toBeGreaterThan(uvError);
      const after = log.slice(notice);
      expect(after).toContain('+ six==1.17.0');
      // The SDK layer's packages of the SDK's date stay: gradio and huggingface_hub are not reinstalled.
      expect(after).not.toMatch(/^#\d+ [+-] (gradio|huggingface-hub)==/m);
      expect(after).toContain('Spaceport: installed Python');
      expect(log).not.toMatch(new RegExp(`^#\\d+ ${escape(UV_FALLBACK_NOTICE)}`, 'm'));

      const { url } = await res.start(image, plan.port);
      const config = await waitForHttp(`${url}/config`, 180_000);
      expect(config.status).toBe(200);
      expect(((await config.json()) as { version: string }).version).toBe('4.44.1');
    },
    BUILD_TIMEOUT,
  );
});
