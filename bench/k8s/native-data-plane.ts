/**
 * Issue 22, item 3 (s30): the native data plane on the test cluster. A controller in cluster mode
 * (on the host, which is the cluster's real node), a Space whose pod runs on the real node (a
 * static Go HTTP server answering "hello" on keep-alive connections, built here), and, in one run,
 * interleaved: direct to the pod IP, nginx (1 worker, keep-alive upstream to the pod IP: the named
 * alternative), a proxy replica with the native data plane (HAProxy in front, as the chart's
 * `proxy.dataPlane: haproxy` runs it, driven by the replica's route stream), and a proxy replica
 * on the Node path. wrk -t2 -c50 for throughput, -t1 -c1 for latency, as `make bench-proxy`.
 *
 * CPU per request: nginx's processes; for the replicas, this process (controller and both replicas
 * share it; the controller and the idle replica cost little next to the load) plus HAProxy's for the
 * native path. So the replicas' CPU figures are upper bounds.
 *
 *   npx tsx bench/k8s/native-data-plane.ts      (SPACEPORT_BENCH_SECONDS=5, SPACEPORT_BENCH_REPS=3)
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { kubernetesAdapters } from '../../controller/kubernetes-adapters.js';
import { silentLogger } from '../../core/index.js';
import { startProxyServer, type RunningProxyServer } from '../../proxy/index.js';
import { git, makeWorkTree, pushUrl } from '../../test/support/git-client.js';
import { useTestCluster } from '../../test/support/k8s-cluster.js';
import { clusterModeEnv } from '../../test/support/k8s-spaceport.js';
import { ADMIN_TOKEN, startHarness } from '../../test/support/spaceport-harness.js';
import { ensureTestImage, TEST_IMAGE } from '../../test/support/test-image.js';
import { parseWrk, type WrkResult } from '../proxy/parse-wrk.js';
import { childPids, processCpuMicros } from '../proxy/process-cpu.js';
import { stopAll } from '../proxy/processes.js';
import { startNginx } from '../proxy/targets.js';
import { HAPROXY, NGINX, WRK, requireTools, toolPath } from '../proxy/tools.js';
import { median, printTable } from '../stats.js';

const run = promisify(execFile);
const SECONDS = Math.max(1, Number(process.env.SPACEPORT_BENCH_SECONDS ?? 5));
const REPS = Math.max(1, Number(process.env.SPACEPORT_BENCH_REPS ?? 3));
const RUN = randomBytes(3).toString('hex');
const TOKEN = `bench-native-k8s-${RUN}-0123456789abcdef`;
const PORT = 8000;
const HOST = 'admin-bench-native.localhost';
const GO = process.env.SPACEPORT_GO ?? '/usr/local/go/bin/go';

const SERVER_GO = `package main

import "net/http"

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello"))
	})
	http.ListenAndServe(":${PORT}", nil)
}
`;

interface Measured {
  name: string;
  port: number;
  /** CPU µs so far of the path's own process (nginx's, HAProxy's), and of this process (both replicas' Node side, the controller). */
  cpu: () => { own: number; node: number };
}

/** wrk against `url` (a proxy on loopback, with the Space's Host header; or the pod itself). */
async function wrk(url: string, args: string[], host?: string): Promise<WrkResult> {
  const { stdout } = await run(toolPath(WRK), [...args, `-d${SECONDS}s`, ...(host ? ['-H', `Host: ${host}`] : []), url], { timeout: (SECONDS + 30) * 1000 });
  return parseWrk(stdout);
}

