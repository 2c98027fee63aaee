/**
 * Snapshot wake against cold wake (issue 21), through the Docker runtime itself on a Docker engine
 * of the bench's own that knows the restoring runtime (scripts/criu/register-runtime.sh, as `make up`
 * registers it), with the CRIU Spaceport builds. Per app, RUNS times each:
 *   cold wake     = `runtime.stop` (plain) then `runtime.apply` → first byte of `GET /` on its port
 *   eager wake    = `runtime.stop` (dumps: dump time and snapshot size) then `runtime.apply` (restores
 *                   every page before the app runs) → first byte
 *   lazy wake     = the same with lazy pages (`criu lazy-pages` serves the memory on demand)
 * and for each restore its parts: dockerd until it calls the runtime's `create`, `runc restore`
 * (CRIU) itself, and from the restore's end to the first byte (the rest of create and start, the
 * network, the app's answer). The app holding 1 GB also answers the crc32 of all its memory on a
 * second port (7861): "all memory in" is the time from the wake until that answer (every page read).
 * Once per app, the cost of encrypting its snapshot at rest (AES-256-GCM) on sleep and decrypting
 * it on wake (bench/snapshots/snapshot-cipher.ts).
 * Apps: the test app (busybox httpd: a tiny server; static Spaces themselves run no container, the
 * proxy serves their files, so there is nothing to snapshot), a Gradio app (a Gradio Space image from
 * the shared engine, `GRADIO_IMAGE` or the newest `*gradio*` image with gradio in it), and the same
 * Gradio app holding 1 GB of touched memory. No proxy in the path: this is the runtime's part of a wake.
 * Apps are on a Space network of the bench's engine (no firewall rules: the engine is the bench's),
 * each in two variants, run by turns: with a network of its own (`own`: Docker's libnetwork hook runs
 * in every create and restore) and joined to a network sandbox (`sandbox`, SPACEPORT_SNAPSHOT_NETNS=on:
 * controller/runtime/docker/snapshots/netns-sandbox.ts); NETNS=own or NETNS=sandbox runs one.
 * Warnings of the snapshot hooks (a failed dump and CRIU's reason) go to stderr.
 *
 *   npx tsx bench/snapshot-wake.ts        (RUNS=3 by default; APPS=tiny,gradio,1g picks apps)
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { createLogger, toSpaceId, type ReleaseId } from '../core/index.js';
import { DockerRuntime, DockerSnapshots, DockerSpaceNetwork, NetnsSandboxes, SnapshotStore, type InstanceSpec, type SnapshotWake } from '../controller/runtime/index.js';
import { OwnDockerEngine } from '../test/support/own-docker-engine.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../test/support/test-image.js';
import { measureSnapshotCipher, type CipherCost } from './snapshots/snapshot-cipher.js';
import { writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 3);
const APPS = (process.env.APPS ?? 'tiny,gradio,1g').split(',');
const NETNS = (process.env.NETNS ?? 'own,sandbox').split(',') as Netns[];
type Netns = 'own' | 'sandbox';
const WAKE_TIMEOUT_MS = Number(process.env.WAKE_TIMEOUT_S ?? 300) * 1000;
const repo = path.resolve(import.meta.dirname, '..');
const TOUCH_PORT = 7861;

interface App {
  key: string;
  name: string;
  image: string;
  memoryBytes: number;
  /** Answers the crc32 of all its memory on TOUCH_PORT. */
  touch?: boolean;
}

type Mode = 'cold' | 'eager' | 'lazy';

interface Wake {
  ms: number;
  /** From the wake until the app answered after reading all its memory (apps with `touch`). */
  allMemoryMs?: number;
  /** dockerd until the runtime's create, CRIU's restore, the rest until the first byte. */
  parts?: { dockerdMs: number; restoreMs: number; afterMs: number };
  pages?: string;
  lazyFallback?: string;
}

