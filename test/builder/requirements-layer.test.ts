import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { SDK_LAYER_NOTICE, packageCacheIdsFor } from '../../templates/index.js';
import { HOST_CA, TEST_LABEL, TEST_LABEL_VALUE, TestResources, planFor } from './docker-helpers.js';

// Issue 16 item 3: a changed requirements.txt reinstalls only what changed. The SDK (and `spaces`)
// sit in a layer of their own that a requirements change leaves a BuildKit hit; the requirements
// step resolves SDK, spaces and requirements.txt together (`--upgrade`), so the venv holds what one
// `uv pip install` of all of them gives (plus the venv's own seed), even when requirements.txt moves
// a package the SDK layer installed; its
// layer holds only the packages that changed. Real engine, real PyPI.
const docker = new Docker();
const SPACE = 'tester/requirements-layer' as SpaceId;
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const BUILD_TIMEOUT = 20 * 60_000;
const README = '---\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n';
const APP = 'import gradio as gr\n\ngr.Interface(fn=lambda s: s, inputs="text", outputs="text").launch()\n';
/** Installed in the first build by the SDK layer (gradio's dependency), moved to an older release by the second's requirements.txt. */
const MOVED = 'huggingface-hub==0.34.4';
const STEP_OUTPUT = (log: string, step: string) => log.split('\n').filter((l) => l.startsWith(`#${step} `)).join('\n');

describe('a changed requirements.txt reinstalls only what changed (real engine)', () => {
  const res = new TestResources(docker);
  const ids = packageCacheIdsFor(randomBytes(32), `reqlayer-test-${res.run}`);
  const installer = { pythonInstaller: 'uv' as const, pipCacheId: ids.pip, uvCacheId: ids.uv };

  beforeAll(async () => {
    await docker.ping();
    await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  });
  afterAll(() => res.cleanup());

  // The commits' dates (the resolution cutoffs): the second a minute after the first, the same day.
  const day = new Date().toISOString().slice(0, 10);
  async function build(what: string, requirements: string, minute: number): Promise<{ image: string; log: string; cutoff: string }> {
    const dir = await res.repo({ 'README.md': README, 'requirements.txt': requirements, 'app.py': APP });
    const changed = new Date(`${day}T00:0${minute}:00Z`);
    const plan = await planFor(dir, README, { ...installer, dependenciesChangedAt: changed, now: new Date() });
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
    return { image, log: text, cutoff: plan.packageCutoff! };
  }

  it(
    'keeps the SDK layer, installs only the new and moved packages, and ends with the set one uv install of everything resolves',
    async () => {
      const first = await build('first', 'six==1.16.0\n', 1);
      // (The notice is in the RUN line BuildKit prints; as output, `#N Spaceport: …`, it never comes.)
      expect(first.log).not.toMatch(new RegExp(`^#\\d+ ${SDK_LAYER_NOTICE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
      const requirements = `six==1.16.0\n${MOVED}\ntomli-w==1.0.0\n`;
      const second = await build('second', requirements, 2);
      expect(second.cutoff).not.toBe(first.cutoff);

      // The SDK layer's step is a BuildKit hit in the second build.
      const sdkStep = /^#(\d+) \[[^\]]*\] RUN --mount=type=cache[^\n]*\{ uv pip install [^\n]*'gradio==5\.50\.0' 'spaces' \|\|/m.exec(second.log);
      expect(sdkStep, 'the SDK layer step in the build log').not.toBeNull();
      expect(second.log).toMatch(new RegExp(`^#${sdkStep![1]} CACHED$`, 'm'));

      // The requirements step changes three packages, not gradio's sixty.
      const reqStep = /^#(\d+) \[[^\]]*\] RUN [^\n]*--upgrade [^\n]*-r \/tmp\/spaceport\/requirements\.txt/m.exec(second.log);
      expect(reqStep).not.toBeNull();
      const out = STEP_OUTPUT(second.log, reqStep![1]!);
      expect(out).toMatch(/Installed [1-3] packages? in/);
      expect(out).toContain(`+ ${MOVED}`);
      expect(out).toContain('+ tomli-w==1.0.0');
      expect(out).not.toContain('+ gradio==');

      // Its layer holds only those packages (the SDK layer holds gradio's hundreds of MB).
      const history = await docker.getImage(second.image).history() as Array<{ CreatedBy: string; Size: number }>;
      const sizeOf = (re: RegExp) => history.find((h) => re.test(h.CreatedBy))?.Size ?? -1;
      const sdkLayer = sizeOf(/\{ uv pip install .*'gradio==5\.50\.0' 'spaces' \|\|/);
      const reqLayer = sizeOf(/--upgrade .*-r \/tmp\/spaceport\/requirements\.txt/);
      if (process.env.SPACEPORT_TEST_PRINT_LOG) process.stderr.write(`layers: SDK ${sdkLayer} B, requirements ${reqLayer} B\n`);
      expect(sdkLayer).toBeGreaterThan(100_000_000);
      expect(reqLayer).toBeGreaterThan(0);
      expect(reqLayer).toBeLessThan(sdkLayer / 10);

      // The venv is what one resolution of SDK, spaces and requirements.txt together gives.
      const freeze = await res.runIn(second.image, ['/home/user/.venv/bin/python', '-m', 'pip', 'list', '--format=freeze']);
      expect(freeze.code, freeze.out).toBe(0);
      const compile = await res.runIn(
        second.image,
        ['sh', '-c', `printf '%s\\n' 'gradio==5.50.0' spaces ${requirements.trim().split('\n').map((l) => `'${l}'`).join(' ')} | uv pip compile --index-strategy unsafe-best-match --exclude-newer '${second.cutoff}' --no-header --no-annotate -`],
        ['UV_CACHE_DIR=/tmp/uv-cache'],
      );
      expect(compile.code, compile.out).toBe(0);
      // PEP 503 names (pip prints `typing_extensions`, uv `typing-extensions`), pip itself left out.
      const set = (text: string) =>
        text
          .split('\n')
          .map((l) => l.trim().toLowerCase())
          .filter((l) => /^[a-z0-9][^=\s]*==\S+$/.test(l) && !l.startsWith('pip=='))
          .map((l) => l.replace(/^[^=]+/, (name) => name.replace(/[-_.]+/g, '-')))
          .sort();
      // Exactly the one-run set, plus what `python3 -m venv` seeds (Python 3.11's setuptools; pip is left out above).
      const installed = set(freeze.out);
      const oneRun = set(compile.out);
      expect(oneRun.filter((p) => !installed.includes(p))).toEqual([]);
      const extras = installed.filter((p) => !oneRun.includes(p));
      if (process.env.SPACEPORT_TEST_PRINT_LOG) process.stderr.write(`extras beyond the one-run set: ${extras.join(' ')}\n`);
      expect(extras.map((p) => p.split('==')[0]).filter((n) => n !== 'setuptools')).toEqual([]);
      expect(installed).toContain(MOVED);
    },
    2 * BUILD_TIMEOUT,
  );
});
