import net from 'node:net';
import { H1Connection } from './h1-connection.js';
import { UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-request.js';

export interface H1PoolOptions {
  host: string;
  port: number;
  /** Upper bound of connections; further requests wait in order. */
  connections: number;
  connectTimeoutMs: number;
}

/**
 * Keep-alive HTTP/1.1 connections to one app endpoint, one request at a time on each (nginx's
 * upstream keepalive, undici's Pool with pipelining 1), written and read by us: the request head in
 * one write, the response framed by response-parser.ts. It costs about a third less CPU per request
 * than undici on the proxy's hot path (bench/proxy: node-forwarder vs spaceport).
 */
export class H1Pool {
  readonly #opts: H1PoolOptions;
  readonly #idle: H1Connection[] = [];
  readonly #all = new Set<H1Connection>();
  #open = 0;
  #connecting = 0;
  readonly #queue: Array<[UpstreamRequest, UpstreamHandler]> = [];
  #closing: (() => void) | undefined = undefined;
  #closed = false;

  constructor(opts: H1PoolOptions) {
    this.#opts = opts;
  }

  /** No longer taking requests (`close` or `destroy` was called). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Open connections (busy or idle). */
  get connections(): number {
    return this.#open;
  }

  dispatch(req: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.#closed) {
      handler.onError(new UpstreamError('UND_ERR_CLOSED', 'the endpoint left the route table'));
      return;
    }
    const conn = this.#idle.pop();
    if (conn !== undefined) conn.run(req, handler);
    else if (this.#open + this.#connecting < this.#opts.connections) this.#connect(req, handler);
    else this.#queue.push([req, handler]);
  }

  #connect(req: UpstreamRequest, handler: UpstreamHandler): void {
    this.#connecting += 1;
    const socket = net.connect({ host: this.#opts.host, port: this.#opts.port });
    let settled = false;
    const timer = setTimeout(() => fail(new UpstreamError('UND_ERR_CONNECT_TIMEOUT', 'connecting to the app timed out')), this.#opts.connectTimeoutMs);
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.#connecting -= 1;
      socket.destroy();
      handler.onError(err);
      this.#next();
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', fail);
      this.#connecting -= 1;
      this.#open += 1;
      const conn = new H1Connection(socket, this);
      this.#all.add(conn);
      if (this.#closed) {
        socket.destroy();
        handler.onError(new UpstreamError('UND_ERR_CLOSED', 'the endpoint left the route table'));
        return;
      }
      conn.run(req, handler);
    });
  }

  /** A connection finished a request and may carry another. */
  onIdle(conn: H1Connection): void {
    if (this.#closed) {
      conn.socket.destroy();
      return;
    }
    const next = this.#queue.shift();
    if (next !== undefined) conn.run(next[0], next[1]);
    else this.#idle.push(conn);
  }

  /** A connection closed (after an error, a non-reusable response, an idle timeout or the app's close). */
  onGone(conn: H1Connection): void {
    this.#open -= 1;
    this.#all.delete(conn);
    const i = this.#idle.indexOf(conn);
    if (i >= 0) this.#idle.splice(i, 1);
    this.#next();
    if (this.#closing && this.#open + this.#connecting === 0) this.#closing();
  }

  #next(): void {
    if (this.#closed) {
      for (const [, handler] of this.#queue.splice(0)) handler.onError(new UpstreamError('UND_ERR_CLOSED', 'the endpoint left the route table'));
      return;
    }
    if (this.#queue.length > 0 && this.#open + this.#connecting < this.#opts.connections) {
      const [req, handler] = this.#queue.shift()!;
      this.#connect(req, handler);
    }
  }

  /** Stop taking requests; in-flight ones finish, idle connections close. */
  close(): Promise<void> {
    this.#closed = true;
    this.#next();
    for (const c of this.#idle.splice(0)) c.socket.destroy();
    if (this.#open + this.#connecting === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#closing = resolve;
    });
  }

  /** Close every connection now, busy or not. */
  destroy(): Promise<void> {
    const done = this.close();
    for (const c of this.#all) c.socket.destroy();
    return done;
  }
}
