import type { Socket } from 'node:net';
import { ResponseParser, type ParserEvents, type ResponseHeadEvent } from './response-parser.js';
import { UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-request.js';

/** How long an idle keep-alive connection is kept, unless the app's `Keep-Alive: timeout=N` says less (undici's default). */
export const IDLE_MS = 4000;

/**
 * One keep-alive connection to an app, carrying one request at a time (no pipelining). `onIdle`
 * hands it back to its pool after a response that leaves it reusable; `onGone` after it closed.
 */
export class H1Connection {
  readonly socket: Socket;
  #exchange: Exchange | undefined = undefined;
  /**
   * Two timers per connection, made once and re-armed with `refresh()` (no timer made per request):
   * the idle one closes the connection once it has sat in the pool `#idleMs`; the deadline one fails
   * the exchange whose head or body is late. A timer that fires when it no longer applies (the
   * connection busy again, the exchange over) does nothing.
   */
  #idleTimer: NodeJS.Timeout | undefined = undefined;
  #idleMs = 0;
  #idle = false;
  #deadline: NodeJS.Timeout | undefined = undefined;
  #deadlineMs = 0;
  #deadlineArmed = false;
  readonly #pool: { onIdle(c: H1Connection, idleMs: number): void; onGone(c: H1Connection): void };

  constructor(socket: Socket, pool: { onIdle(c: H1Connection, idleMs: number): void; onGone(c: H1Connection): void }) {
    this.socket = socket;
    this.#pool = pool;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => (this.#exchange ? this.#exchange.data(d) : socket.destroy()));
    socket.on('end', () => (this.#exchange ? this.#exchange.ended() : socket.destroy()));
    socket.on('error', (err: Error) => this.#exchange?.fail(err));
    socket.on('drain', () => this.#exchange?.drained());
    socket.on('close', () => {
      this.#clearTimers();
      this.#exchange?.fail(new UpstreamError('UND_ERR_SOCKET', 'the app closed the connection'));
      this.#pool.onGone(this);
    });
  }

  get busy(): boolean {
    return this.#exchange !== undefined;
  }

  run(req: UpstreamRequest, handler: UpstreamHandler): void {
    this.#idle = false;
    this.#exchange = new Exchange(this, req, handler);
    this.#exchange.start();
  }

  /** Called by the exchange when it is over; a reusable connection goes back to the pool. */
  finished(reusable: boolean, idleMs: number): void {
    this.#exchange = undefined;
    this.#deadlineArmed = false;
    if (!reusable || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.#idle = true;
    if (this.#idleTimer !== undefined && this.#idleMs === idleMs) this.#idleTimer.refresh();
    else {
      this.#clearIdle();
      this.#idleMs = idleMs;
      this.#idleTimer = setTimeout(() => {
        if (this.#idle) this.socket.destroy();
      }, idleMs);
      this.#idleTimer.unref();
    }
    this.#pool.onIdle(this, idleMs);
  }

  /** Fail the running exchange if nothing calls `arm` or `disarm` again within `ms` (0: no deadline). */
  armDeadline(ms: number): void {
    if (ms <= 0) {
      this.#deadlineArmed = false;
      return;
    }
    this.#deadlineArmed = true;
    if (this.#deadline !== undefined && this.#deadlineMs === ms) {
      this.#deadline.refresh();
      return;
    }
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadlineMs = ms;
    this.#deadline = setTimeout(() => {
      if (this.#deadlineArmed) this.#exchange?.timedOut();
    }, ms);
    this.#deadline.unref();
  }

  disarmDeadline(): void {
    this.#deadlineArmed = false;
  }

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #clearTimers(): void {
    this.#clearIdle();
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }
}

/** The idle time an app allows, from `Keep-Alive: timeout=N` (seconds), less a second of margin. */
function idleFromHints(rawHeaders: string[]): number {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === 10 && rawHeaders[i]!.toLowerCase() === 'keep-alive') {
      const m = /timeout=(\d+)/i.exec(rawHeaders[i + 1]!);
      if (m) return Math.max(0, Math.min(IDLE_MS, Number(m[1]) * 1000 - 1000));
    }
  }
  return IDLE_MS;
}

function hasHeader(headers: string[], lower: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.length === lower.length && headers[i]!.toLowerCase() === lower) return true;
  return false;
}

/** One request and its response on a connection (its own parser's listener: no closures per request). */
class Exchange implements ParserEvents {
  readonly #conn: H1Connection;
  readonly #req: UpstreamRequest;
  readonly #handler: UpstreamHandler;
  readonly #parser: ResponseParser;
  #over = false;
  #bodySent: boolean;
  #chunked = false;
  #head: ResponseHeadEvent | undefined = undefined;
  /** What a missed deadline means now: no head yet, or the body stalled. */
  #late: 'head' | 'body' = 'head';
  #pausedByHandler = false;

  constructor(conn: H1Connection, req: UpstreamRequest, handler: UpstreamHandler) {
    this.#conn = conn;
    this.#req = req;
    this.#handler = handler;
    this.#bodySent = req.body === null;
    this.#parser = new ResponseParser(req.method === 'HEAD', this);
  }

  start(): void {
    const { req } = this;
    this.#handler.onConnect((err) => this.fail(err ?? new UpstreamError('UND_ERR_ABORTED', 'request aborted')));
    if (this.#over) return;
    let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
    const h = req.headers;
    for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
    if (!hasHeader(h, 'host')) head += `host: ${this.#conn.socket.remoteAddress}:${this.#conn.socket.remotePort}\r\n`;
    if (req.body !== null && !hasHeader(h, 'content-length')) {
      this.#chunked = true;
      head += 'transfer-encoding: chunked\r\n';
    }
    this.#conn.socket.write(`${head}\r\n`, 'latin1');
    this.#arm('head');
    if (req.body !== null) this.#streamBody(req.body);
  }

  get req(): UpstreamRequest {
    return this.#req;
  }

  #streamBody(body: NonNullable<UpstreamRequest['body']>): void {
    const socket = this.#conn.socket;
    const onData = (chunk: Buffer): void => {
      if (this.#over) return;
      const ok = this.#chunked ? socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n') : socket.write(chunk);
      if (!ok) body.pause();
    };
    const onEnd = (): void => {
      cleanup();
      if (this.#over) return;
      if (this.#chunked) socket.write('0\r\n\r\n');
      this.#bodySent = true;
    };
    const onAbort = (): void => {
      cleanup();
      this.fail(new UpstreamError('UND_ERR_ABORTED', 'the client stopped sending the request body'));
    };
    const cleanup = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onAbort);
      body.off('close', onClose);
    };
    const onClose = (): void => {
      if (!this.#bodySent) onAbort();
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onAbort);
    body.on('close', onClose);
    this.#bodyStream = body;
  }

  #bodyStream: NonNullable<UpstreamRequest['body']> | undefined = undefined;

  drained(): void {
    this.#bodyStream?.resume();
  }

  data(d: Buffer): void {
    if (this.#over) return;
    try {
      this.#parser.feed(d);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (this.#pausedByHandler && !this.#over) {
      this.#conn.socket.pause();
      this.#disarm();
    }
  }

  ended(): void {
    if (this.#over) return;
    this.#parser.end();
    if (!this.#over) this.fail(new UpstreamError('UND_ERR_SOCKET', 'the app closed the connection before the response ended'));
  }

  onHead(head: ResponseHeadEvent): void {
    this.#head = head;
    this.#arm('body');
    this.#handler.onHeaders(head.status, head.rawHeaders, () => this.#resume(), head.statusText);
    if (this.#over) this.#parser.stop();
  }

  onBody(chunk: Buffer, last?: boolean): void {
    if (this.#over) return;
    if (!last) this.#arm('body');
    if (!this.#handler.onData(chunk, last)) this.#pausedByHandler = true;
  }

  #resume(): void {
    if (!this.#pausedByHandler || this.#over) return;
    this.#pausedByHandler = false;
    this.#arm('body');
    this.#conn.socket.resume();
  }

  onComplete(): void {
    if (this.#over) return;
    this.#over = true;
    this.#disarm();
    const reusable = this.#head!.keepAlive && this.#bodySent;
    if (!this.#bodySent) this.#bodyStream?.resume(); // let the client finish sending into the void
    this.#conn.finished(reusable, reusable ? idleFromHints(this.#head!.rawHeaders) : 0);
    this.#handler.onComplete();
  }

  fail(err: Error): void {
    if (this.#over) return;
    this.#over = true;
    this.#disarm();
    this.#parser.stop();
    this.#conn.finished(false, 0);
    this.#handler.onError(err);
  }

  /** Start (or restart) the wait for the head or the next body bytes. */
  #arm(late: 'head' | 'body'): void {
    this.#late = late;
    this.#conn.armDeadline(late === 'head' ? this.#req.headersTimeout : this.#req.bodyTimeout);
  }

  #disarm(): void {
    this.#conn.disarmDeadline();
  }

  /** The connection's deadline passed while this exchange waited. */
  timedOut(): void {
    if (this.#late === 'head') this.fail(new UpstreamError('UND_ERR_HEADERS_TIMEOUT', 'the app sent no response head in time'));
    else this.fail(new UpstreamError('UND_ERR_BODY_TIMEOUT', 'the app stopped sending the response body'));
  }
}
