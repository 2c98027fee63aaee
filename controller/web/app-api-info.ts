import http from 'node:http';
import type { Route } from '../../proxy/index.js';

/** One input or output of a Gradio endpoint, as `/gradio_api/info` (Gradio 5+) or `/info` (4.x) describe it. */
export interface GradioValue {
  label?: string;
  parameter_name?: string;
  parameter_has_default?: boolean;
  parameter_default?: unknown;
  python_type?: { type?: string; description?: string };
  component?: string;
  example_input?: unknown;
}

export interface GradioEndpoint {
  parameters: GradioValue[];
  returns: GradioValue[];
  show_api?: boolean;
}

export interface GradioApiInfo {
  named_endpoints: Record<string, GradioEndpoint>;
}

/**
 * What the "Use via API" page can say about a Space's app: its API description (and the prefix its
 * routes live under: `/gradio_api` on Gradio 5+, none on 4.x), or why there is none right now.
 */
export type AppApiInfo =
  | { kind: 'ready'; prefix: '' | '/gradio_api'; info: GradioApiInfo }
  /** No container: the description comes from the running app, so it must be woken first. */
  | { kind: 'asleep' }
  /** Building, starting, paused or failed: nothing to ask. */
  | { kind: 'not-running'; stage: string }
  /** It runs but did not answer with a description in time, within the size cap, or as JSON. */
  | { kind: 'unavailable'; why: 'timeout' | 'too-large' | 'not-gradio' | 'unreachable' };

export interface AppApiInfoOptions {
  /** One deadline for both requests (Gradio 5's path, then 4.x's). */
  timeoutMs?: number;
  /** Larger answers are cut off (an app with thousands of endpoints still fits in far less). */
  maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

type Fetched = { kind: 'json'; value: unknown } | { kind: 'status'; status: number } | { kind: 'failed'; why: 'timeout' | 'too-large' | 'unreachable' };

/** GET `path` from the app's own endpoint (the proxy's route target), with the deadline and the cap. */
function getJson(endpoint: { host: string; port: number }, path: string, signal: AbortSignal, maxBytes: number): Promise<Fetched> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Fetched): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const onAbort = (): void => done({ kind: 'failed', why: 'timeout' });
    const req = http.request({ host: endpoint.host, port: endpoint.port, path, method: 'GET', agent: false, headers: { accept: 'application/json', 'user-agent': 'spaceport-api-info', connection: 'close' } });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return done({ kind: 'status', status: res.statusCode ?? 0 });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) return done({ kind: 'failed', why: 'too-large' });
        chunks.push(c);
      });
      res.on('end', () => {
        try {
          done({ kind: 'json', value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          done({ kind: 'status', status: 200 });
        }
      });
      res.on('error', () => done({ kind: 'failed', why: 'unreachable' }));
    });
    req.on('error', () => done({ kind: 'failed', why: 'unreachable' }));
    req.end();
  });
}

function isApiInfo(v: unknown): v is GradioApiInfo {
  if (typeof v !== 'object' || v === null) return false;
  const named = (v as { named_endpoints?: unknown }).named_endpoints;
  if (typeof named !== 'object' || named === null) return false;
  return Object.values(named).every((e) => typeof e === 'object' && e !== null && Array.isArray((e as GradioEndpoint).parameters) && Array.isArray((e as GradioEndpoint).returns));
}

/**
 * Ask a Space's running app for its API description, as `gradio_client`'s `view_api` does:
 * `/gradio_api/info` (Gradio 5 and later), else `/info` (Gradio 4). Only a route with a running
 * target is asked; nothing here wakes a Space. Never throws.
 */
export async function fetchAppApiInfo(route: Route | undefined, opts: AppApiInfoOptions = {}): Promise<AppApiInfo> {
  if (!route) return { kind: 'not-running', stage: 'NO_APP_FILE' };
  const t = route.target;
  if (t.kind === 'sleeping' || t.kind === 'waking') return { kind: 'asleep' };
  if (t.kind !== 'running') return { kind: 'not-running', stage: route.stage };
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  for (const prefix of ['/gradio_api', ''] as const) {
    const r = await getJson(t.endpoint, `${prefix}/info`, signal, maxBytes);
    if (r.kind === 'failed') return { kind: 'unavailable', why: r.why };
    if (r.kind === 'json' && isApiInfo(r.value)) return { kind: 'ready', prefix, info: r.value };
    if (r.kind === 'json' || r.status !== 404) return { kind: 'unavailable', why: 'not-gradio' };
  }
  return { kind: 'unavailable', why: 'not-gradio' };
}
