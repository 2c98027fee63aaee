/**
 * Reconcile 1,000 Spaces against the test cluster's real API server (scripts/k8s/cluster.sh: real
 * kube-apiserver, scheduler and controller-manager; pods on kwok's simulated nodes, which mark
 * them Ready). Every request of the runtimes goes through a counting proxy, so the informers'
 * own list and watch traffic is counted too.
 *
 * 1. Room for the run: simulated nodes and a ServiceCIDR of its own, a fresh namespace.
 * 2. 1,000 Spaces (one release each) in a real SqliteStore; `KubernetesRuntime.apply` for each
 *    (APPLY_CONCURRENCY at a time): time to apply all, time until `runtime.list()` says all ready.
 * 3. Steady state: full passes of the real `Reconciler` (`resyncAll`) over the 1,000 unchanged
 *    Spaces, with KubernetesRuntime (informers) and, interleaved, with the named alternative
 *    `PollingRuntime` (2 GETs per `list()`; the reconciler lists twice per Space per pass).
 *
 *   npx tsx bench/k8s-reconcile.ts       (SPACES=1000, PASSES=3, APPLY_CONCURRENCY=16 by default)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hardwareFileSchema, resolveHardware, silentLogger, systemClock, type SpaceId } from '../core/index.js';
import { instanceSpecFor, InProcessRouteTable, Reconciler } from '../controller/lifecycle/index.js';
import { KubernetesRuntime, loadKubeConfig, type InstanceSpec, type Runtime } from '../controller/runtime/index.js';
import { SecretBox, SqliteStore, writeStatus, type SpaceRecord, type SpaceStore } from '../controller/store/index.js';
import { ensureCluster, k8sStateDir, makeTestCluster, type TestCluster } from '../test/support/k8s-cluster.js';
import { BenchCapacity } from './k8s/bench-capacity.js';
import { diffLoad, readControllerManagerLoad } from './k8s/controller-manager-metrics.js';
import { CountingProxy, diffCounts, type Counts } from './k8s/counting-proxy.js';
import { PollingRuntime, Semaphore } from './k8s/polling-runtime.js';
import { fmt, writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const SPACES = Number(process.env.SPACES ?? 1000);
const PASSES = Number(process.env.PASSES ?? 3);
const APPLY_CONCURRENCY = Number(process.env.APPLY_CONCURRENCY ?? 16);
const PODS_PER_NODE = 300;
const READY_TIMEOUT_MS = 8 * 60_000;
const INSTANCE = 'bench';
const IMAGE = '127.0.0.1:5000/spaceport-bench/static@sha256:' + '0'.repeat(64);
const hw = resolveHardware(hardwareFileSchema.parse({}));
const flavor = hw.flavors['cpu-basic']!;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** N Spaces with one succeeded build and one release each, already serving it (the steady state the store would hold). */
function seedStore(store: SpaceStore, n: number): SpaceRecord[] {
  store.createUser('bench', 'user');
  const out: SpaceRecord[] = [];
  for (let i = 0; i < n; i++) {
    const space = store.createSpace({ id: `bench/space-${i}` as SpaceId, sdk: 'static', visibility: 'public', hardware: 'cpu-basic', sleepSeconds: -1 });
    const build = store.addBuild({ spaceUid: space.uid, commit: `c${i}`, tree: `t${i}`, noCache: false });
    store.setBuildState(build.id, { status: 'running' });
    store.setBuildState(build.id, { status: 'succeeded', image: IMAGE });
    const release = store.addRelease({ spaceUid: space.uid, buildId: build.id, commit: `c${i}`, image: IMAGE, port: 8080, config: { sdk: 'static' } });
    out.push(writeStatus(store, space.uid, () => ({ targetRelease: release.id, servingRelease: release.id }))!);
  }
  return out;
}

function makeReconciler(store: SpaceStore, runtime: Runtime): Reconciler {
  return new Reconciler({
    store,
    runtime,
    routes: new InProcessRouteTable(),
    logger: silentLogger(),
    clock: systemClock,
    domain: 'bench.localhost',
    flavorFor: () => flavor,
    sleepSecondsFor: () => -1,
    lastActivity: () => undefined,
  });
}

interface Pass {
  ms: number;
  requests: Counts;
  /** `KubernetesRuntime.apiCalls` during the pass. */
  apiCalls: number;
  running: number;
}

