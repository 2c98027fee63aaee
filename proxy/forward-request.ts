import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './forward-headers.js';
import type { ProxyContext } from './proxy-context.js';
import type { Endpoint, Route } from './route.js';
import { appErrorResponse } from './route-responses.js';
import { sendResponse } from './respond.js';
import { upstreamErrorLog } from './upstream-errors.js';

const kForward = Symbol('spaceport.forward');

type ProxiedResponse = ServerResponse & { [kForward]?: ForwardHandler };

class ClientGoneError extends Error {
  readonly code = 'CLIENT_GONE';
  constructor() {
    super('client closed the connection');
  }
}

/**
 * One forwarded request, driven by undici's low-level dispatch handler: raw upstream headers go
 * straight into `res.writeHead`, body chunks are written with backpressure (undici pauses while the
 * client is slow), and a client disconnect aborts the upstream request.
 */
class ForwardHandler implements Dispatcher.DispatchHandler {
  readonly #ctx: ProxyContext;
  readonly #route: Route;
  readonly #res: ServerResponse;
  #abort: ((err?: Error) => void) | undefined = undefined;
  #resume: (() => void) | undefined = undefined;
  /** Mark activity on every chunk (text/event-stream: counts while it flows). */
  #streaming = false;
  #done = false;
  #clientGone = false;

  constructor(ctx: ProxyContext, route: Route, res: ServerResponse) {
    this.#ctx = ctx;
    this.#route = route;
    this.#res = res;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#clientGone) abort(new ClientGoneError());
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx interim responses are not relayed
    const res = this.#res;
    this.#resume = resume;
    const head = downstreamResponseHeaders(rawHeaders);
    res.writeHead(statusCode, statusText || undefined, head.headers);
    if (statusCode < 400) {
      this.#ctx.activity.mark(this.#route.space);
      if (head.eventStream) {
        this.#streaming = true;
        res.flushHeaders(); // the client sees the stream open before the first event
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#streaming) this.#ctx.activity.mark(this.#route.space);
    const ok = this.#res.write(chunk);
    if (!ok) this.#res.once('drain', onDrain);
    return ok;
  }

  onComplete(): void {
    this.#done = true;
    this.#res.end();
  }

  onError(err: Error): void {
    this.#done = true;
    if (this.#clientGone) return;
    const res = this.#res;
    this.#ctx.logger.warn({ space: this.#route.space, ...upstreamErrorLog(err) }, 'upstream request failed');
    if (res.headersSent) res.destroy(); // mid-body: the client must see a truncated response, not a clean end
    else sendResponse(res, appErrorResponse(this.#route));
  }

  /** The client's response closed: before completion that means the client went away. */
  clientClosed(): void {
    if (this.#done) return;
    this.#clientGone = true;
    this.#done = true;
    this.#abort?.(new ClientGoneError());
  }

  drained(): void {
    this.#resume?.();
  }
}

function onResClose(this: ProxiedResponse): void {
  this[kForward]?.clientClosed();
}

function onDrain(this: ProxiedResponse): void {
  this[kForward]?.drained();
}

/** Does the request carry a body to stream upstream? */
function hasBody(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const len = h['content-length'];
  return len !== undefined && len !== '0';
}

/** Forward one HTTP request to a running Space's endpoint. */
export function forwardRequest(
  ctx: ProxyContext,
  route: Route,
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const handler = new ForwardHandler(ctx, route, res);
  (res as ProxiedResponse)[kForward] = handler;
  res.once('close', onResClose);
  const timeout = ctx.opts.upstreamTimeoutMs;
  ctx.pools.get(endpoint).dispatch(
    {
      path: req.url ?? '/',
      method: req.method ?? 'GET',
      headers: upstreamRequestHeaders(req),
      body: hasBody(req) ? req : null,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    },
    handler,
  );
}
