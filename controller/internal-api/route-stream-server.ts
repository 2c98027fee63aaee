import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../core/index.js';
import type { ResumePoint } from '../../proxy/index.js';
import type { RouteLog } from './route-log.js';

export interface RouteStreamServerOptions {
  log: RouteLog;
  logger: Logger;
  /** The server pings every client this often; a client that missed one pong is dropped (default 10 000). */
  heartbeatMs?: number;
  /** A client whose unsent frames exceed this is dropped (it reconnects and resumes; default 16 MiB). */
  maxBufferedBytes?: number;
}

interface Client {
  ws: WebSocket;
  alive: boolean;
  off: () => void;
}

/** `?epoch=…&since=…` → where a reconnecting client resumes, or undefined (it gets a snapshot). */
export function resumePointOf(url: string | undefined): ResumePoint | undefined {
  const q = new URL(url ?? '/', 'http://x').searchParams;
  const epoch = q.get('epoch');
  const since = q.get('since');
  if (!epoch || since === null || !/^\d{1,15}$/.test(since)) return undefined;
  return { epoch, rev: Number(since) };
}

/**
 * The websocket side of `GET /internal/routes`: each client gets a snapshot (or `resumed` and the
 * changes it missed), then every change as it happens. Protocol pings keep both sides honest.
 */
export class RouteStreamServer {
  readonly #o: RouteStreamServerOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false });
  readonly #clients = new Set<Client>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(opts: RouteStreamServerOptions) {
    this.#o = opts;
    this.#heartbeat = setInterval(() => this.#ping(), opts.heartbeatMs ?? 10_000);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Take over an authenticated upgrade request. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#serve(ws, resumePointOf(req.url), req.socket.remoteAddress));
  }

  /** Close every stream (clients reconnect elsewhere or later) and stop pinging. */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const c of this.#clients) {
      c.off();
      c.ws.terminate();
    }
    this.#clients.clear();
    this.#wss.close();
  }

  #serve(ws: WebSocket, resume: ResumePoint | undefined, peer: string | undefined): void {
    const { log, logger } = this.#o;
    const max = this.#o.maxBufferedBytes ?? 16 * 1024 * 1024;
    const client: Client = { ws, alive: true, off: () => {} };
    const send = (frame: string) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > max) {
        logger.warn({ peer, buffered: ws.bufferedAmount }, 'route stream client too slow; dropping it');
        ws.terminate();
        return;
      }
      ws.send(frame);
    };
    // Initial frames and the subscription in one tick: no change can fall between them.
    const missed = resume ? log.framesSince(resume) : undefined;
    const frames = missed ?? [log.snapshotFrame()];
    client.off = log.subscribe(send);
    this.#clients.add(client);
    for (const f of frames) send(f);
    logger.info({ peer, rev: log.rev, resumed: missed !== undefined, since: resume?.rev, clients: this.#clients.size }, 'route stream client connected');

    ws.on('pong', () => (client.alive = true));
    ws.on('message', () => {}); // clients have nothing to say; frames are ignored
    ws.on('error', (err) => logger.debug({ peer, err: err.message }, 'route stream client error'));
    ws.on('close', () => {
      client.off();
      this.#clients.delete(client);
      logger.info({ peer, clients: this.#clients.size }, 'route stream client gone');
    });
  }

  #ping(): void {
    for (const c of this.#clients) {
      if (!c.alive) {
        this.#o.logger.warn('route stream client missed a heartbeat; dropping it');
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}
