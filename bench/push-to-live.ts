/**
 * Push-to-live for a static Space: time from `git push` (starting, and returning) to the first 200
 * with the new page from its subdomain, on the real Docker engine and the real proxy. Each run pushes
 * a new commit. Two series in one run: the Space served from its tree by the proxy (no container),
 * and, as the named alternative, built into an image and run as a container (as before). Prints a
 * table; medians of RUNS.
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

interface Series {
  pushes: number[];
  /** From `git push` returning. */
  afterPush: number[];
  /** From `git push` starting: what an author waits. */
  total: number[];
  containers: number;
}

/** RUNS pushes of a static Space: served from its tree by the proxy (`tree`), or built into an image and run (`container`, as before). */
async function series(mode: 'tree' | 'container'): Promise<Series> {
  const instance = `${INSTANCE}-${mode}`;
  const name = `${NAME}-${mode}`;
  const h = await startHarness(async (config) => ({ ...(await dockerAdapters(config, silentLogger())), staticSpacesAsImages: mode === 'container' }), { SPACEPORT_INSTANCE_NAME: instance });
  const work = await makeWorkTree({ 'README.md': '---\nsdk: static\npython_version: "3.13"\n---\n', 'index.html': 'warm-up' });
  const host = `admin-${name}.localhost:${h.port}`;
  const out: Series = { pushes: [], afterPush: [], total: [], containers: 0 };
  const docker = new Dockerode();
  try {
    await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' });
    // Warm-up: base image and first build (not measured).
    await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
    await timeUntil(h.port, host, 'warm-up', 600_000);
    for (let i = 0; i < RUNS; i++) {
      const marker = `run-${i}-${randomBytes(4).toString('hex')}`;
      await commitFiles(work, { 'index.html': `<h1>${marker}</h1>` }, marker);
      const t0 = performance.now();
      const push = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
      if (push.code !== 0) throw new Error(push.stderr);
      const pushed = performance.now() - t0;
      out.pushes.push(pushed);
      const after = await timeUntil(h.port, host, marker);
      out.afterPush.push(after);
      out.total.push(pushed + after);
    }
    out.containers = (await docker.listContainers({ all: true, filters: { name: [instance] } })).length;
  } finally {
    await h.api('DELETE', '/api/repos/delete', { name, type: 'space' });
    await h.close();
    rmSync(work, { recursive: true, force: true });
    for (const c of await docker.listContainers({ all: true, filters: { name: [instance] } })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${name}*`] } })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    }
  }
  return out;
}

const stat = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)), p90: Math.round(percentile(xs, 90)) });

async function main(): Promise<void> {
  // The named alternative in the same run: the same pushes to a static Space run as a container.
  const tree = await series('tree');
  const container = await series('container');
  const result = {
    runs: RUNS,
    tree: { git_push_ms: stat(tree.pushes), push_returned_to_live_ms: stat(tree.afterPush), push_to_live_ms: stat(tree.total), containers: tree.containers },
    container: { git_push_ms: stat(container.pushes), push_returned_to_live_ms: stat(container.afterPush), push_to_live_ms: stat(container.total), containers: container.containers },
  };
  const row = (label: string, xs: number[]) => [label, median(xs).toFixed(0), Math.min(...xs).toFixed(0), Math.max(...xs).toFixed(0)];
  printTable(['measure', 'median ms', 'min ms', 'max ms'], [
    row('tree: git push', tree.pushes),
    row('tree: push returned → first 200 with the new page', tree.afterPush),
    row('tree: push started → first 200 with the new page', tree.total),
    row('container: git push', container.pushes),
    row('container: push returned → first 200 with the new page', container.afterPush),
    row('container: push started → first 200 with the new page', container.total),
  ]);
  process.stdout.write(`containers left running: tree ${tree.containers}, container ${container.containers}\n`);
  mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(path.join(import.meta.dirname, 'results', 'push-to-live.json'), `${JSON.stringify(result, null, 2)}\n`);
}

void main();
