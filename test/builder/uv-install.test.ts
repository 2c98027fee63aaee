import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { UV_FALLBACK_NOTICE, packageCacheIdsFor } from '../../templates/index.js';
import { HOST_CA, TEST_LABEL, TEST_LABEL_VALUE, TestResources, planFor, waitForHttp } from './docker-helpers.js';

// Issue 16: uv installs a Python Space's packages (SDK, `spaces` and requirements.txt in one run,
// its cache mounted per owner); when uv refuses what pip accepts, pip installs them instead and the
// build log says why. Real engine, real PyPI.
const docker = new Docker();
const SPACE = 'tester/uv-install' as SpaceId;
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const BUILD_TIMEOUT = 20 * 60_000;
const README = '---\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n';
const APP = 'import gradio as gr\nimport six\n\ngr.Interface(fn=lambda s: f"six {six.__version__}: {s}", inputs="text", outputs="text").launch()\n';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a gradio Space installed with uv (real engine)', () => {
  const res = new TestResources(docker);
  // One owner's caches for this run: fresh ids, so the first build starts from an empty uv cache.
  const ids = packageCacheIdsFor(randomBytes(32), `uv-test-${res.run}`);
  const installer = { pythonInstaller: 'uv' as const, pipCacheId: ids.pip, uvCacheId: ids.uv };

  beforeAll(async () => {
    await docker.ping();
    await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  });
  afterEach(() => res.cleanup());

  async function build(what: string, requirements: string): Promise<{ image: string; port: number; log: string }> {
    const dir = await res.repo({ 'README.md': README, 'requirements.txt': requirements, 'app.py': APP });
    const plan = await planFor(dir, README, installer);
    const image = res.imageName(what);
    res.images.push(image);
    const log = new MemoryLogSink();
    await builder.build(
      { space: SPACE, image, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs, labels: { [TEST_LABEL]: TEST_LABEL_VALUE } },
      log,
      AbortSignal.timeout(BUILD_TIMEOUT),
    );
    const text = log.lines.join('');
    if (process.env.SPACEPORT_TEST_PRINT_LOG) process.stderr.write(text);
    return { image, port: plan.port, log: text };
  }

  it(
    'installs gradio, spaces and requirements.txt with uv in one run, and the app answers',
    async () => {
      const { image, port, log } = await build('uv', 'six==1.16.0\n');
      expect(log).toMatch(/uv pip install --python \/home\/user\/\.venv\/bin\/python .*'gradio==5\.50\.0' 'spaces'/);
      expect(log).toMatch(/Installed \d+ packages/);
      expect(log).toContain('+ six==1.16.0');
      expect(log).toContain('Spaceport: installed Python');
      // The notice is in the RUN line BuildKit prints; as output (`#N Spaceport: …`) it never comes.
      expect(log).not.toMatch(new RegExp(`^#\\d+ ${escape(UV_FALLBACK_NOTICE)}`, 'm'));
      const { url, id } = await res.start(image, port);
      const config = await waitForHttp(`${url}/config`, 120_000);
      expect(config.status).toBe(200);
      expect(((await config.json()) as { version: string }).version).toBe('5.50.0');
      // Issue 19: the build started a Gradio app once, so Gradio's start (launch and the first /config
      // included) compiled nothing: every .pyc it needed was in the image, readable by the app user
      // and current for Python. (`six`, which only this app imports, is compiled at its first start.)
      const changes: { Path: string }[] = (await docker.getContainer(id).changes()) ?? [];
      const compiled = changes.map((c) => c.Path).filter((p) => p.endsWith('.pyc') && !p.endsWith('/six.cpython-311.pyc'));
      expect(compiled).toEqual([]);
    },
    BUILD_TIMEOUT,
  );

  it(
    'falls back to pip when uv refuses requirements.txt (a --config-settings line), and the log says why',
    async () => {
      const { log } = await build('pip-fallback', '--config-settings=spaceport=1\nsix==1.16.0\n');
      // uv's own reason, then ours, then pip's install of the same requirements.
      const uvError = log.search(/^#\d+ error: Unexpected '-', expected '-c', '-e', '-r' or the start of a requirement/m);
      const notice = log.search(new RegExp(`^#\\d+ ${escape(UV_FALLBACK_NOTICE)}`, 'm'));
      expect(uvError).toBeGreaterThanOrEqual(0);
      expect(notice).toBeGreaterThan(uvError);
      expect(log.slice(notice)).toMatch(/Successfully installed .*six-1\.16\.0/);
      expect(log.slice(notice)).toContain('Spaceport: installed Python');
    },
    BUILD_TIMEOUT,
  );
});
