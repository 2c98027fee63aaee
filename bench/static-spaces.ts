/**
 * N static Spaces (1,000 by default) on the real Docker engine, real git and the real proxy: each
 * created through the API (the Hub's initial commit with its starter page), built, and served from
 * its tree by the proxy. Measures how long until all are RUNNING, how many containers they cost
 * (`docker ps` for this install: the claim is zero), one GET of each Space's page through the proxy
 * (p50/p99), the process's RSS and the trees on disk.
 *
 *   npx tsx bench/static-spaces.ts          (COUNT=1000)
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import { removeBenchDockerObjects, startDockerHarness, timedGet, writeResult } from './space-bench.js';
import { percentile, printTable } from './stats.js';

const COUNT = Number(process.env.COUNT ?? 1000);
const INSTANCE = `bench-static-${randomBytes(3).toString('hex')}`;

async function main(): Promise<void> {
  const h = await startDockerHarness(INSTANCE);
  const docker = new Dockerode();
  const names = Array.from({ length: COUNT }, (_, i) => `s${i}-${randomBytes(2).toString('hex')}`);
  try {
    const t0 = performance.now();
    for (const name of names) {
      const r = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' });
      if (r.status !== 200) throw new Error(`create ${name}: ${r.status} ${r.body}`);
    }
    const created = performance.now() - t0;
    await h.sp.pipeline.idle();
    // Every Space RUNNING (the stage as the API reports it).
    let pending = [...names];
    while (pending.length > 0) {
      const still: string[] = [];
      for (const name of pending) if ((await h.stage(`admin/${name}`)).stage !== 'RUNNING') still.push(name);
      pending = still;
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 500));
      if (performance.now() - t0 > 1_800_000) throw new Error(`${pending.length} Spaces not RUNNING after 30 min`);
    }
    const allRunning = performance.now() - t0;
    const containers = (await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })).length;
    const times: number[] = [];
    let ok = 0;
    for (const name of names) {
      const r = await timedGet({ port: h.port, host: `admin-${name}.localhost:${h.port}` });
      if (r.status === 200) ok++;
      times.push(r.firstByteMs);
    }
    const trees = readdirSync(path.join(h.dataDir, 'static-trees')).filter((n) => /^[0-9a-f]{40}$/.test(n)).length;
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    const result = {
      spaces: COUNT,
      create_all_ms: Math.round(created),
      all_running_ms: Math.round(allRunning),
      containers,
      pages_200: ok,
      first_byte_ms: { p50: percentile(times, 50), p99: percentile(times, 99) },
      trees_on_disk: trees,
      rss_mb: Math.round(rssMb),
    };
    printTable(['measure', 'value'], [
      ['static Spaces', String(COUNT)],
      ['created through the API (ms)', String(result.create_all_ms)],
      ['all RUNNING (ms from the first create)', String(result.all_running_ms)],
      ['containers of this install (docker ps -a)', String(containers)],
      ['pages answering 200', `${ok}/${COUNT}`],
      ['GET / first byte p50 / p99 (ms)', `${result.first_byte_ms.p50.toFixed(1)} / ${result.first_byte_ms.p99.toFixed(1)}`],
      ['trees on disk (content-addressed: the starter page is one tree)', String(trees)],
      ['process RSS (MiB, controller + proxy in one process)', String(result.rss_mb)],
    ]);
    writeResult('static-spaces', result);
  } finally {
    await h.close();
    await removeBenchDockerObjects(docker, INSTANCE, names.map((n) => `admin-${n}`)).catch(() => undefined);
  }
}

void main();