async function timedPass(name: string, reconciler: Reconciler, spaces: SpaceRecord[], proxy: CountingProxy, runtime: KubernetesRuntime): Promise<Pass> {
  const before = proxy.counts();
  const calls0 = runtime.apiCalls;
  const t0 = performance.now();
  await reconciler.resyncAll();
  const ms = performance.now() - t0;
  const requests = diffCounts(proxy.counts(), before);
  const running = spaces.filter((s) => reconciler.stageOf(s.uid)?.stage === 'RUNNING').length;
  log(`${name} pass: ${fmt(ms)} ms, ${requests.total} requests (${JSON.stringify(requests)}), ${running}/${spaces.length} RUNNING`);
  if (requests.post + requests.put + requests.patch + requests.delete > 0) throw new Error(`${name}: a pass over unchanged Spaces wrote to the API server`);
  if (running !== spaces.length) throw new Error(`${name}: only ${running} of ${spaces.length} Spaces are RUNNING after a pass`);
  return { ms, requests, apiCalls: runtime.apiCalls - calls0, running };
}

async function waitAllReady(runtime: KubernetesRuntime, n: number): Promise<number> {
  const t0 = performance.now();
  let lastLog = t0;
  for (;;) {
    const ready = (await runtime.list()).filter((i) => i.state.kind === 'ready').length;
    const now = performance.now();
    if (ready >= n) return now;
    if (now - lastLog > 10_000) {
      log(`  ${ready}/${n} ready`);
      lastLog = now;
    }
    if (now - t0 > READY_TIMEOUT_MS) throw new Error(`only ${ready} of ${n} Spaces ready after ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Delete the namespace and wait until it is gone (its 1,000 pods are finalized by kwok). */
async function deleteNamespace(cluster: TestCluster, ns: string): Promise<void> {
  await cluster.kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    const left = await cluster.kubectl(['get', 'namespace', ns, '--ignore-not-found', '-o', 'name']);
    if (left.trim() === '') return;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  log(`namespace ${ns} still terminating after 5 min; left for the namespace controller`);
}

async function main(): Promise<void> {
  const { env } = await ensureCluster();
  // Counted as a test run of the cluster: a vitest run that started it leaves it up until we are done (test/k8s/global-setup.ts).
  const runMark = path.join(k8sStateDir(), 'test-runs', String(process.pid));
  mkdirSync(path.dirname(runMark), { recursive: true });
  writeFileSync(runMark, '');
  const cluster = makeTestCluster(env);
  const runId = randomBytes(3).toString('hex');
  const capacity = new BenchCapacity({ cluster, runId, nodes: Math.ceil((SPACES * 1.2) / PODS_PER_NODE), podsPerNode: PODS_PER_NODE, serviceCidr: '10.1.0.0/20' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-k8s-'));
  const store = new SqliteStore({ file: path.join(dataDir, 'spaceport.db'), secrets: SecretBox.ephemeral() });
  let namespace: string | undefined;
  let proxy: CountingProxy | undefined;
  let runtime: KubernetesRuntime | undefined;
  const reconcilers: Reconciler[] = [];
  try {
    log(`run ${runId}: ${capacity.nodeNames.length} bench nodes × ${PODS_PER_NODE} pods, ServiceCIDR ${capacity.serviceCidrName}`);
    await capacity.add();
    namespace = await cluster.createNamespace('sp-bench');
    const admin = loadKubeConfig(env.kubeconfig);
    proxy = await CountingProxy.start(admin);
    const spaces = seedStore(store, SPACES);
    runtime = new KubernetesRuntime({
      kubeConfig: proxy.kubeConfig(),
      placement: { namespace, instance: INSTANCE, gpu: hw.gpu, ...capacity.placement, requestRatio: { cpu: 0.01, memory: 0.01 } },
      logger: silentLogger(),
    });

    const c0 = proxy.counts();
    await runtime.start();
    const startRequests = diffCounts(proxy.counts(), c0);
    log(`informers synced: ${JSON.stringify(startRequests)}`);

    // Apply.
    const specs: InstanceSpec[] = spaces.map((space) =>
      instanceSpecFor({ space, release: store.getRelease(space.targetRelease!)!, flavor, domain: 'bench.localhost', variables: [], secrets: [] }),
    );
    const cm0 = await readControllerManagerLoad(admin, k8sStateDir());
    const c1 = proxy.counts();
    const calls1 = runtime.apiCalls;
    const limit = new Semaphore(APPLY_CONCURRENCY);
    const rt = runtime;
    const t0 = performance.now();
    let applied = 0;
    const progress = setInterval(() => log(`  ${applied}/${SPACES} applied`), 10_000);
    try {
      await Promise.all(specs.map((spec) => limit.run(async () => {
        await rt.apply(spec);
        applied += 1;
      })));
    } finally {
      clearInterval(progress);
    }
    const tApplied = performance.now();
    const applyRequests = diffCounts(proxy.counts(), c1);
    const applyCalls = runtime.apiCalls - calls1;
    log(`applied ${SPACES} Spaces in ${fmt(tApplied - t0)} ms: ${JSON.stringify(applyRequests)}`);

    const c2 = proxy.counts();
    const tReady = await waitAllReady(runtime, SPACES);
    const readyWaitRequests = diffCounts(proxy.counts(), c2);
    const controllerManager = diffLoad(await readControllerManagerLoad(admin, k8sStateDir()), cm0);
    log(`all ${SPACES} ready ${fmt(tReady - t0)} ms after the first apply (${fmt(tReady - tApplied)} ms after the last)`);

    // Steady state: the same Reconciler over unchanged Spaces, informers vs polling, interleaved.
    const informed = makeReconciler(store, runtime);
    const polling = new PollingRuntime({ kubeConfig: proxy.kubeConfig(), namespace, instance: INSTANCE, writes: runtime, concurrency: APPLY_CONCURRENCY });
    const polled = makeReconciler(store, polling);
    reconcilers.push(informed, polled);
    const passes: { informers: Pass[]; polling: Pass[] } = { informers: [], polling: [] };
    for (let i = 0; i < PASSES; i++) {
      passes.informers.push(await timedPass(`informers ${i + 1}`, informed, spaces, proxy, runtime));
      passes.polling.push(await timedPass(`polling ${i + 1}`, polled, spaces, proxy, runtime));
    }

    const summarize = (ps: Pass[]) => {
      const requests = ps.reduce((sum, p) => sum + p.requests.total, 0);
      return {
        passes: ps.length,
        pass_ms: median(ps.map((p) => p.ms)),
        pass_ms_runs: ps.map((p) => Math.round(p.ms)),
        requests_per_pass: requests / ps.length,
        requests_per_unchanged_space: requests / ps.length / SPACES,
        runtime_api_calls_per_pass: ps.reduce((sum, p) => sum + p.apiCalls, 0) / ps.length,
        requests_by_verb: ps.map((p) => p.requests),
      };
    };
    const steady = { informers: summarize(passes.informers), polling: summarize(passes.polling) };
    const result = {
      spaces: SPACES,
      apply_concurrency: APPLY_CONCURRENCY,
      bench_nodes: capacity.nodeNames.length,
      informer_start_requests: startRequests,
      apply: {
        ms: tApplied - t0,
        requests: applyRequests,
        requests_per_space: applyRequests.total / SPACES,
        runtime_api_calls: applyCalls,
      },
      ready: { ms_from_first_apply: tReady - t0, ms_from_last_apply: tReady - tApplied, requests_while_waiting: readyWaitRequests, controller_manager: controllerManager },
      steady,
      load_average: (await import('node:os')).loadavg(),
      measured_at: new Date().toISOString(),
    };

    process.stdout.write(`\n${SPACES} Spaces, one release each, on the test cluster's API server:\n\n`);
    printTable(['measure', 'ms', 'API requests', 'per Space'], [
      [`apply all (KubernetesRuntime.apply, ${APPLY_CONCURRENCY} at a time)`, fmt(result.apply.ms), String(applyRequests.total), (applyRequests.total / SPACES).toFixed(2)],
      ['first apply → all ready per runtime.list()', fmt(result.ready.ms_from_first_apply), String(readyWaitRequests.total), '–'],
    ]);
    if (controllerManager) {
      process.stdout.write(
        `\nkube-controller-manager from the first apply to all ready: ${controllerManager.requests} requests, ${controllerManager.rateLimiterWaitS.toFixed(0)} s waited in its client-side rate limiter (summed over requests)\n`,
      );
    }
    process.stdout.write(`\nSteady state: a full Reconciler pass over ${SPACES} unchanged Spaces (median of ${PASSES} passes, interleaved):\n\n`);
    printTable(['runtime', 'pass ms', 'ms per Space', 'API requests per pass', 'per unchanged Space'], [
      ['KubernetesRuntime (informers)', fmt(steady.informers.pass_ms), (steady.informers.pass_ms / SPACES).toFixed(3), String(steady.informers.requests_per_pass), String(steady.informers.requests_per_unchanged_space)],
      ['polling (2 GETs per list(), 2 list() per pass)', fmt(steady.polling.pass_ms), (steady.polling.pass_ms / SPACES).toFixed(3), String(steady.polling.requests_per_pass), String(steady.polling.requests_per_unchanged_space)],
    ]);
    process.stdout.write(`\npolling / informers pass time = ${(steady.polling.pass_ms / steady.informers.pass_ms).toFixed(1)}×\n`);
    writeResult('k8s-reconcile', result);
  } finally {
    for (const r of reconcilers) await r.close().catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(runMark, { force: true });
    if (namespace) await deleteNamespace(cluster, namespace).catch((err: unknown) => log(`cleanup: ${String(err)}`));
    await capacity.remove().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
