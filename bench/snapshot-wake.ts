/**
 * Snapshot wake against cold wake (issue 21), through the Docker runtime itself on a Docker engine
 * of the bench's own that knows the restoring runtime (scripts/criu/register-runtime.sh, as `make up`
 * registers it), with the CRIU Spaceport builds. Per app, RUNS times each:
 *   cold wake     = `runtime.stop` (plain) then `runtime.apply` → first byte of `GET /` on its port
 *   snapshot wake = `runtime.stop` (dumps: dump time and snapshot size) then `runtime.apply` (restores) → first byte
 * Apps: the test app (busybox httpd: a tiny server; static Spaces themselves run no container, the
 * proxy serves their files, so there is nothing to snapshot), a Gradio app (a Gradio Space image from
 * the shared engine, `GRADIO_IMAGE` or the newest `*gradio*` image with gradio in it), and the same
 * Gradio app holding 1 GB of touched memory. No proxy in the path: this is the runtime's part of a wake.
 *
 *   npx tsx bench/snapshot-wake.ts        (RUNS=3 by default)
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { silentLogger, toSpaceId, type ReleaseId } from '../core/index.js';
import { DockerRuntime, DockerSnapshots, SnapshotStore, type InstanceSpec } from '../controller/runtime/index.js';
import { OwnDockerEngine } from '../test/support/own-docker-engine.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../test/support/test-image.js';
import { writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 3);
const WAKE_TIMEOUT_MS = Number(process.env.WAKE_TIMEOUT_S ?? 300) * 1000;
const repo = path.resolve(import.meta.dirname, '..');

interface App {
  name: string;
  image: string;
  memoryBytes: number;
}

/** First byte of `GET /` on a fresh connection, or undefined when nothing answers yet. */
function firstByte(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' } }, (res) => {
      res.destroy();
      resolve(true);
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function wakeToFirstByte(runtime: DockerRuntime, spec: InstanceSpec): Promise<number> {
  const t0 = performance.now();
  await runtime.apply(spec);
  for (;;) {
    const [inst] = await runtime.list(spec.space);
    if (inst?.endpoint && (await firstByte(inst.endpoint.port))) return performance.now() - t0;
    if (performance.now() - t0 > WAKE_TIMEOUT_MS) throw new Error(`${spec.space} did not answer within ${WAKE_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function gradioImage(): string | undefined {
  if (process.env.GRADIO_IMAGE) return process.env.GRADIO_IMAGE;
  const lines = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).split('\n');
  return lines.find((l) => /gradio/.test(l) && !l.startsWith('127.0.0.1') && !l.includes('<none>'));
}

async function main(): Promise<void> {
  const criu = execFileSync('bash', [path.join(repo, 'scripts/criu/ensure-criu.sh')], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync('/tmp/spaceport-bench-snapshot-');
  const root = path.join(dir, 'data', 'snapshots');
  const daemonJson = path.join(dir, 'daemon.json');
  execFileSync('bash', [path.join(repo, 'scripts/criu/register-runtime.sh'), criu, root], {
    env: { ...process.env, SPACEPORT_DAEMON_JSON: daemonJson, SPACEPORT_DOCKERD_PID: path.join(dir, 'none.pid') },
    stdio: 'pipe',
  });
  const engine = new OwnDockerEngine('benchsnap', { extraArgs: ['--config-file', daemonJson] });
  try {
    await engine.start();
    await ensureTestImage(engine.docker);
    const apps: App[] = [{ name: 'tiny HTTP app (busybox httpd)', image: TEST_IMAGE, memoryBytes: 512 * 1024 ** 2 }];
    const gradio = gradioImage();
    if (gradio) {
      execSync(`docker save ${gradio} | docker -H ${engine.dockerHost} load`, { stdio: 'pipe' });
      const ctx = path.join(dir, 'gradio-1g');
      execFileSync('mkdir', ['-p', ctx]);
      // Holds 1 GB of touched memory, then runs the Space's own app.py in the same process.
      writeFileSync(path.join(ctx, 'hold.py'), 'b = bytearray(1 << 30)\nfor i in range(0, len(b), 4096):\n    b[i] = 1\nexec(open("app.py").read())\n');
      writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${gradio}\nCOPY hold.py /tmp/hold.py\nCMD ["python", "/tmp/hold.py"]\n`);
      execFileSync('docker', ['-H', engine.dockerHost, 'build', '-q', '-t', 'bench-snapshot/gradio-1g:1', ctx], { stdio: 'pipe' });
      apps.push({ name: `Gradio (${gradio.split(':')[0]})`, image: gradio, memoryBytes: 2 * 1024 ** 3 });
      apps.push({ name: 'Gradio holding 1 GB', image: 'bench-snapshot/gradio-1g:1', memoryBytes: 3 * 1024 ** 3 });
    } else {
      process.stdout.write('no Gradio image on the shared engine (set GRADIO_IMAGE): Gradio rows skipped\n');
    }
    const store = new SnapshotStore({ root, maxAgeMs: 3_600_000, budgetBytes: 100 * 1024 ** 3 });
    let dump = { ms: 0, bytes: 0 };
    const snapshots = new DockerSnapshots({ store, criu, runcRoot: path.join(engine.dir, 'exec/runtime-runc/moby'), logger: silentLogger() });
    const withSnapshots = new DockerRuntime({ docker: engine.docker, logger: silentLogger(), namePrefix: 'benchsnap', snapshots });
    const plain = new DockerRuntime({ docker: engine.docker, logger: silentLogger(), namePrefix: 'benchsnap' });
    const results = [];
    for (const [k, app] of apps.entries()) {
      const spec: InstanceSpec = {
        space: toSpaceId('bench', `snap${k}`),
        release: 'r1' as ReleaseId,
        image: app.image,
        port: TEST_IMAGE_PORT,
        env: { PORT: '7860', GRADIO_SERVER_NAME: '0.0.0.0', GRADIO_SERVER_PORT: '7860', GRADIO_ANALYTICS_ENABLED: 'False' },
        flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: app.memoryBytes },
      };
      const cold: number[] = [];
      const restored: number[] = [];
      const dumps: number[] = [];
      const sizes: number[] = [];
      let first = 0;
      try {
      first = await wakeToFirstByte(withSnapshots, spec);
      for (let run = 0; run < RUNS; run++) {
        await plain.stop(spec.space, spec.release);
        cold.push(await wakeToFirstByte(withSnapshots, spec));
        const t = performance.now();
        await withSnapshots.stop(spec.space, spec.release, { sleep: true });
        dump = { ms: performance.now() - t, bytes: store.list().find((m) => m.space === spec.space)?.bytes ?? 0 };
        if (dump.bytes === 0) throw new Error(`${app.name}: the dump failed (see the runtime log)`);
        dumps.push(dump.ms);
        sizes.push(dump.bytes);
        restored.push(await wakeToFirstByte(withSnapshots, spec));
      }
      results.push({ app: app.name, firstStartMs: first, coldMs: cold, snapshotMs: restored, dumpMs: dumps, snapshotBytes: sizes });
      } catch (err) {
        const tail: string[] = [];
        for await (const l of withSnapshots.logs(spec.space, spec.release, { follow: false, tail: 8 })) tail.push(l.data);
        process.stdout.write(`${app.name}: ${(err as Error).message}\n  run log: ${tail.join('\n  ')}\n`);
        results.push({ app: app.name, firstStartMs: first, coldMs: cold, snapshotMs: restored, dumpMs: dumps, snapshotBytes: sizes, error: (err as Error).message });
      }
      await withSnapshots.remove(spec.space);
      writeResult('snapshot-wake', { runs: RUNS, loadavg: loadavg(), results });
    }
    const load = loadavg().map((l) => l.toFixed(2)).join(' ');
    process.stdout.write(`\nruns per app: ${RUNS}; load average at the end: ${load}\n\n`);
    printTable(
      ['app', 'cold wake → first byte (median)', 'snapshot wake → first byte (median)', 'ratio', 'stop with dump (median)', 'snapshot size'],
      results.filter((r) => r.coldMs.length > 0).map((r) => [
        r.app,
        `${(median(r.coldMs) / 1000).toFixed(2)} s`,
        `${(median(r.snapshotMs) / 1000).toFixed(2)} s`,
        `${(median(r.snapshotMs) / median(r.coldMs)).toFixed(2)}×`,
        `${(median(r.dumpMs) / 1000).toFixed(2)} s`,
        `${(median(r.snapshotBytes) / 1024 ** 2).toFixed(0)} MB`,
      ]),
    );
    writeResult('snapshot-wake', { runs: RUNS, loadavg: load, results });
    await withSnapshots.close();
    await plain.close();
  } finally {
    await engine.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
