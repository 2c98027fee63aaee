/**
 * Push-to-live for a static Space: time from `git push` returning to the first 200 with the new
 * page from its subdomain, on the real Docker engine. Each run pushes a new commit (a code-only
 * change: new tree, dependency layers cached). Prints a table; median of RUNS.
 *
 *   npx tsx bench/push-to-live.ts          (RUNS=7 by default)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { silentLogger } from '../core/index.js';
import { dockerAdapters } from '../controller/docker-adapters.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../test/support/git-client.js';
import { request } from '../test/support/http.js';
import { ADMIN_TOKEN, startHarness } from '../test/support/spaceport-harness.js';
import { median, percentile, printTable } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 7);
const INSTANCE = `bench-${randomBytes(3).toString('hex')}`;
const NAME = `push-${randomBytes(3).toString('hex')}`;

async function timeUntil(port: number, host: string, marker: string, timeoutMs = 120_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    const r = await request({ port, path: '/', host }).catch(() => undefined);
    if (r?.status === 200 && r.body.includes(marker)) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`no ${marker} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function main(): Promise<void> {
  const h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
  const work = await makeWorkTree({ 'README.md': '---\nsdk: static\n---\n', 'index.html': 'warm-up' });
  const host = `admin-${NAME}.localhost:${h.port}`;
  const rows: number[] = [];
  const pushes: number[] = [];
  try {
    await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'static' });
    // Warm-up: base image and first build (not measured).
    await git(['push', '--force', pushUrl(h.port, `admin/${NAME}`, ADMIN_TOKEN), 'main'], work);
    await timeUntil(h.port, host, 'warm-up', 600_000);
    for (let i = 0; i < RUNS; i++) {
      const marker = `run-${i}-${randomBytes(4).toString('hex')}`;
      await commitFiles(work, { 'index.html': `<h1>${marker}</h1>` }, marker);
      const t0 = performance.now();
      const push = await git(['push', '--force', pushUrl(h.port, `admin/${NAME}`, ADMIN_TOKEN), 'main'], work);
      if (push.code !== 0) throw new Error(push.stderr);
      pushes.push(performance.now() - t0);
      rows.push(await timeUntil(h.port, host, marker));
    }
  } finally {
    await h.api('DELETE', '/api/repos/delete', { name: NAME, type: 'space' });
    await h.close();
    rmSync(work, { recursive: true, force: true });
    const docker = new Dockerode();
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${NAME}*`] } })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    }
  }
  const result = {
    runs: RUNS,
    git_push_ms: { median: median(pushes) },
    push_to_live_ms: { median: median(rows), min: Math.min(...rows), max: Math.max(...rows), p90: percentile(rows, 90) },
  };
  printTable(['measure', 'median ms', 'min ms', 'max ms'], [
    ['git push (returns once the build is queued)', median(pushes).toFixed(0), Math.min(...pushes).toFixed(0), Math.max(...pushes).toFixed(0)],
    ['push returned → first 200 with the new page', median(rows).toFixed(0), Math.min(...rows).toFixed(0), Math.max(...rows).toFixed(0)],
  ]);
  mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(path.join(import.meta.dirname, 'results', 'push-to-live.json'), `${JSON.stringify(result, null, 2)}\n`);
}

void main();
