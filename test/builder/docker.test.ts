import { createHash } from 'node:crypto';
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BuildError, MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages, imageExists } from '../../builder/index.js';
import { HOST_CA, TEST_LABEL, TEST_LABEL_VALUE, TestResources, planFor, waitForHttp } from './docker-helpers.js';

const docker = new Docker();
const SPACE = 'tester/demo' as SpaceId;
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const classic = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA, engine: 'classic' });
const never = () => new AbortController().signal;
const SECRET = 'hf_supersecret';
const SECRET_SHA = createHash('sha256').update(SECRET).digest('hex');

describe('DockerImageBuilder with a real Docker engine', () => {
  const res = new TestResources(docker);

  beforeAll(async () => {
    await docker.ping();
    // First run: debootstrap + docker import (python ~1.5 min, node ~4 min); later runs find the images.
    const outcomes = await ensureBaseImages(docker, DEFAULT_BASE_IMAGES, silentLogger());
    expect(outcomes.map((o) => o.image)).toEqual([DEFAULT_BASE_IMAGES.python, DEFAULT_BASE_IMAGES.node]);
    expect(await imageExists(docker, DEFAULT_BASE_IMAGES.python)).toBe(true);
    expect(await imageExists(docker, DEFAULT_BASE_IMAGES.node)).toBe(true);
  });

  afterEach(async () => {
    await res.cleanup();
  });

  it('builds a static Space that serves its page as uid 1000, without .git or our files', async () => {
    const readme = '---\ntitle: Static test\nsdk: static\n---\n';
    const dir = await res.repo({ 'README.md': readme, 'index.html': '<h1>Hello from Spaceport</h1>', 'css/site.css': 'h1{}', '.git/HEAD': 'x', '.env': 'X=1' });
    const plan = await planFor(dir, readme);
    const image = res.imageName('static');
    res.images.push(image);
    const log = new MemoryLogSink();
    await expect(
      builder.build(
        { space: SPACE, image, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs, labels: { [TEST_LABEL]: TEST_LABEL_VALUE, 'spaceport.commit': 'abc' } },
        log,
        never(),
      ),
    ).resolves.toBe(image);
    // BuildKit names the step `[stage-0 1/N]` when another build on the engine shares that FROM.
    expect(log.lines.join('')).toMatch(/^#\d+ \[(stage-\d+ )?1\/\d+\] FROM docker\.io\/spaceport\/python:3\.11$/m);
    expect(await builder.exists(image)).toBe(true);
    const info = await docker.getImage(image).inspect();
    expect(info.Config.Labels).toMatchObject({ 'spaceport.commit': 'abc', 'spaceport.sdk': 'static' });

    const { url, id } = await res.start(image, plan.port);
    const page = await waitForHttp(`${url}/`, 20_000);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<h1>Hello from Spaceport</h1>');
    expect((await fetch(`${url}/css/site.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${url}/.env`)).status).toBe(404);

    const exec = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', 'id -u; ls -A /home/user/app'], AttachStdout: true, AttachStderr: true });
    const out = await execOutput(exec);
    expect(out).toMatch(/^1000\n/);
    expect(out).not.toMatch(/\.git\b|\.spaceport|Dockerfile/);
    expect(out).toMatch(/index\.html/);
  });

  it('reuses the layer cache when the same tree is built again from a fresh export', async () => {
    const readme = '---\nsdk: static\n---\n';
    const dir = await res.repo({ 'README.md': readme, 'index.html': `<p>${res.run}</p>` });
    const plan = await planFor(dir, readme);
    const first = res.imageName('cache-a');
    const second = res.imageName('cache-b');
    res.images.push(first, second);
    const req = { space: SPACE, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs };
    await builder.build({ ...req, image: first }, new MemoryLogSink(), never());
    const again = new MemoryLogSink();
    await builder.build({ ...req, image: second, contextDir: await res.copy(dir) }, again, never());
    const text = again.lines.join('');
    expect(text).toMatch(/^#\d+ \[\d+\/\d+\] COPY --chown=1000:1000 app\/ \/home\/user\/app\/\n#\d+ CACHED$/m);
    // Every Dockerfile step but FROM came from the cache.
    expect(text).not.toMatch(/^#(\d+) \[\d+\/\d+\] (?!FROM ).*\n#\1 DONE/m);
    const [a, b] = await Promise.all([docker.getImage(first).inspect(), docker.getImage(second).inspect()]);
    expect(b.Id).toBe(a.Id);
  });

  it.each([
    ['BuildKit', builder, '[3/4] RUN echo "it went wrong here" && exit 3', 'exit code: 3'],
    ['the classic builder', classic, 'Step 3/4 : RUN echo "it went wrong here" && exit 3', 'returned a non-zero code: 3'],
  ] as const)('rejects a failing Dockerfile with BuildError naming the step and the log tail (%s)', async (_name, b, step, reason) => {
    const dir = await res.repo({
      'README.md': '---\nsdk: docker\n---\n',
      Dockerfile: `FROM ${DEFAULT_BASE_IMAGES.python}\nRUN echo preparing\nRUN echo "it went wrong here" && exit 3\nRUN echo never\n`,
    });
    const image = res.imageName('fail');
    res.images.push(image);
    const log = new MemoryLogSink();
    const err = await b.build({ space: SPACE, image, contextDir: dir, noCache: true }, log, never()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    const be = err as BuildError;
    expect(be.code).toBe('BuildFailed');
    expect(be.step).toBe(step);
    expect(be.message).toContain(reason);
    expect(be.message).toContain(step);
    expect(be.logTail).toContain('it went wrong here');
    expect(be.logTail.split('\n').length).toBeLessThanOrEqual(31);
    expect(log.lines.join('')).not.toMatch(/^(#\d+ )?never$/m);
    expect(await b.exists(image)).toBe(false);
    // The classic builder keeps the images of the steps that succeeded: remove them (newest first).
    const steps = log.lines.map((l) => / ---> ([0-9a-f]{12})\n$/.exec(l)?.[1]).filter((id): id is string => id !== undefined);
    res.images.push(...steps.slice(1).reverse());
  });

  it('builds a docker Space from its own Dockerfile with variables as build args, and serves on app_port', async () => {
    const readme = '---\nsdk: docker\napp_port: 5000\n---\n';
    const dir = await res.repo({
      'README.md': readme,
      Dockerfile: [
        `FROM ${DEFAULT_BASE_IMAGES.python}`,
        'ARG GREETING',
        'RUN useradd -m -u 1000 user',
        'USER user',
        'WORKDIR /home/user/app',
        'COPY --chown=user . .',
        'RUN echo "$GREETING" > greeting.txt',
        // The Dockerfile must not hold the secret itself: compare its hash.
        `RUN --mount=type=secret,id=HF_TOKEN,mode=0444,required=true test "$(sha256sum < /run/secrets/HF_TOKEN | cut -c1-64)" = ${SECRET_SHA} && echo secret-was-readable`,
        'CMD ["python3", "-m", "http.server", "5000"]',
      ].join('\n'),
    });
    const plan = await planFor(dir, readme);
    expect(plan.dockerfile).toBeUndefined();
    expect(plan.port).toBe(5000);
    const image = res.imageName('docker');
    res.images.push(image);
    const log = new MemoryLogSink();
    // noCache: BuildKit caches a RUN with a secret mount by its command, so a rerun would not read the secret.
    await builder.build({ space: SPACE, image, contextDir: dir, buildArgs: plan.buildArgs, secrets: { HF_TOKEN: SECRET }, noCache: true }, log, never());
    expect(log.lines.join('')).toMatch(/^#\d+ secret-was-readable$/m);
    expect(log.lines.join('')).not.toContain(SECRET);
    const { url } = await res.start(image, plan.port);
    expect(await (await waitForHttp(`${url}/greeting.txt`, 20_000)).text()).toBe('hello from a variable\n');
    const history = JSON.stringify(await docker.getImage(image).history());
    expect(history).not.toContain(SECRET);
    expect(JSON.stringify(await docker.getImage(image).inspect())).not.toContain(SECRET);
  });

  it('fails a build whose required secret is not set, without leaking other secrets', async () => {
    const dir = await res.repo({ Dockerfile: `FROM ${DEFAULT_BASE_IMAGES.python}\nRUN --mount=type=secret,id=MISSING,required=true cat /run/secrets/MISSING\n` });
    const image = res.imageName('nosecret');
    res.images.push(image);
    const log = new MemoryLogSink();
    const err = await builder.build({ space: SPACE, image, contextDir: dir, secrets: { OTHER: SECRET } }, log, never()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toMatch(/secret MISSING not found/);
    expect(log.lines.join('')).not.toContain(SECRET);
  });

  it('tells the user that the classic builder has no build secrets', async () => {
    const dir = await res.repo({ Dockerfile: `FROM ${DEFAULT_BASE_IMAGES.python}\nLABEL t=${res.run}\n` });
    const image = res.imageName('classic');
    res.images.push(image);
    const log = new MemoryLogSink();
    await classic.build({ space: SPACE, image, contextDir: dir, secrets: { HF_TOKEN: SECRET } }, log, never());
    const text = log.lines.join('');
    expect(text).toContain('Note: 1 secret(s) are not available during the build');
    expect(text).toMatch(/^Step 2\/2 : LABEL t=/m);
    expect(text).not.toContain(SECRET);
  });

  it('runs a static app_build_command in the Node stage and serves its output directory', async () => {
    const readme = '---\nsdk: static\napp_file: dist/index.html\napp_build_command: npm run build\n---\n';
    const dir = await res.repo({
      'README.md': readme,
      'package.json': JSON.stringify({ name: 'site', version: '1.0.0', private: true, scripts: { build: 'node build.js' } }),
      'build.js': "const fs = require('fs'); fs.mkdirSync('dist', { recursive: true }); fs.writeFileSync('dist/index.html', '<h1>built by ' + process.version + '</h1>');",
    });
    const plan = await planFor(dir, readme);
    const image = res.imageName('static-build');
    res.images.push(image);
    await builder.build({ space: SPACE, image, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles }, new MemoryLogSink(), never());
    const { url, id } = await res.start(image, plan.port);
    expect(await (await waitForHttp(`${url}/`, 20_000)).text()).toMatch(/^<h1>built by v\d+\.\d+\.\d+<\/h1>$/);
    const out = await execOutput(await docker.getContainer(id).exec({ Cmd: ['ls', '-A', '/home/user/app'], AttachStdout: true, AttachStderr: true }));
    expect(out.trim()).toBe('index.html');
  });

  it('stops when the signal aborts, and leaves no image', async () => {
    const dir = await res.repo({ Dockerfile: `FROM ${DEFAULT_BASE_IMAGES.python}\nRUN echo started-sleeping && sleep 120\n` });
    const image = res.imageName('abort');
    res.images.push(image);
    const ac = new AbortController();
    const log = {
      write(line: string) {
        if (line.includes('started-sleeping')) ac.abort(new Error('Superseded by a newer push.'));
      },
    };
    const err = await builder.build({ space: SPACE, image, contextDir: dir }, log, ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toBe('Superseded by a newer push.');
    expect((err as BuildError).step).toBe('[2/2] RUN echo started-sleeping && sleep 120');
    expect(await builder.exists(image)).toBe(false);
  });

  it('exists() and remove() follow the image; remove() of a missing image is a no-op', async () => {
    const dir = await res.repo({ Dockerfile: `FROM ${DEFAULT_BASE_IMAGES.python}\nLABEL x=${res.run}\n` });
    const image = res.imageName('remove');
    res.images.push(image);
    await builder.build({ space: SPACE, image, contextDir: dir }, new MemoryLogSink(), never());
    expect(await builder.exists(image)).toBe(true);
    await builder.remove(image);
    expect(await builder.exists(image)).toBe(false);
    await expect(builder.remove(image)).resolves.toBeUndefined();
  });
});

async function execOutput(exec: Docker.Exec): Promise<string> {
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const out = { write: (c: Buffer) => chunks.push(c) };
    docker.modem.demuxStream(stream, out as unknown as NodeJS.WritableStream, out as unknown as NodeJS.WritableStream);
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  return Buffer.concat(chunks).toString('utf8');
}
