// Proxy benchmark: the same tiny Node backend behind each configuration, wrk on loopback with a Host
// header, repetitions interleaved, medians reported. Writes bench/results/proxy.json.
//   npx tsx bench/proxy/run.ts            (SPACEPORT_BENCH_SECONDS, SPACEPORT_BENCH_REPS to shorten)
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wrk } from './wrk.js';
import { processCpuMicros } from './process-cpu.js';
import { request, stopAll } from './processes.js';
import { HAPROXY, NGINX, WRK, requireTools } from './tools.js';
import { BENCH_HOST, directTarget, startBackend, startChp, startHaproxy, startNginx, startNodeForwarder, startSpaceport, startSpaceportNative, type Target } from './targets.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Math.max(1, Math.min(60, Number(process.env.SPACEPORT_BENCH_SECONDS ?? 10)));
const REPS = Math.max(1, Math.min(9, Number(process.env.SPACEPORT_BENCH_REPS ?? 3)));

interface Summary {
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  requireTools([NGINX, HAPROXY, WRK], log);
  const backend = await startBackend();
  const targets: Target[] = [];
  try {
    targets.push(directTarget(backend));
    targets.push(await startSpaceport(backend.port));
    targets.push(await startSpaceportNative(backend.port));
    targets.push(await startNodeForwarder(backend.port));
    targets.push(await startNginx(backend.port));
    targets.push(await startHaproxy(backend.port));
    targets.push(await startChp(backend.port));
    for (const t of targets) {
      const r = await request(t.port, { host: BENCH_HOST });
      if (r.status !== 200 || r.body !== 'hello') throw new Error(`${t.name} answered ${r.status} ${r.body.slice(0, 80)}`);
      await wrk(t.port, ['-t2', '-c50'], 2, { allowErrors: true }); // warm-up (JIT, connection pools)
    }
    const rps = new Map<string, number[]>();
    const p50 = new Map<string, number[]>();
    const p99 = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const cpuOf = (t: Target): number => t.pids().reduce((sum, pid) => sum + processCpuMicros(pid), 0);
    for (let rep = 1; rep <= REPS; rep++) {
      for (const t of targets) {
        const cpu0 = cpuOf(t);
        const thr = await wrk(t.port, ['-t2', '-c50'], SECONDS);
        const cpuPerReq = (cpuOf(t) - cpu0) / Math.max(1, thr.requests);
        cpu.set(t.name, [...(cpu.get(t.name) ?? []), cpuPerReq]);
        const lat = await wrk(t.port, ['-t1', '-c1', '--latency'], SECONDS);
        rps.set(t.name, [...(rps.get(t.name) ?? []), thr.rps]);
        p50.set(t.name, [...(p50.get(t.name) ?? []), lat.p50Ms ?? NaN]);
        p99.set(t.name, [...(p99.get(t.name) ?? []), lat.p99Ms ?? NaN]);
        log(`rep ${rep} ${t.name}: ${thr.rps.toFixed(0)} req/s (${cpuPerReq.toFixed(0)} µs CPU/req), p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms`);
      }
    }
    const results: Record<string, Summary> = {};
    for (const t of targets) {
      results[t.name] = {
        rps: Math.round(median(rps.get(t.name)!)),
        p50_ms: Number(median(p50.get(t.name)!).toFixed(3)),
        p99_ms: Number(median(p99.get(t.name)!).toFixed(3)),
      };
    }
    await mkdir(path.join(here, '../results'), { recursive: true });
    await writeFile(path.join(here, '../results/proxy.json'), `${JSON.stringify(results, null, 2)}\n`);
    const cpuMedians = new Map([...cpu].map(([k, v]) => [k, median(v)]));
    process.stdout.write(renderTable(results, cpuMedians));
  } finally {
    for (const t of targets.reverse()) await t.stop().catch(() => undefined);
    await backend.child.stop();
  }
}

function renderTable(r: Record<string, Summary>, cpu: Map<string, number>): string {
  const chp = r['configurable-http-proxy']!;
  const nginx = r.nginx!;
  const direct = r.direct!;
  const sp = r.spaceport!;
  const lines = [
    `Proxy benchmark: wrk -t2 -c50 -d${SECONDS}s (throughput), wrk -t1 -c1 -d${SECONDS}s --latency (latency); median of ${REPS}, interleaved.`,
    '',
    '| target | req/s | × CHP | × nginx | p50 ms (1 conn) | p99 ms (1 conn) | CPU µs/req * |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [name, s] of Object.entries(r)) {
    const c = cpu.get(name);
    lines.push(
      `| ${name} | ${s.rps} | ${(s.rps / chp.rps).toFixed(2)} | ${(s.rps / nginx.rps).toFixed(2)} | ${s.p50_ms} | ${s.p99_ms} | ${c === undefined ? '' : c.toFixed(0)} |`,
    );
  }
  lines.push('', '* CPU of the configuration\'s own processes per request at saturation (the backend\'s for direct); steadier than req/s on a busy machine.');
  lines.push(
    '',
    `spaceport/CHP rps: ${(sp.rps / chp.rps).toFixed(2)} (target ≥ 2.5)`,
    `spaceport/nginx rps: ${(sp.rps / nginx.rps).toFixed(2)} (target ≥ 0.50, issue 22)`,
    `haproxy/nginx rps: ${(r.haproxy!.rps / nginx.rps).toFixed(2)}`,
    `node-forwarder/nginx rps: ${(r['node-forwarder']!.rps / nginx.rps).toFixed(2)} (the floor of a node:http + undici proxy); spaceport CPU/req ${((cpu.get('spaceport') ?? NaN) / (cpu.get('node-forwarder') ?? NaN)).toFixed(2)}× node-forwarder`,
    `spaceport-native/nginx rps: ${(r['spaceport-native']!.rps / nginx.rps).toFixed(2)} (target ≥ 0.9), CPU/req ${((cpu.get('spaceport-native') ?? NaN) / (cpu.get('nginx') ?? NaN)).toFixed(2)}× nginx (target ≤ 1.3)`,
    `spaceport-native added latency over direct: p50 +${(r['spaceport-native']!.p50_ms - direct.p50_ms).toFixed(3)} ms (target ≤ 0.1)`,
    `added latency over direct: p50 +${(sp.p50_ms - direct.p50_ms).toFixed(3)} ms (target ≤ 1), p99 +${(sp.p99_ms - direct.p99_ms).toFixed(3)} ms (target ≤ 3)`,
    '',
  );
  return lines.join('\n');
}

// Whatever ends the run (an error, Ctrl-C, a kill by a CI timeout), no backend, proxy or nginx is
// left running: every child is tracked and stopped before exiting.
let ending = false;
async function end(code: number, err?: unknown): Promise<never> {
  if (!ending) {
    ending = true;
    if (err !== undefined) log(`bench-proxy failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll().catch(() => undefined);
  }
  process.exit(code);
}
process.on('SIGINT', () => void end(130));
process.on('SIGTERM', () => void end(143));
process.on('SIGHUP', () => void end(129));
process.on('uncaughtException', (err) => void end(1, err));
process.on('unhandledRejection', (err) => void end(1, err));
try {
  await main();
} catch (err) {
  await end(1, err);
}