/** The app: a static Go binary on the test image (busybox), pushed as a docker Space. */
function appFiles(dir: string): Record<string, string> {
  writeFileSync(path.join(dir, 'main.go'), SERVER_GO);
  writeFileSync(path.join(dir, 'go.mod'), 'module hello\n\ngo 1.21\n');
  execFileSync(GO, ['build', '-trimpath', '-ldflags=-s -w', '-o', 'server', '.'], { cwd: dir, env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' } });
  return {
    'README.md': `---\ntitle: Bench native\nsdk: docker\napp_port: ${PORT}\n---\n`,
    Dockerfile: `FROM ${TEST_IMAGE}\nCOPY server /server\nCMD ["/server"]\n`,
  };
}

async function main(): Promise<void> {
  requireTools([NGINX, HAPROXY, WRK], (l) => process.stderr.write(`${l}\n`));
  const cluster = await useTestCluster();
  await ensureTestImage(new Dockerode());
  const namespace = await cluster.createNamespace('sp-bench-native');
  const h = await startHarness((config) => kubernetesAdapters(config, silentLogger()), { ...clusterModeEnv(cluster, { namespace, run: `bnative-${RUN}` }), SPACEPORT_INTERNAL_TOKEN: TOKEN });
  const dirs: string[] = [];
  const replicas: RunningProxyServer[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  try {
    const build = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-go-'));
    dirs.push(build);
    const files = appFiles(build);
    const work = await makeWorkTree(files);
    dirs.push(work);
    copyFileSync(path.join(build, 'server'), path.join(work, 'server'));
    const space = 'admin/bench-native';
    if ((await h.api('POST', '/api/repos/create', { name: 'bench-native', type: 'space', sdk: 'docker' })).status !== 200) throw new Error('create failed');
    await git(['add', 'server'], work);
    await git(['commit', '-q', '-m', 'server'], work);
    const pushed = await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work);
    if (pushed.code !== 0) throw new Error(`push: ${pushed.stderr}`);
    const rt = await h.waitStage(space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'], 900_000);
    if (rt.stage !== 'RUNNING') throw new Error(`${space}: ${rt.stage} ${rt.errorMessage ?? ''}`);
    const pod = (JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'pods', '-o', 'json'])).items as { status: { podIP: string } }[])[0]!;
    const podIp = pod.status.podIP;
    const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-native-'));
    dirs.push(dir);
    const common = { controllerUrl: h.sp.url, token: TOKEN, port: 0, host: '127.0.0.1', domain: 'localhost', logger: silentLogger() };
    const native = await startProxyServer({ ...common, native: { dir: path.join(dir, 'haproxy') } });
    const node = await startProxyServer(common);
    replicas.push(native, node);
    await Promise.all(replicas.map((r) => r.routes.ready()));
    for (let i = 0; !(await native.native!.api.routes()).has(HOST); i++) {
      if (i > 600) throw new Error('the Space never reached HAProxy’s map');
      await new Promise((r) => setTimeout(r, 100));
    }
    nginx = await startNginx(PORT, podIp, HOST);
    const haproxyPid = native.native!.process.pid!;
    const self = () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    const nginxPid = nginx.pids()[0]!;
    const targets: Measured[] = [
      { name: 'direct (pod IP)', port: 0, cpu: () => ({ own: 0, node: 0 }) },
      { name: 'nginx, 1 worker (the alternative)', port: nginx.port, cpu: () => ({ own: [nginxPid, ...childPids(nginxPid)].reduce((s, p) => s + processCpuMicros(p), 0), node: 0 }) },
      { name: 'replica, native data plane (HAProxy)', port: native.port, cpu: () => ({ own: processCpuMicros(haproxyPid), node: self() }) },
      { name: 'replica, Node path', port: node.port, cpu: () => ({ own: 0, node: self() }) },
    ];
    const rps = new Map<string, number[]>();
    const p50 = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const ownCpu = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
    const load = (t: Measured, args: string[]) => (t.port ? wrk(`http://127.0.0.1:${t.port}/`, args, HOST) : wrk(`http://${podIp}:${PORT}/`, args));
    for (const t of targets) await load(t, ['-t2', '-c50']); // warm-up
    for (let rep = 1; rep <= REPS; rep++) {
      for (const t of targets) {
        const c0 = t.cpu();
        const thr = await load(t, ['-t2', '-c50']);
        const c1 = t.cpu();
        const n = Math.max(1, thr.requests);
        const perReq = (c1.own - c0.own + c1.node - c0.node) / n;
        push(ownCpu, t.name, (c1.own - c0.own) / n);
        const lat = await load(t, ['-t1', '-c1', '--latency']);
        if (thr.errors > 0) throw new Error(`${t.name}: wrk saw ${thr.errors} errors`);
        push(rps, t.name, thr.rps);
        push(p50, t.name, lat.p50Ms ?? NaN);
        push(cpu, t.name, perReq);
        process.stderr.write(`rep ${rep} ${t.name}: ${thr.rps.toFixed(0)} req/s, ${perReq.toFixed(0)} µs CPU/req (own process ${((c1.own - c0.own) / n).toFixed(0)}), p50 ${lat.p50Ms} ms\n`);
      }
    }
    const m = (map: Map<string, number[]>, k: string) => median(map.get(k)!);
    const ng = targets[1]!.name;
    const d = targets[0]!.name;
    printTable(
      ['target', 'req/s', '× nginx', 'CPU µs/req (all)', 'CPU × nginx', 'of which HAProxy / nginx', 'p50 ms (1 conn)', 'p50 over direct'],
      targets.map((t) => [
        t.name,
        m(rps, t.name).toFixed(0),
        (m(rps, t.name) / m(rps, ng)).toFixed(2),
        t.port ? m(cpu, t.name).toFixed(0) : '',
        t.port ? (m(cpu, t.name) / m(cpu, ng)).toFixed(2) : '',
        t.port ? m(ownCpu, t.name).toFixed(0) : '',
        m(p50, t.name).toFixed(3),
        `+${(m(p50, t.name) - m(p50, d)).toFixed(3)}`,
      ]),
    );
    process.stdout.write(`\nwrk -t2 -c50 -d${SECONDS}s (throughput), wrk -t1 -c1 -d${SECONDS}s --latency; medians of ${REPS}, interleaved; the pod on node ${cluster.realNode}.\n`);
  } finally {
    await nginx?.stop().catch(() => undefined);
    for (const r of replicas) await r.close().catch(() => undefined);
    await h.close();
    await cluster.deleteNamespace(namespace).catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await stopAll().catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
