import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { CA_BUNDLE_FILE_NAME, parseSpaceConfig, planBuild, type BuildPlan, type PlanBuildInput } from '../../builder/index.js';
import { DEFAULT_BASE_IMAGES } from '../../builder/index.js';

export const TEST_LABEL = 'spaceport.test';
export const TEST_LABEL_VALUE = 'builder-docker';
export const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/** Docker objects and temp dirs one test created, removed in `cleanup()` even when the test failed. */
export class TestResources {
  readonly docker: Docker;
  readonly containers: string[] = [];
  readonly images: string[] = [];
  readonly dirs: string[] = [];
  readonly run = randomBytes(4).toString('hex');

  constructor(docker: Docker) {
    this.docker = docker;
  }

  imageName(what: string): string {
    return `spaceport-test/builder-${what}:${this.run}`;
  }

  /** A temp dir holding `files` (path → content). */
  async repo(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'spaceport-builder-test-'));
    this.dirs.push(dir);
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), text);
    }
    return dir;
  }

  /** A fresh copy of a repo dir (new inode times, as a new export of the same tree would have). */
  async copy(dir: string): Promise<string> {
    const to = await mkdtemp(path.join(tmpdir(), 'spaceport-builder-test-'));
    this.dirs.push(to);
    await cp(dir, to, { recursive: true });
    return to;
  }

  /** Start an image as the runtime would (uid 1000, init, 127.0.0.1 ephemeral port) and return its base URL. */
  async start(image: string, port: number): Promise<{ url: string; id: string }> {
    const name = `spaceport-test-builder-${this.run}-${this.containers.length}`;
    const container = await this.docker.createContainer({
      name,
      Image: image,
      User: '1000',
      Labels: { [TEST_LABEL]: TEST_LABEL_VALUE },
      ExposedPorts: { [`${port}/tcp`]: {} },
      HostConfig: { Init: true, PortBindings: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    this.containers.push(container.id);
    await container.start();
    const info = await container.inspect();
    const hostPort = info.NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort;
    if (!hostPort) throw new Error(`no host port for ${port}`);
    return { url: `http://127.0.0.1:${hostPort}`, id: container.id };
  }

  /** Run `argv` in a new container of `image` (uid 1000, labelled, removed after): its exit code and output. */
  async runIn(image: string, argv: string[], env: string[] = []): Promise<{ code: number; out: string }> {
    const container = await this.docker.createContainer({ Image: image, Cmd: argv, Env: env, User: '1000', Tty: true, Labels: { [TEST_LABEL]: TEST_LABEL_VALUE } });
    this.containers.push(container.id);
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const out = (await container.logs({ stdout: true, stderr: true })).toString('utf8').replace(/\r/g, '');
    return { code: StatusCode, out };
  }

  async cleanup(): Promise<void> {
    for (const id of this.containers.splice(0)) {
      await this.docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    }
    // BuildKit keeps its layer cache apart from images, so later runs stay fast after this.
    for (const image of this.images.splice(0)) {
      await this.docker.getImage(image).remove().catch(() => undefined);
    }
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

/** GET until the app answers (any status below 500), or fail after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (res.status < 500) return res;
      last = new Error(`status ${res.status}`);
      await res.arrayBuffer();
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String((last as Error)?.message ?? last)}`);
}

/** parseSpaceConfig + planBuild for a test repo dir, as the controller does. */
export async function planFor(
  dir: string,
  readme: string,
  extra: Partial<Pick<PlanBuildInput, 'pythonInstaller' | 'pipCacheId' | 'uvCacheId' | 'sdkLayerCacheId' | 'dependenciesChangedAt' | 'now' | 'sdkRelease'>> = {},
): Promise<Extract<BuildPlan, { kind: 'ok' }>> {
  const parsed = parseSpaceConfig(readme);
  if (!parsed.ok) throw new Error(parsed.message);
  const files = ((await readdir(dir, { recursive: true })) as string[]).map((f) => f.split(path.sep).join('/'));
  const plan = planBuild({
    config: parsed.config,
    files,
    pythonImages: { '3.11': DEFAULT_BASE_IMAGES.python },
    defaultPython: '3.11',
    nodeImage: DEFAULT_BASE_IMAGES.node,
    caBundleFileName: CA_BUNDLE_FILE_NAME,
    variables: { GREETING: 'hello from a variable' },
    requirementsTxt: files.includes('requirements.txt') ? await readFile(path.join(dir, 'requirements.txt'), 'utf8') : undefined,
    ...extra,
  });
  if (plan.kind !== 'ok') throw new Error(`${plan.kind}: ${plan.message}`);
  return plan;
}
