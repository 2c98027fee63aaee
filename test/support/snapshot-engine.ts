import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { ensureBaseImages } from '../../builder/index.js';
import { createLogger, silentLogger, type Config } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { DockerSpaceNetwork, IptablesPacketFilter } from '../../controller/runtime/index.js';
import type { SpaceportAdapters } from '../../controller/main.js';
import { COLD_BUILD_MS, DockerSpace } from './docker-space.js';
import { request, waitFor } from './http.js';
import { OwnDockerEngine } from './own-docker-engine.js';
import { ensureTestImage } from './test-image.js';

const repo = path.resolve(import.meta.dirname, '../..');

/** One snapshot on disk, as `SnapshotStore` wrote its meta.json. */
export interface SnapshotOnDisk {
  space: string;
  container: string;
  takenAt: number;
  bytes: number;
}

/** One line of the adapters' log. */
export interface LogLine {
  time: number;
  msg: string;
  space?: string;
  [field: string]: unknown;
}

/**
 * A Docker engine of the test's own that Spaceport can wake Spaces on from memory snapshots: its
 * daemon.json names the restoring runtime (scripts/criu/register-runtime.sh, exactly as `make up`
 * registers it in the host's engine) for the data dir this fixture hands to the harness, with the
 * CRIU Spaceport builds (scripts/criu/ensure-criu.sh, cached). The shared test engine stays as it is:
 * its runtimes, daemon.json and running dockerd are everyone's.
 *
 * Use: `startHarness(snap.adapters(), { ...snap.env(), … })` — one Spaceport at a time per engine
 * (the registered runtime names one snapshot root, under `dataDir`).
 */
export class SnapshotEngine {
  readonly engine: OwnDockerEngine;
  readonly criu: string;
  /** Spaceport's data dir (SPACEPORT_DATA_DIR): the launcher and `snapshots/` are registered for it. */
  readonly dataDir: string;
  /** What the Docker adapters logged (runtime, snapshots), as JSON lines. */
  readonly log: LogLine[] = [];
  readonly #dir: string;
  /** SPACEPORT_INSTANCE_NAME of each Spaceport started here (their Space networks' firewall rules are the host's). */
  readonly #instances = new Set<string>();

  private constructor(engine: OwnDockerEngine, criu: string, dir: string) {
    this.engine = engine;
    this.criu = criu;
    this.#dir = dir;
    this.dataDir = path.join(dir, 'data');
  }

  /** Build (or reuse) CRIU, register the runtime in a daemon.json of this engine's own, start it, import the busybox test image. */
  static async start(tag: string): Promise<SnapshotEngine> {
    const criu = execFileSync('bash', [path.join(repo, 'scripts/criu/ensure-criu.sh')], { encoding: 'utf8', timeout: 15 * 60_000 }).trim();
    const dir = mkdtempSync(`/tmp/spaceport-snapengine-${tag}-`);
    const daemonJson = path.join(dir, 'daemon.json');
    writeFileSync(daemonJson, '{}\n');
    execFileSync('bash', [path.join(repo, 'scripts/criu/register-runtime.sh'), criu, path.join(dir, 'data', 'snapshots')], {
      env: { ...process.env, SPACEPORT_DAEMON_JSON: daemonJson, SPACEPORT_DOCKERD_PID: path.join(dir, 'none.pid') },
      stdio: 'pipe',
    });
    const engine = new OwnDockerEngine(tag, { extraArgs: ['--config-file', daemonJson] });
    const snap = new SnapshotEngine(engine, criu, dir);
    try {
      await engine.start();
      await ensureTestImage(engine.docker);
    } catch (err) {
      await snap.destroy();
      throw err;
    }
    return snap;
  }

  get docker(): Dockerode {
    return this.engine.docker;
  }

  get snapshotRoot(): string {
    return path.join(this.dataDir, 'snapshots');
  }

  /** The harness environment: this engine, this data dir, this CRIU, this engine's exec root; snapshots on. */
  env(): Record<string, string> {
    return {
      DOCKER_HOST: this.engine.dockerHost,
      SPACEPORT_DATA_DIR: this.dataDir,
      SPACEPORT_CRIU: this.criu,
      SPACEPORT_DOCKER_EXEC_ROOT: path.join(this.engine.dir, 'exec'),
      SPACEPORT_SNAPSHOTS: 'auto',
    };
  }

  /**
   * `dockerAdapters` with a logger of this fixture's own (its lines in `log`), refusing to go on
   * when they did not turn snapshots on (the reason they logged in the error).
   */
  adapters(): (config: Readonly<Config>) => Promise<SpaceportAdapters> {
    return async (config) => {
      const logger = createLogger({
        level: 'info',
        destination: {
          write: (line: string) => {
            try {
              this.log.push(JSON.parse(line) as LogLine);
            } catch {
              // not a JSON line
            }
          },
        },
      });
      this.#instances.add(config.SPACEPORT_INSTANCE_NAME);
      const adapters = await dockerAdapters(config, logger);
      if (!this.log.some((l) => l.msg === 'snapshots: on')) {
        throw new Error(`snapshots are not on: ${JSON.stringify(this.log.find((l) => l.msg === 'snapshots: off') ?? 'nothing said')}`);
      }
      return adapters;
    };
  }

