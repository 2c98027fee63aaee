import type { Logger } from 'pino';
import WebSocket from 'ws';
import { controllerUrl, type ControllerClientOptions } from './controller-client.js';
import type { Route, RouteChange, RouteSource } from './route.js';
import { parseStreamMessage, ROUTE_STREAM_PATH, type StreamMessage } from './route-stream-protocol.js';
import { RouteStreamState } from './route-stream-state.js';

export interface RemoteRouteSourceOptions extends ControllerClientOptions {
  logger: Logger;
  /** No frame and no ping from the controller for this long: the connection is dead (default 30 000; the controller pings every 10 s). */
  idleTimeoutMs?: number;
  /** Reconnect delay: doubles from `initialMs` up to `maxMs`, with jitter (defaults 500 and 15 000). */
  backoff?: { initialMs?: number; maxMs?: number };
}

export type RouteStreamStatus =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  | { kind: 'waiting'; attempt: number; retryInMs: number; error?: string }
  | { kind: 'closed' };

export interface RouteStreamStats {
  status: RouteStreamStatus;
  /** Snapshots applied (the first one, and each reconnect the controller could not resume). */
  snapshots: number;
  /** Reconnects resumed from the last revision (only the missed changes were sent). */
  resumes: number;
  epoch?: string;
  rev?: number;
  routes: number;
}

/**
 * The controller's route table over the network: a websocket stream of a snapshot then changes
 * (docs/route-stream.md). Reconnects with backoff and resumes from its last revision; while
 * disconnected it keeps serving the routes it holds. `snapshot()` is empty until the first snapshot
 * arrives, then subscribers hear every route as an upsert (a `RouteTable` built before that fills in).
 */
export class RemoteRouteSource implements RouteSource {
  readonly #o: RemoteRouteSourceOptions;
  readonly #log: Logger;
  readonly #state = new RouteStreamState();
  readonly #subscribers = new Set<(change: RouteChange) => void>();
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  #ws: WebSocket | undefined;
  #status: RouteStreamStatus = { kind: 'connecting', attempt: 0 };
  #attempt = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #snapshots = 0;
  #resumes = 0;
  #closed: Promise<void> | undefined;

  constructor(opts: RemoteRouteSourceOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ module: 'route-stream' });
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.#connect();
  }

  snapshot(): Route[] {
    return [...this.#state.routes.values()];
  }

  subscribe(onChange: (change: RouteChange) => void): () => void {
    this.#subscribers.add(onChange);
    return () => this.#subscribers.delete(onChange);
  }

  /** Resolves once the first snapshot is applied. */
  ready(): Promise<void> {
    return this.#ready;
  }

  get hasSnapshot(): boolean {
    return this.#snapshots > 0;
  }

  stats(): RouteStreamStats {
    const rp = this.#state.resumePoint();
    return { status: this.#status, snapshots: this.#snapshots, resumes: this.#resumes, epoch: rp?.epoch, rev: rp?.rev, routes: this.#state.routes.size };
  }

  /** Stop reconnecting and close the stream (a close frame, then the socket). The routes stay readable. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#status = { kind: 'closed' };
      clearTimeout(this.#retryTimer);
      clearTimeout(this.#idleTimer);
      const ws = this.#ws;
      if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
      const force = setTimeout(() => ws.terminate(), 1000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'proxy closing');
    });
    return this.#closed;
  }

  #connect(): void {
    if (this.#closed) return;
    const url = controllerUrl(this.#o.controllerUrl, ROUTE_STREAM_PATH);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const resume = this.#state.resumePoint();
    if (resume) {
      url.searchParams.set('epoch', resume.epoch);
      url.searchParams.set('since', String(resume.rev));
    }
    this.#status = { kind: 'connecting', attempt: this.#attempt };
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.#o.token}` },
      handshakeTimeout: this.#o.requestTimeoutMs ?? 10_000,
      maxPayload: 256 * 1024 * 1024,
      perMessageDeflate: false,
    });
    this.#ws = ws;
    let lastError: string | undefined;
    ws.on('open', () => {
      this.#status = { kind: 'open' };
      this.#armIdle(ws);
    });
    ws.on('ping', () => this.#armIdle(ws));
    ws.on('message', (data, isBinary) => {
      this.#armIdle(ws);
      if (isBinary) return this.#resync(ws, 'binary frame');
      let msg: StreamMessage;
      try {
        msg = parseStreamMessage(data.toString());
      } catch (err) {
        return this.#resync(ws, `unreadable frame: ${(err as Error).message.slice(0, 200)}`);
      }
      this.#onMessage(ws, msg);
    });
    ws.on('error', (err) => (lastError = err.message));
    ws.on('close', (code) => {
      clearTimeout(this.#idleTimer);
      this.#state.disconnected();
      if (this.#ws === ws) this.#ws = undefined;
      if (this.#closed) return;
      this.#scheduleReconnect(lastError ?? `closed (${code})`);
    });
  }

  #onMessage(ws: WebSocket, msg: StreamMessage): void {
    const result = this.#state.apply(msg);
    if (result.kind === 'resync') return this.#resync(ws, result.reason);
    if (result.via !== 'change') {
      this.#attempt = 0;
      if (result.via === 'snapshot') this.#snapshots++;
      else this.#resumes++;
      const rp = this.#state.resumePoint();
      this.#log.info({ via: result.via, epoch: rp?.epoch, rev: rp?.rev, routes: this.#state.routes.size, changes: result.changes.length }, 'route stream in sync');
    }
    for (const change of result.changes) {
      for (const s of this.#subscribers) s(change);
    }
    if (result.via === 'snapshot') this.#resolveReady();
  }

  /** The stream cannot be trusted: drop the resume point and reconnect for a snapshot. */
  #resync(ws: WebSocket, reason: string): void {
    this.#log.warn({ reason }, 'route stream out of step; reconnecting for a snapshot');
    this.#state.forgetResumePoint();
    ws.terminate();
  }

  #armIdle(ws: WebSocket): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#log.warn({ idleMs: this.#o.idleTimeoutMs ?? 30_000 }, 'route stream silent; reconnecting');
      ws.terminate();
    }, this.#o.idleTimeoutMs ?? 30_000);
    this.#idleTimer.unref();
  }

  #scheduleReconnect(error: string): void {
    const initial = this.#o.backoff?.initialMs ?? 500;
    const max = this.#o.backoff?.maxMs ?? 15_000;
    const base = Math.min(max, initial * 2 ** Math.min(this.#attempt, 20));
    const retryInMs = Math.round(base / 2 + (Math.random() * base) / 2);
    this.#attempt++;
    this.#status = { kind: 'waiting', attempt: this.#attempt, retryInMs, error };
    this.#retryTimer = setTimeout(() => this.#connect(), retryInMs);
    if (/\b401$/.test(error)) {
      // Will not heal by itself: say so on every attempt (the backoff bounds the rate).
      this.#log.error({ error, retryInMs }, 'controller refused the internal token: SPACEPORT_INTERNAL_TOKEN must match the controller\'s');
      return;
    }
    // The first failure after being in sync is worth a warning; repeats only at debug.
    const level = this.#attempt === 1 ? 'warn' : 'debug';
    this.#log[level]({ error, retryInMs, attempt: this.#attempt, routes: this.#state.routes.size }, 'route stream disconnected; serving the routes held');
  }
}
