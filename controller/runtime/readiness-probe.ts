import http from 'node:http';

export interface ProbeTarget {
  host: string;
  port: number;
}

export interface ProbeOptions {
  /** Give up after this long (connect and response headers). */
  timeoutMs: number;
  signal?: AbortSignal;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

/**
 * Is the app answering? An HTTP GET `/`: any HTTP response, whatever its status, means the app
 * listens on its port. A refused or reset connection (Docker's port proxy accepts and then drops
 * connections while nothing listens inside), a timeout or a non-HTTP answer means not ready.
 * Never throws.
 */
export function probeHttp(target: ProbeTarget, opts: ProbeOptions): Promise<boolean> {
  return new Promise((resolve) => {
    if (opts.signal?.aborted) {
      resolve(false);
      return;
    }
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const req = http.request({
      host: target.host,
      port: target.port,
      path: '/',
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'spaceport-readiness-probe', connection: 'close' },
    });
    const timer = setTimeout(() => done(false), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      res.resume();
      done(true);
    });
    req.on('error', () => done(false));
    req.end();
  });
}