  /** Lines the runtime logged since `since` (epoch ms) with this message (`snapshot taken`, `restored from snapshot`, …). */
  logged(msg: string, since = 0): LogLine[] {
    return this.log.filter((l) => l.msg === msg && l.time >= since);
  }

  /** The snapshots on disk now (meta.json of each), oldest first. */
  snapshots(): SnapshotOnDisk[] {
    if (!existsSync(this.snapshotRoot)) return [];
    return readdirSync(this.snapshotRoot)
      .filter((n) => /^[0-9a-f]{64}$/.test(n) && existsSync(path.join(this.snapshotRoot, n, 'meta.json')))
      .map((n) => JSON.parse(readFileSync(path.join(this.snapshotRoot, n, 'meta.json'), 'utf8')) as SnapshotOnDisk)
      .sort((a, b) => a.takenAt - b.takenAt);
  }

  /** The one snapshot of a Space, once its sleep's dump is on disk (it must take one). */
  snapshotOf(space: string): Promise<SnapshotOnDisk> {
    return waitFor(`a snapshot of ${space}`, async () => {
      const mine = this.snapshots().filter((m) => m.space === space);
      return mine.length === 1 && mine[0]!.bytes > 0 ? mine[0] : undefined;
    }, 60_000, 100);
  }

  /** Whether a snapshot's directory (its image files) is still there. */
  hasFiles(container: string): boolean {
    return existsSync(path.join(this.snapshotRoot, container));
  }

  /** Copy an image of the shared engine into this one (made there first when it is a Spaceport base image). */
  async loadImage(image: string): Promise<void> {
    const shared = new Dockerode();
    if ((await shared.listImages({ filters: { reference: [image] } })).length === 0) {
      if (!image.startsWith('spaceport/python:')) throw new Error(`${image} is not on the shared engine`);
      await ensureBaseImages(shared, { python: image }, silentLogger());
    }
    execSync(`docker save ${image} | docker -H ${this.engine.dockerHost} load`, { stdio: 'pipe', maxBuffer: 16 * 1024 * 1024 });
  }

  /**
   * A Space built by Spaceport on the shared engine (the path every Space takes: its SDK's image,
   * packages from PyPI, which this engine cannot reach), copied here; the Space and its image are
   * then removed there. Returns the image reference, for a docker Space here `FROM` it.
   */
  async copySpaceImage(prefix: string, sdk: string, files: Record<string, string | Buffer>): Promise<string> {
    const built = new DockerSpace(prefix);
    try {
      await built.start(sdk, files);
      const rt = await built.pushAndSettle(COLD_BUILD_MS);
      if (rt.stage !== 'RUNNING') throw new Error(`${built.space}: ${rt.stage} ${rt.errorMessage ?? ''}`);
      const [container] = await built.containers();
      if (!container) throw new Error(`${built.space} runs no container`);
      const ref = (await built.docker.getImage(container.Image).inspect()).RepoTags?.[0];
      if (!ref) throw new Error(`${built.space}: its image ${container.Image} has no tag`);
      await this.loadImage(ref);
      return ref;
    } finally {
      await built.close();
    }
  }

  /** The engine with its containers and files, and the host firewall rules of each Spaceport's Space network here. */
  async destroy(): Promise<void> {
    for (const c of await this.docker.listContainers({ all: true }).catch(() => [])) {
      await this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    for (const prefix of this.#instances) {
      const network = new DockerSpaceNetwork({ docker: this.docker, logger: silentLogger(), namePrefix: prefix, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
      await network.teardown().catch(() => undefined);
    }
    await this.engine.destroy();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** `spaceport_snapshot_wakes_total` as scraped from the harness's /metrics (loopback), summed per outcome and reason. */
export async function snapshotWakes(port: number): Promise<{ restored: number; cold: Record<string, number> }> {
  const r = await request({ port, path: '/metrics', host: `127.0.0.1:${port}` });
  if (r.status !== 200) throw new Error(`/metrics: ${r.status}`);
  const out = { restored: 0, cold: {} as Record<string, number> };
  for (const line of r.body.split('\n')) {
    if (!line.startsWith('spaceport_snapshot_wakes_total{')) continue;
    const outcome = /outcome="([^"]*)"/.exec(line)?.[1];
    const reason = /reason="([^"]*)"/.exec(line)?.[1] ?? '';
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (outcome === 'restored') out.restored += value;
    else if (outcome === 'cold') out.cold[reason] = (out.cold[reason] ?? 0) + value;
  }
  return out;
}
