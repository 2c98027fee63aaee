/**
 * What HAProxy holds for one Space during a wake, read through its runtime API (the same socket the
 * driver uses): when the Space's host entered the map (`show map`, polled), and how many app answers
 * HAProxy itself carried for it (`gpc0` of the `spaces` stick table: only requests that took the
 * native path count there, never those that fell to Spaceport).
 */
import path from 'node:path';
import { HaproxyRuntimeApi, haproxyFiles } from '../../proxy/data-plane/index.js';

export function haproxyOf(dataDir: string): HaproxyRuntimeApi {
  const files = haproxyFiles(path.join(dataDir, 'haproxy'));
  return new HaproxyRuntimeApi({ socket: files.socket, map: files.map });
}

/** App responses under 400 that HAProxy carried for `host` since it started. */
export async function servedByHaproxy(api: HaproxyRuntimeApi, host: string): Promise<number> {
  return (await api.counters()).find((c) => c.host === host)?.responses ?? 0;
}

/**
 * Connections HAProxy opened to apps (`connect`) and requests it sent on an idle one it kept
 * (`reuse`), since it started: the `spaces` backend's one server in `show stat`.
 */
export async function appConnectionsOf(api: HaproxyRuntimeApi): Promise<{ connect: number; reuse: number }> {
  const [head, ...rows] = (await api.command('show stat')).split('\n');
  const cols = (head ?? '').replace(/^# /, '').split(',');
  const row = rows.map((r) => r.split(',')).find((r) => r[0] === 'spaces' && r[1] === 'app');
  if (!row) throw new Error("show stat: no row for the spaces backend's server");
  return { connect: Number(row[cols.indexOf('connect')]), reuse: Number(row[cols.indexOf('reuse')]) };
}

export async function isMapped(api: HaproxyRuntimeApi, host: string): Promise<boolean> {
  return (await api.routes()).has(host);
}

/** Polls the map every `everyMs` until `host` is in it; `mappedAt` is then performance.now() of that poll. */
export class MapWatch {
  mappedAt: number | undefined;
  readonly #done: Promise<void>;
  #stopped = false;

  constructor(api: HaproxyRuntimeApi, host: string, everyMs = 5) {
    this.#done = (async () => {
      while (!this.#stopped) {
        if (await isMapped(api, host).catch(() => false)) {
          this.mappedAt = performance.now();
          return;
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
  }

  /** Wait until mapped, or `timeoutMs`; then stop polling. */
  async until(timeoutMs: number): Promise<number | undefined> {
    const timer = setTimeout(() => (this.#stopped = true), timeoutMs);
    await this.#done;
    clearTimeout(timer);
    return this.mappedAt;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }
}
