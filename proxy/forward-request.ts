import type { IncomingMessage, ServerResponse } from 'node:http';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './forward-headers.js';
import type { ProxyContext } from './proxy-context.js';
import type { Endpoint, Route } from './route.js';
import { appErrorResponse } from './route-responses.js';
import { sendResponse } from './respond.js';
import type { UpstreamHandler, UpstreamRequest } from './upstream-h1/index.js';
import { errorCode, isRetryableUpstreamError, upstreamErrorLog } from './upstream-errors.js';

/** Delays before sending a failed idempotent request again (see isRetryableUpstreamError). */
const RETRY_DELAYS_MS = [50, 250, 1000];

const kForward = Symbol('spaceport.forward');

type ProxiedResponse = ServerResponse & { [kForward]?: ForwardHandler };

class ClientGoneError extends Error {
  readonly code = 'CLIENT_GONE';
  constructor() {
    super('client closed the connection');
  }
}

/**
 * One forwarded request, driven by the upstream pool's handler protocol (upstream-h1/): raw upstream headers go
 * straight into `res.writeHead`, body chunks are written with backpressure (the pool pauses reading
 * the app while the client is slow), and a client disconnect aborts the upstream request.
 */
class ForwardHandler implements UpstreamHandler {
  readonly #ctx: ProxyContext;
  readonly #requestId: string;
  readonly #route: Route;
  readonly #res: ServerResponse;
  #abort: ((err?: Error) => void) | undefined = undefined;
  #resume: (() => void) | undefined = undefined;
  /** Mark activity on every chunk (text/event-stream: counts while it flows). */
  #streaming = false;
  #done = false;
  /** The response was ended with the body's last chunk (onData `last`). */
  #ended = false;
  #clientGone = false;
  #attempt = 0;
  /** Times the request followed its app to a new endpoint, never sent to the one that left. */
  #moves = 0;
  #endpoint: Endpoint;
  readonly #options: UpstreamRequest;
  readonly #retryable: boolean;

  constructor(ctx: ProxyContext, route: Route, endpoint: Endpoint, res: ServerResponse, options: UpstreamRequest, requestId: string) {
    this.#ctx = ctx;
    this.#requestId = requestId;
    this.#route = route;
    this.#endpoint = endpoint;
    this.#res = res;
    this.#options = options;
    this.#retryable = options.body === null;
  }

  /** Send (or send again) the request on the endpoint's pool. */
  send(): void {
    this.#ctx.pools.get(this.#endpoint).dispatch(this.#options, this);
  }

  /**
   * Where a request not yet answered goes when sent again: the route's endpoint now, if the route
   * still runs the same Space with the same access (its app moved: a restart, a new release);
   * undefined when it no longer runs (asleep, gone, made private) or the proxy is closing, so the
   * failure stands.
   */
  #endpointNow(): Endpoint | undefined {
    if (this.#ctx.closing) return undefined;
    const now = this.#ctx.routes.get(this.#route.subdomain);
    if (now === undefined || now.target.kind !== 'running' || now.space !== this.#route.space || now.access !== this.#route.access) return undefined;
    return now.target.endpoint;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#clientGone) abort(new ClientGoneError());
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: string[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx interim responses are not relayed
    const res = this.#res;
    this.#resume = resume;
    const head = downstreamResponseHeaders(rawHeaders);
    // Our request id, unless the app answers with its own (which then wins, as it always did).
    if (!head.requestId) head.headers.push('x-request-id', this.#requestId);
    // Only the origins the operator allows may frame the app (a second CSP header only narrows the app's own).
    if (this.#ctx.opts.frameAncestors) addPolicy(head.headers, `frame-ancestors ${this.#ctx.opts.frameAncestors}`);
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

  onData(chunk: Buffer, last?: boolean): boolean {
    if (this.#streaming) this.#ctx.activity.mark(this.#route.space);
    if (last) {
      // The body's last bytes: head, body and end in one call (one pass through the response stream).
      this.#ended = true;
      this.#res.end(chunk);
      return true;
    }
    const ok = this.#res.write(chunk);
    if (!ok) this.#res.once('drain', onDrain);
    return ok;
  }

  onComplete(): void {
    this.#done = true;
    if (!this.#ended) this.#res.end();
  }

  onError(err: Error): void {
    if (this.#clientGone) {
      this.#done = true;
      return;
    }
    const res = this.#res;
    // The endpoint left the route table before the request was written (queued, or connecting): any
    // request, body or not, follows the route to where the app is now, at once. Each move answers a
    // route change (only that closes a pool the proxy still uses), so this cannot loop on its own.
    const moved = errorCode(err) === 'UND_ERR_CLOSED' && !res.headersSent ? this.#endpointNow() : undefined;
    if (moved !== undefined) {
      this.#moves += 1;
      this.#endpoint = moved;
      this.#abort = undefined;
      this.#ctx.logger.debug({ space: this.#route.space, req: this.#requestId, moves: this.#moves }, 'the app moved before the request was sent; sending it to its new endpoint');
      this.send();
      return;
    }
    const delay = RETRY_DELAYS_MS[this.#attempt];
    const again = this.#retryable && !res.headersSent && delay !== undefined && isRetryableUpstreamError(err, this.#options.method);
    if (again) {
      this.#attempt += 1;
      this.#abort = undefined;
      this.#ctx.logger.debug({ space: this.#route.space, req: this.#requestId, attempt: this.#attempt, ...upstreamErrorLog(err) }, 'upstream connection failed; trying again');
      setTimeout(() => {
        if (this.#clientGone) return;
        // To the app's endpoint now (it may have moved meanwhile); one that no longer runs fails here.
        const endpoint = this.#endpointNow();
        if (endpoint === undefined) this.#fail(err);
        else {
          this.#endpoint = endpoint;
          this.send();
        }
      }, delay).unref();
      return;
    }
    this.#fail(err);
  }

  /** The request failed for good: a 502 page, or a cut response when its head was already sent. */
  #fail(err: Error): void {
    const res = this.#res;
    this.#done = true;
    this.#ctx.logger.warn({ space: this.#route.space, req: this.#requestId, ...upstreamErrorLog(err) }, 'upstream request failed');
    if (res.headersSent) res.destroy(); // mid-body: the client must see a truncated response, not a clean end
    else {
      res.setHeader('x-request-id', this.#requestId);
      sendResponse(res, appErrorResponse(this.#route), undefined, this.#ctx.opts.pageHeaders);
    }
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
  requestId: string,
): void {
  const timeout = ctx.opts.upstreamTimeoutMs;
  const options: UpstreamRequest = {
    path: req.url ?? '/',
    method: req.method ?? 'GET',
    headers: upstreamRequestHeaders(req),
    body: hasBody(req) ? req : null,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  };
  const handler = new ForwardHandler(ctx, route, endpoint, res, options, requestId);
  (res as ProxiedResponse)[kForward] = handler;
  // 'close' comes once per response: `on` spares the wrapper `once` makes per request.
  res.on('close', onResClose);
  handler.send();
}

/**
 * Add a Content-Security-Policy to a flat header list. With the app's own policy present, the two
 * go in one header, comma-separated (two policies, both enforced): a second header line would
 * replace the first once the response has headers set by `setHeader` (X-Request-Id on a held request's response).
 */
function addPolicy(headers: string[], policy: string): void {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() === 'content-security-policy') {
      headers[i + 1] = `${headers[i + 1]}, ${policy}`;
      return;
    }
  }
  headers.push('Content-Security-Policy', policy);
}