/** An HTTP GET on a fresh connection: true at the first byte (or the whole body when `body`), false when nothing answers yet. */
function getOnce(host: string, port: number, urlPath: string, body = false, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: urlPath, agent: false, headers: { connection: 'close' } }, (res) => {
      if (!body) {
        res.destroy();
        resolve(true);
        return;
      }
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function containerIp(docker: Dockerode, space: string): Promise<string> {
  const [c] = await docker.listContainers({ filters: { label: [`spaceport.space=${space}`] } });
  // An app in its network sandbox has the sandbox's address.
  const mode = c?.HostConfig?.NetworkMode ?? '';
  const holder = mode.startsWith('container:') ? (await docker.listContainers({ filters: { id: [mode.slice('container:'.length)] } }))[0] : c;
  const nets = Object.values(holder?.NetworkSettings?.Networks ?? {});
  return nets[0]?.IPAddress ?? '';
}

function gradioImage(): string | undefined {
  if (process.env.GRADIO_IMAGE) return process.env.GRADIO_IMAGE;
  const lines = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).split('\n');
  return lines.find((l) => /gradio/.test(l) && !l.startsWith('127.0.0.1') && !l.includes('<none>'));
}

// Holds 1 GB of touched memory and answers its crc32 on TOUCH_PORT, then runs the Space's own app.py in the same process.
const HOLD_PY = `import threading, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
b = bytearray(1 << 30)
for i in range(0, len(b), 4096):
    b[i] = 1
class Touch(BaseHTTPRequestHandler):
    def do_GET(self):
        body = str(zlib.crc32(b)).encode()
        self.send_response(200)
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
threading.Thread(target=ThreadingHTTPServer(('0.0.0.0', ${TOUCH_PORT}), Touch).serve_forever, daemon=True).start()
exec(open("app.py").read())
`;

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
    const apps: App[] = [{ key: 'tiny', name: 'tiny HTTP app (busybox httpd)', image: TEST_IMAGE, memoryBytes: 512 * 1024 ** 2 }];
    const gradio = APPS.some((a) => a !== 'tiny') ? gradioImage() : undefined;
    if (gradio) {
      execSync(`docker save ${gradio} | docker -H ${engine.dockerHost} load`, { stdio: 'pipe' });
      const ctx = path.join(dir, 'gradio-1g');
      execFileSync('mkdir', ['-p', ctx]);
      writeFileSync(path.join(ctx, 'hold.py'), HOLD_PY);
      writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${gradio}\nCOPY hold.py /tmp/hold.py\nCMD ["python", "/tmp/hold.py"]\n`);
      execFileSync('docker', ['-H', engine.dockerHost, 'build', '-q', '-t', 'bench-snapshot/gradio-1g:1', ctx], { stdio: 'pipe' });
      apps.push({ key: 'gradio', name: `Gradio (${gradio.split(':')[0]})`, image: gradio, memoryBytes: 2 * 1024 ** 3 });
      apps.push({ key: '1g', name: 'Gradio holding 1 GB', image: 'bench-snapshot/gradio-1g:1', memoryBytes: 3 * 1024 ** 3, touch: true });
    } else if (APPS.some((a) => a !== 'tiny')) {
      process.stdout.write('no Gradio image on the shared engine (set GRADIO_IMAGE): Gradio rows skipped\n');
    }
    const store = new SnapshotStore({ root, maxAgeMs: 3_600_000, budgetBytes: 100 * 1024 ** 3 });
    const logger = createLogger({ level: 'warn', destination: process.stderr });
    const seenWakes: SnapshotWake[] = [];
    const network = new DockerSpaceNetwork({ docker: engine.docker, logger, namePrefix: 'benchsnap', egress: { kind: 'all-unfiltered' } });
    const hooks = (lazy: boolean, netns: Netns) =>
      new DockerSnapshots({
        store,
        criu,
        runcRoot: path.join(engine.dir, 'exec/runtime-runc/moby'),
        logger,
        onWake: (w) => seenWakes.push(w),
        lazyPages: { minBytes: lazy ? 0 : Number.MAX_SAFE_INTEGER, deadlineS: 300 },
        sandboxes: netns === 'sandbox' ? new NetnsSandboxes({ docker: engine.docker, logger }) : undefined,
      });
    const runtimesOf = (netns: Netns) => ({
      eager: new DockerRuntime({ docker: engine.docker, logger, namePrefix: 'benchsnap', network, snapshots: hooks(false, netns) }),
      lazy: new DockerRuntime({ docker: engine.docker, logger, namePrefix: 'benchsnap', network, snapshots: hooks(true, netns) }),
    });
    const variants = { own: runtimesOf('own'), sandbox: runtimesOf('sandbox') };
    const plain = new DockerRuntime({ docker: engine.docker, logger, namePrefix: 'benchsnap', network });

    async function wake(spec: InstanceSpec, app: App, runtime: DockerRuntime): Promise<Wake> {
      seenWakes.length = 0;
      const wallStart = Date.now();
      const t0 = performance.now();
      await runtime.apply(spec);
      let ms = 0;
      for (;;) {
        const [inst] = await runtime.list(spec.space);
        if (inst?.endpoint && (await getOnce('127.0.0.1', inst.endpoint.port, '/'))) {
          ms = performance.now() - t0;
          break;
        }
        if (performance.now() - t0 > WAKE_TIMEOUT_MS) throw new Error(`${spec.space} did not answer within ${WAKE_TIMEOUT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const w: Wake = { ms };
      if (app.touch) {
        const ip = await containerIp(engine.docker, spec.space);
        while (!(await getOnce(ip, TOUCH_PORT, '/', true, 120_000))) {
          if (performance.now() - t0 > WAKE_TIMEOUT_MS) throw new Error(`${spec.space}: no crc32 answer`);
          await new Promise((r) => setTimeout(r, 10));
        }
        w.allMemoryMs = performance.now() - t0;
      }
      const last = seenWakes.at(-1);
      const r = last?.outcome === 'restored' ? last.restore : undefined;
      if (r) {
        w.pages = r.pages;
        if (r.lazyFallback) w.lazyFallback = r.lazyFallback;
        if (r.runtimeCalledAt !== undefined && r.restoreMs !== undefined) {
          const dockerdMs = Math.max(0, r.runtimeCalledAt - wallStart);
          w.parts = { dockerdMs, restoreMs: r.restoreMs, afterMs: Math.max(0, ms - dockerdMs - r.restoreMs) };
        }
      }
      return w;
    }

    /**
     * A Gradio app answers `/` before its `launch()` has returned: launch then calls its own
     * `/startup-events` and checks its local URL over HTTP. A dump taken meanwhile (a sleep within a
     * second of the start, as here) restores that connection closed and launch() raises, so the app
     * exits. Before each sleep, wait for the line Gradio prints once launch() is through.
     */
    async function settled(spec: InstanceSpec, app: App): Promise<void> {
      if (app.key === 'tiny') return;
      for (const t0 = performance.now(); performance.now() - t0 < 60_000; ) {
        // Every start's launch() through (a start again keeps the earlier start's lines in the log).
        let started = 0;
        let through = 0;
        for await (const l of plain.logs(spec.space, spec.release, { follow: false })) {
          if (l.data.includes('Running on local URL')) started++;
          if (l.data.includes('public link')) through++;
        }
        if (started > 0 && through >= started) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${app.name}: launch() did not finish within 60 s`);
    }

    const results = [];
    for (const [k, app] of apps.entries()) {
      if (!APPS.includes(app.key)) continue;
      // One Space per variant; their runs take turns, so both see the same moments of a noisy host.
      const variantsRun = NETNS.map((netns) => ({
        netns,
        runtimes: variants[netns],
        spec: {
          space: toSpaceId('bench', `snap${k}${netns === 'sandbox' ? 'n' : ''}`),
          release: 'r1' as ReleaseId,
          image: app.image,
          port: TEST_IMAGE_PORT,
          env: { PORT: '7860', GRADIO_SERVER_NAME: '0.0.0.0', GRADIO_SERVER_PORT: '7860', GRADIO_ANALYTICS_ENABLED: 'False' },
          flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: app.memoryBytes },
        } satisfies InstanceSpec,
        wakes: { cold: [], eager: [], lazy: [] } as Record<Mode, Wake[]>,
        dumps: [] as number[],
        sizes: [] as number[],
        failedDumps: 0,
        cipher: undefined as CipherCost | undefined,
        first: 0,
        error: undefined as string | undefined,
      }));
      for (let run = -1; run < RUNS; run++) {
        for (const v of variantsRun) {
          if (v.error) continue;
          const { spec, runtimes, wakes } = v;
          try {
            if (run < 0) {
              v.first = (await wake(spec, app, runtimes.eager)).ms;
              continue;
            }
            await plain.stop(spec.space, spec.release);
            wakes.cold.push(await wake(spec, app, runtimes.eager));
            for (const mode of ['eager', 'lazy'] as const) {
              await settled(spec, app);
              const t = performance.now();
              await runtimes[mode].stop(spec.space, spec.release, { sleep: true });
              const taken = store.list().find((m) => m.space === spec.space);
              if (!taken) {
                // A failed dump (its reason is logged above) is a plain stop: the wake is cold and not counted.
                v.failedDumps++;
                await wake(spec, app, runtimes[mode]);
                continue;
              }
              v.dumps.push(performance.now() - t);
              v.sizes.push(taken.bytes);
              if (!v.cipher) v.cipher = await measureSnapshotCipher(path.join(root, taken.container, 'images'), path.join(dir, 'cipher'));
              wakes[mode].push(await wake(spec, app, runtimes[mode]));
            }
          } catch (err) {
            v.error = (err as Error).message;
            const tail: string[] = [];
            for await (const l of plain.logs(spec.space, spec.release, { follow: false, tail: 8 })) tail.push(l.data);
            process.stdout.write(`${app.name}, netns ${v.netns}: ${v.error}\n  run log: ${tail.join('\n  ')}\n`);
          }
        }
      }
      for (const v of variantsRun) {
        const { netns, first, wakes, dumps, sizes, failedDumps, cipher, error } = v;
        results.push({ app: `${app.name}, netns ${netns}`, netns, firstStartMs: first, wakes, dumpMs: dumps, snapshotBytes: sizes, failedDumps, cipher, error });
        await v.runtimes.eager.remove(v.spec.space);
      }
      writeResult('snapshot-wake', { runs: RUNS, loadavg: loadavg(), results });
    }
    const load = loadavg().map((l) => l.toFixed(2)).join(' ');
    process.stdout.write(`\nruns per app: ${RUNS}; load average at the end: ${load}\n\n`);
    const s = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(2)} s`);
    const med = (ws: Wake[], f: (w: Wake) => number | undefined) => {
      const xs = ws.map(f).filter((x): x is number => x !== undefined);
      return xs.length ? median(xs) : undefined;
    };
    printTable(
      ['app', 'cold → first byte', 'eager restore → first byte', 'lazy restore → first byte', 'eager / cold', 'lazy / cold', 'all memory in: eager / lazy', 'stop with dump', 'snapshot'],
      results.filter((r) => r.wakes.cold.length > 0).map((r) => {
        const cold = med(r.wakes.cold, (w) => w.ms)!;
        const eager = med(r.wakes.eager, (w) => w.ms);
        const lazy = med(r.wakes.lazy, (w) => w.ms);
        return [
          r.app,
          s(cold),
          s(eager),
          s(lazy),
          eager === undefined ? '–' : `${(eager / cold).toFixed(2)}×`,
          lazy === undefined ? '–' : `${(lazy / cold).toFixed(2)}×`,
          `${s(med(r.wakes.eager, (w) => w.allMemoryMs))} / ${s(med(r.wakes.lazy, (w) => w.allMemoryMs))}`,
          s(median(r.dumpMs)) + (r.failedDumps ? ` (${r.failedDumps} failed)` : ''),
          `${(median(r.snapshotBytes) / 1024 ** 2).toFixed(0)} MB`,
        ];
      }),
    );
    process.stdout.write('\nWhere a restore goes (medians): dockerd until the runtime is called, runc restore (CRIU), the rest until the first byte\n\n');
    printTable(
      ['app', 'pages', 'dockerd → runtime', 'runc restore', 'restore → first byte', 'lazy fell back'],
      results.flatMap((r) =>
        (['eager', 'lazy'] as const).filter((m) => r.wakes[m].length > 0).map((m) => [
          r.app,
          m,
          s(med(r.wakes[m], (w) => w.parts?.dockerdMs)),
          s(med(r.wakes[m], (w) => w.parts?.restoreMs)),
          s(med(r.wakes[m], (w) => w.parts?.afterMs)),
          String(r.wakes[m].filter((w) => w.pages !== m).length) + (r.wakes[m].find((w) => w.lazyFallback)?.lazyFallback ? ` (${r.wakes[m].find((w) => w.lazyFallback)!.lazyFallback})` : ''),
        ]),
      ),
    );
    process.stdout.write('\nEncryption at rest, measured (AES-256-GCM, node:crypto streams, per file; images in the page cache)\n\n');
    printTable(
      ['app', 'snapshot', 'encrypt (on sleep)', 'decrypt (on wake)'],
      results.filter((r) => r.cipher).map((r) => [r.app, `${(r.cipher!.bytes / 1024 ** 2).toFixed(0)} MB`, s(r.cipher!.encryptMs), s(r.cipher!.decryptMs)]),
    );
    writeResult('snapshot-wake', { runs: RUNS, loadavg: load, results });
    for (const v of Object.values(variants)) for (const r of Object.values(v)) await r.close();
    await plain.close();
    await network.teardown();
  } finally {
    await engine.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
