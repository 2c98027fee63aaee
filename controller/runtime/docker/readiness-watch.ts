import { setTimeout as sleep } from 'node:timers/promises';
import { probeHttp, type ProbeTarget } from '../readiness-probe.js';

/**
 * How long one probe of the readiness watch may wait for the app's answer. Longer than a pass's own
 * probe (`DEFAULT_PROBE_TIMEOUT_MS`, 1 s: a pass must not wait on a hung app): the watch runs beside
 * the passes, and an app that is up but slow to render `/` (Gradio builds its page from the whole
 * app's config; on a loaded host that took over a second) was never seen ready while every probe gave
 * up at 1 s. A port with nothing behind it fails at once whatever this is.
 */
export const READINESS_WATCH_PROBE_TIMEOUT_MS = 10_000;

/** Probes every 100 ms for the first 30 tries (~3 s: most apps start then), then ×1.5 up to 1 s apart. */
const FAST_TRIES = 30;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 1_000;

/**
 * The wait before the watch's next probe after `tries` failed ones. The app's readiness is noticed at
 * most this late (a wake's request waits for it), so the first seconds, when a start usually
 * finishes, are probed often; a probe of a port with nothing listening is one refused connection.
 */
export function readinessDelayMs(tries: number): number {
  if (tries <= FAST_TRIES) return FIRST_DELAY_MS;
  return Math.min(MAX_DELAY_MS, Math.round(FIRST_DELAY_MS * 1.5 ** (tries - FAST_TRIES)));
}

export interface ReadinessWatchOptions {
  /** Where to probe now; undefined: stop watching (the instance stopped, was removed, or is known ready). */
  target(): ProbeTarget | undefined;
  /** Give up after this long. */
  watchMs: number;
  signal: AbortSignal;
  probeTimeoutMs?: number;
}

/** Probe until the app answers (true), or until `target()` says stop, the watch time passes or `signal` aborts (false). */
export async function watchUntilReady(opts: ReadinessWatchOptions): Promise<boolean> {
  const deadline = Date.now() + opts.watchMs;
  const timeoutMs = opts.probeTimeoutMs ?? READINESS_WATCH_PROBE_TIMEOUT_MS;
  for (let tries = 1; !opts.signal.aborted && Date.now() < deadline; tries++) {
    const target = opts.target();
    if (target === undefined) return false;
    const left = deadline - Date.now();
    if (await probeHttp(target, { timeoutMs: Math.max(1, Math.min(timeoutMs, left)), signal: opts.signal })) return true;
    const waited = await sleep(readinessDelayMs(tries), true, { signal: opts.signal }).catch(() => false);
    if (!waited) return false;
  }
  return false;
}
