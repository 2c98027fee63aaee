/**
 * The visitor bench's world: one Spaceport per path, each a `spaceport up` process of its own on the
 * real Docker engine (the Node path, and the native data plane with HAProxy in front), as an
 * operator runs it: no bench code or browser driver shares its event loop. Each gets the same tiny
 * public Gradio Space pushed over git, and everything they made is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { silentLogger } from '../../core/index.js';
import { DockerSpaceNetwork, IptablesPacketFilter } from '../../controller/runtime/index.js';
import type { HaproxyRuntimeApi } from '../../proxy/data-plane/index.js';
import { git, makeWorkTree, pushUrl } from '../../test/support/git-client.js';
import { waitFor } from '../../test/support/http.js';
import { ADMIN_TOKEN, type SpaceRuntimeJson } from '../../test/support/spaceport-harness.js';
import { SpaceportProcess, freePort } from '../../test/support/spaceport-process.js';
import { removeBenchDockerObjects, type SpaceApi } from '../space-bench.js';
import { haproxyOf } from './haproxy-watch.js';

export interface ProxiedSpace {
  path: 'node' | 'native';
  sp: SpaceportProcess;
  /** `api` and `waitStage`, for the shared bench helpers. */
  client: SpaceApi;
  port: number;
  dataDir: string;
  instance: string;
  /** `admin/{name}`. */
  space: string;
  sub: string;
  /** The Host header a visitor sends (`{sub}.localhost:{port}`). */
  host: string;
  /** The key of HAProxy's map (`{sub}.localhost`), and its runtime API on the native path. */
  mapHost: string;
  haproxy?: HaproxyRuntimeApi;
}

export interface GradioWorld {
  spaces: ProxiedSpace[];
  marker: string;
  close(): Promise<void>;
}

function gradioApp(version: string, marker: string): Record<string, string> {
  return {
    'README.md': `---\nsdk: gradio\nsdk_version: ${version}\napp_file: app.py\n---\n`,
    'app.py': ['import gradio as gr', '', 'with gr.Blocks(title="bench") as demo:', `    gr.Markdown("${marker}")`, '', 'demo.launch()', ''].join('\n'),
  };
}

function clientOf(sp: SpaceportProcess): SpaceApi {
  return {
    api: (method, p, body) => sp.api(method, p, body),
    waitStage: (space, stages, timeoutMs = 60_000) =>
      waitFor(`${space} in ${stages.join('|')}`, async () => {
        const rt: SpaceRuntimeJson = await sp.stage(space);
        return stages.includes(rt.stage) ? rt : undefined;
      }, timeoutMs),
  };
}

/** Epoch ms of the first line of this Spaceport's log with `msg` (and `stage`) at or after `since`. */
export function logTime(s: ProxiedSpace, since: number, msg: string, stage?: string): number | undefined {
  for (const line of readFileSync(path.join(s.dataDir, 'spaceport.log'), 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as { time: number; msg: string; stage?: string };
    if (o.time >= since && o.msg === msg && (stage === undefined || o.stage === stage)) return o.time;
  }
  return undefined;
}

/**
 * Start both Spaceports (`{instance}-node`, `{instance}-native`), push the same Gradio app to each
 * (the second build comes from BuildKit's cache) and wait until both run.
 */
export async function startGradioWorld(opts: { instance: string; gradioVersion: string; wakeTimeoutMs: number; buildTimeoutMs: number }): Promise<GradioWorld> {
  const docker = new Dockerode();
  const name = `visitor-${randomBytes(3).toString('hex')}`;
  const marker = `visitor-${randomBytes(6).toString('hex')}`;
  const spaces: ProxiedSpace[] = [];
  const work = await makeWorkTree(gradioApp(opts.gradioVersion, marker));
  const close = async () => {
    for (const s of spaces) {
      await s.client.api('DELETE', '/api/repos/delete', { name, type: 'space' }).catch(() => undefined);
      await s.sp.kill('SIGTERM');
      await removeBenchDockerObjects(docker, s.instance, [s.sub]);
      const network = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: s.instance, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
      await network.teardown().catch(() => undefined);
      rmSync(s.dataDir, { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
  };
  try {
    for (const p of ['node', 'native'] as const) {
      const instance = `${opts.instance}-${p}`;
      const port = await freePort();
      const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-data-'));
      const sp = new SpaceportProcess({
        port,
        dataDir,
        token: ADMIN_TOKEN,
        env: { SPACEPORT_INSTANCE_NAME: instance, SPACEPORT_DATA_PLANE: p === 'native' ? 'haproxy' : 'node', SPACEPORT_WAKE_TIMEOUT_MS: String(opts.wakeTimeoutMs) },
      });
      const sub = `admin-${name}`;
      spaces.push({ path: p, sp, client: clientOf(sp), port, dataDir, instance, space: `admin/${name}`, sub, host: `${sub}.localhost:${port}`, mapHost: `${sub}.localhost`, haproxy: p === 'native' ? haproxyOf(dataDir) : undefined });
      await sp.start();
      const create = await sp.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'gradio' });
      if (create.status !== 200) throw new Error(`create: ${create.status} ${create.body}`);
      const push = await git(['push', '--force', pushUrl(port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
      if (push.code !== 0) throw new Error(push.stderr);
    }
    for (const s of spaces) {
      const rt = await s.client.waitStage(s.space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], opts.buildTimeoutMs);
      if (rt.stage !== 'RUNNING') throw new Error(`${s.path}: ${s.space}: ${rt.stage} ${rt.errorMessage ?? ''}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { spaces, marker, close };
}
