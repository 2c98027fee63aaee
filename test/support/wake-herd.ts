import Dockerode from 'dockerode';
import { request } from './http.js';

export interface HerdResult {
  requests: number;
  /** Answers with status 200 whose body passed `expect`. */
  ok: number;
  /** Other statuses (status → count) and failed requests ("error: …" → count). */
  other: Record<string, number>;
  /** Container starts of the Space reported by the engine during the herd. */
  starts: number;
  /** First request sent → last answer received. */
  ms: number;
}

/** Starts of a Space's containers reported by the engine between two times (epoch ms). */
export async function startsBetween(docker: Dockerode, space: string, sinceMs: number, untilMs: number): Promise<number> {
  const stream = (await docker.getEvents({
    since: (sinceMs / 1000).toFixed(3) as unknown as number,
    until: (untilMs / 1000 + 1).toFixed(3) as unknown as number,
    filters: { type: ['container'], event: ['start'], label: [`spaceport.space=${space}`] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter((l) => l.trim()).length;
}

/**
 * `n` concurrent requests (each on its own connection, as n different clients; not browsers, so
 * the proxy holds them while the Space wakes) to one Space through the hub port.
 */
export async function requestHerd(o: {
  docker: Dockerode;
  port: number;
  subdomain: string;
  space: string;
  n: number;
  expect: (body: string) => boolean;
  timeoutMs?: number;
}): Promise<HerdResult> {
  const t0 = Date.now();
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: o.n }, () =>
      request({ port: o.port, host: `${o.subdomain}.localhost:${o.port}`, path: '/', headers: { accept: '*/*', 'user-agent': 'herd/1' }, timeoutMs: o.timeoutMs ?? 180_000 }).then(
        (r) => (r.status === 200 && o.expect(r.body) ? 'ok' : String(r.status)),
        (err: unknown) => `error: ${(err as Error)?.message ?? String(err)}`,
      ),
    ),
  );
  const ms = performance.now() - started;
  const other: Record<string, number> = {};
  for (const r of results) if (r !== 'ok') other[r] = (other[r] ?? 0) + 1;
  return { requests: o.n, ok: results.filter((r) => r === 'ok').length, other, starts: await startsBetween(o.docker, o.space, t0, Date.now()), ms };
}
