/**
 * Shared pieces of the benchmarks that drive a whole Spaceport on the real Docker engine: a
 * harness with the Docker adapters, timed HTTP polls through the proxy, and cleanup of the
 * containers and images one benchmark created (never anything else on the engine).
 */
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { silentLogger } from '../core/index.js';
import { dockerAdapters } from '../controller/docker-adapters.js';
import { startHarness, type Harness } from '../test/support/spaceport-harness.js';

export function startDockerHarness(instance: string): Promise<Harness> {
  const installer = process.env.SPACEPORT_PYTHON_INSTALLER;
  return startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: instance, ...(installer ? { SPACEPORT_PYTHON_INSTALLER: installer } : {}) });
}

export interface FirstByte {
  status: number;
  /** Milliseconds from sending the request to its response headers (the first byte). */
  firstByteMs: number;
  /** Milliseconds from sending the request to the end of its body. */
  totalMs: number;
  body: string;
}

/**
 * One GET with an explicit Host, timed to the first byte of the response and to the end of its body:
 * to 127.0.0.1:port (or `address`), on a fresh connection unless an `agent` (keep-alive) is given.
 */
export function timedGet(opts: { port: number; host: string; path?: string; timeoutMs?: number; address?: string; agent?: http.Agent }): Promise<FirstByte> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      { host: opts.address ?? '127.0.0.1', port: opts.port, path: opts.path ?? '/', method: 'GET', agent: opts.agent ?? false, headers: { host: opts.host, accept: '*/*' } },
      (res) => {
        const firstByteMs = performance.now() - t0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, firstByteMs, totalMs: performance.now() - t0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout: GET ${opts.host}${opts.path ?? '/'}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Milliseconds until GET `path` answers 200 with a body containing `marker` (polled every
 * `everyMs`, bounded by `timeoutMs`).
 */
export async function msUntil200(opts: { port: number; host: string; marker: string; path?: string; timeoutMs: number; everyMs?: number }): Promise<number> {
  const start = performance.now();
  for (;;) {
    const r = await timedGet({ port: opts.port, host: opts.host, path: opts.path, timeoutMs: 10_000 }).catch(() => undefined);
    if (r?.status === 200 && r.body.includes(opts.marker)) return performance.now() - start;
    if (performance.now() - start > opts.timeoutMs) {
      throw new Error(`no 200 with ${opts.marker} from ${opts.host} after ${opts.timeoutMs} ms (last: ${r?.status ?? 'no answer'})`);
    }
    await new Promise((res) => setTimeout(res, opts.everyMs ?? 20));
  }
}

/** What the shared helpers need of a Spaceport: its API and a stage wait (a `Harness`, or a client of a `spaceport up` process). */
export type SpaceApi = Pick<Harness, 'api' | 'waitStage'>;

/** Put a Space to sleep: a 1 s sleep time, wait for SLEEPING, then 10 minutes again (so it stays awake once woken). */
export async function sleepSpace(h: SpaceApi, space: string): Promise<void> {
  await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 1 });
  await h.waitStage(space, ['SLEEPING'], 60_000);
  await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 600 });
}

/** Remove the containers of one bench instance (name filter) and the images of its Spaces. */
export async function removeBenchDockerObjects(docker: Dockerode, instance: string, subdomains: readonly string[]): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { name: [instance] } })) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  }
  for (const sub of subdomains) {
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${sub}*`] } })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    }
  }
}

export function writeResult(name: string, result: unknown): string {
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function fmt(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(0) : '–';
}
