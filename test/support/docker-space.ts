import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { DockerSpaceNetwork, IptablesPacketFilter } from '../../controller/runtime/index.js';
import { git, makeWorkTree, pushUrl } from './git-client.js';
import { request } from './http.js';
import { ADMIN_TOKEN, startHarness, type Harness, type SpaceRuntimeJson } from './spaceport-harness.js';

/** Stages a build or a start ends in (the ones `waitStage` waits for after a push). */
export const SETTLED = ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];

/** A cold gradio/streamlit build pip-installs the SDK from PyPI on 2 shared cores. */
export const COLD_BUILD_MS = 15 * 60_000;

/**
 * One Spaceport on the real Docker engine with one Space of `sdk` and its work tree. Containers
 * carry the unique instance name and images `spaceport/{subdomain}…`, so `close()` removes only
 * what this suite made.
 */
export class DockerSpace {
  readonly instance: string;
  readonly name: string;
  readonly space: string;
  readonly sub: string;
  readonly docker = new Dockerode();
  h!: Harness;
  work!: string;

  constructor(prefix: string) {
    const id = randomBytes(3).toString('hex');
    this.instance = `${prefix}-${id}`;
    this.name = `${prefix}-${id}`;
    this.space = `admin/${this.name}`;
    this.sub = `admin-${this.name}`;
  }

  /** Start Spaceport, create the Space, commit `files` on `main` (not pushed). */
  async start(sdk: string, files: Record<string, string | Buffer>, env: Record<string, string> = {}): Promise<void> {
    this.h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: this.instance, ...env });
    const created = await this.h.api('POST', '/api/repos/create', { name: this.name, type: 'space', sdk });
    if (created.status !== 200) throw new Error(`create ${this.space}: ${created.status} ${created.body}`);
    this.work = await makeWorkTree(files);
  }

  /** `git push` the work tree's `main`; resolves once the build is queued (or known not needed). */
  async push(): Promise<void> {
    const r = await git(['push', '--force', pushUrl(this.h.port, this.space, ADMIN_TOKEN), 'main'], this.work);
    if (r.code !== 0) throw new Error(`git push failed (${r.code}): ${r.stderr}`);
  }

  /** Push, then wait until the Space settles; returns the runtime JSON. */
  async pushAndSettle(timeoutMs = COLD_BUILD_MS): Promise<SpaceRuntimeJson> {
    await this.push();
    return this.h.waitStage(this.space, SETTLED, timeoutMs);
  }

  /** The latest build's log, as served by `GET /api/spaces/{id}/logs/build` (SSE). */
  async buildLog(): Promise<string> {
    return sseText((await this.h.api('GET', `/api/spaces/${this.space}/logs/build`)).body);
  }

  /** The serving app's log, as served by `GET /api/spaces/{id}/logs/run` (SSE). */
  async runLog(): Promise<string> {
    return sseText((await this.h.api('GET', `/api/spaces/${this.space}/logs/run`)).body);
  }

  /** Containers of this Space made by this suite's Spaceport. */
  containers(): Promise<Dockerode.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: [`spaceport.space=${this.space}`], name: [this.instance] } });
  }

  async close(): Promise<void> {
    await this.h?.api('DELETE', '/api/repos/delete', { name: this.name, type: 'space' }).catch(() => undefined);
    await this.h?.close();
    for (const c of await this.docker.listContainers({ all: true, filters: { name: [this.instance] } })) {
      await this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    // The install's Space network and firewall rules (the runtime keeps them while containers are left).
    const network = new DockerSpaceNetwork({ docker: this.docker, logger: silentLogger(), namePrefix: this.instance, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
    await network.teardown().catch(() => undefined);
    for (const img of await this.docker.listImages({ filters: { reference: [`spaceport/${this.sub}*`] } })) {
      await this.docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    }
    if (this.work) rmSync(this.work, { recursive: true, force: true });
  }
}

/** The `data` of each `data: {"data": …}` event of a Hub log stream, concatenated. */
export function sseText(body: string): string {
  let out = '';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    out += (JSON.parse(line.slice('data: '.length)) as { data: string }).data;
  }
  return out;
}

/** Build-log vertex numbers whose instruction matches `step`, and whether each was `CACHED`. */
export function buildkitSteps(log: string, step: RegExp): { n: string; name: string; cached: boolean }[] {
  const lines = log.split('\n');
  const found: { n: string; name: string; cached: boolean }[] = [];
  for (const line of lines) {
    const m = /^#(\d+) (\[[^\]]*\d+\/\d+\] .*)$/.exec(line);
    if (m && step.test(m[2]!)) found.push({ n: m[1]!, name: m[2]!, cached: lines.includes(`#${m[1]} CACHED`) });
  }
  return found;
}

/**
 * The one named endpoint of a gradio app with a single function, from its `/gradio_api/info`.
 * Its name depends on gradio's version (4: `predict` for an Interface; 5 and later: the function's
 * name), and a Space left unpinned gets the latest gradio.
 */
export async function gradioOnlyEndpoint(h: Harness, sub: string): Promise<string> {
  const info = await request({ port: h.port, host: `${sub}.localhost:${h.port}`, path: '/gradio_api/info' });
  if (info.status !== 200) throw new Error(`GET /gradio_api/info: ${info.status} ${info.body}`);
  const names = Object.keys(info.json<{ named_endpoints: Record<string, unknown> }>().named_endpoints);
  if (names.length !== 1) throw new Error(`expected one named endpoint, got ${names.join(', ')}`);
  return names[0]!.replace(/^\//, '');
}

/**
 * One prediction through the proxy with gradio's HTTP API: `POST /gradio_api/call/{api}` starts an
 * event, `GET …/{event_id}` streams its result (SSE). Returns the stream's text; throws unless it completed.
 */
export async function gradioPredict(h: Harness, sub: string, api: string, data: unknown[]): Promise<string> {
  const host = `${sub}.localhost:${h.port}`;
  const start = await request({ port: h.port, host, method: 'POST', path: `/gradio_api/call/${api}`, body: { data } });
  if (start.status !== 200) throw new Error(`POST /gradio_api/call/${api}: ${start.status} ${start.body}`);
  const { event_id: eventId } = start.json<{ event_id: string }>();
  const result = await request({ port: h.port, host, path: `/gradio_api/call/${api}/${eventId}`, timeoutMs: 60_000 });
  if (result.status !== 200 || !String(result.headers['content-type']).includes('text/event-stream') || !result.body.includes('event: complete')) {
    throw new Error(`GET /gradio_api/call/${api}/${eventId}: ${result.status} ${result.headers['content-type']} ${result.body}`);
  }
  return result.body;
}
