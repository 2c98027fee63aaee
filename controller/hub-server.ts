import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { SpaceportError, fail, requestContext, requestIdFrom, type Config, type Logger } from '../core/index.js';
import { hostHeaderCount, type Proxy } from '../proxy/index.js';
import { isGitRequest, type GitHttpHandler } from './git/index.js';
import type { InternalApi } from './internal-api/index.js';
import { guardBody, type BodyDeadline } from './body-deadline.js';

export interface HubServerParts {
  api: Express;
  git: GitHttpHandler;
  proxy: Proxy;
  /** `/internal/…` for proxy replicas (route stream, activity, wake). */
  internal?: InternalApi;
  logger: Logger;
  /** `/metrics` on the hub host: answers (true) or leaves the request alone (false). */
  metrics?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** Set on every hub-host response (see `hubSecurityHeaders`). */
  securityHeaders?: ReadonlyArray<[string, string]>;
  /** Told of every finished hub-host request (metrics). */
  onHubRequest?: (info: { method: string; status: number; seconds: number }) => void;
  /** Deadlines for hub-host request bodies (API, LFS, git); none when absent. */
  bodyDeadline?: BodyDeadline;
  /**
   * Host names that are the hub even under the Spaces domain (`hub.spaces.example.com` with the
   * domain `spaces.example.com`: one wildcard certificate): routed to the hub before Space hosts.
   */
  hubHosts?: ReadonlySet<string>;
}

/** The host name of a Host header, lowercased, without its port. */
function hostnameOf(host: string | undefined): string {
  const h = (host ?? '').toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/**
 * One public port, two kinds of host: `{subdomain}.{domain}` goes to the proxy (apps, websockets);
 * anything else is the hub (its own host first, even under the domain): git smart HTTP under
 * `/spaces/…`, the API otherwise.
 */
export function createHubServer(parts: HubServerParts): http.Server {
  const isSpaceHost = (host: string | undefined): boolean =>
    !parts.hubHosts?.has(hostnameOf(host)) && parts.proxy.isSpaceHost(host) !== undefined;
  // Node would answer a request without Host with a bare 400 (and keeps the first of two): answer both here, with an error code.
  // No total request timeout (a long push on a slow link is honest): hub bodies get an idle timeout and a minimum rate instead (body-deadline.ts).
  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000, requireHostHeader: false }, (req, res) => {
    const hosts = hostHeaderCount(req.rawHeaders);
    if (hosts > 1 || (hosts === 0 && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1)) {
      const e = fail('proxyHostHeaderNotSingle');
      const body = JSON.stringify({ error: e.message });
      res.writeHead(e.status, { 'content-type': 'application/json', 'x-error-code': e.code, 'x-error-message': e.message, connection: 'close' }).end(body);
      return;
    }
    if (isSpaceHost(req.headers.host)) {
      parts.proxy.handleRequest(req, res);
      return;
    }
    // The hub host: a request id (the client's when sane) in the response and in every log line
    // written on its behalf, the security headers, one access-log line.
    const id = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', id);
    for (const [name, value] of parts.securityHeaders ?? []) res.setHeader(name, value);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      parts.onHubRequest?.({ method: req.method ?? '', status: res.statusCode, seconds });
      // Proxy replicas' activity batches (every second) and scrapes are routine: debug.
      const routine = req.url?.startsWith('/internal/') === true || req.url === '/metrics';
      const line = { method: req.method, url: req.url, status: res.statusCode, ms: Math.round(seconds * 1000) };
      requestContext.run({ id }, () => (routine ? parts.logger.debug(line, 'request done') : parts.logger.info(line, 'request done')));
    });
    const git = isGitRequest(req.method, req.url);
    if (parts.bodyDeadline) {
      guardBody(req, res, parts.bodyDeadline, {
        watchResponse: git,
        onTimeout: (why) => requestContext.run({ id }, () => parts.logger.warn({ method: req.method, url: req.url, why }, 'request body too slow: connection closed')),
      });
    }
    requestContext.run({ id }, () => {
      if (parts.metrics?.(req, res)) return;
      if (parts.internal?.handleRequest(req, res)) return;
      if (git) {
        parts.git(req, res).catch((err: unknown) => {
          parts.logger.error({ err }, 'git request failed');
          if (!res.headersSent) res.writeHead(500, { 'x-error-code': 'Internal', 'x-error-message': 'Internal error.' }).end();
          else res.destroy();
        });
        return;
      }
      parts.api(req, res);
    });
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    if (isSpaceHost(req.headers.host)) {
      parts.proxy.handleUpgrade(req, socket, head);
      return;
    }
    if (parts.internal?.handleUpgrade(req, socket, head)) return;
    socket.end(rawErrorResponse(fail('websocketNotServed')));
  });
  // Requests Node cannot parse (bad request line, header overflow, bad chunking) never reach a handler.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const e = err.code === 'HPE_HEADER_OVERFLOW'
      ? new SpaceportError('HeadersTooLarge')
      : fail('requestUnparsable', { errno: err.code });
    socket.end(rawErrorResponse(e));
  });
  return server;
}

/** Listen on SPACEPORT_HOST and SPACEPORT_PORT; resolves to the port listened on. */
export async function listenHub(server: http.Server, config: Readonly<Config>): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.SPACEPORT_PORT, config.SPACEPORT_HOST, () => resolve());
    });
  } catch (err) {
    throw listenError(err, config);
  }
  return (server.address() as AddressInfo).port;
}

/** A failed listen as an error that names the port, the address and the settings that change them. */
function listenError(err: unknown, config: Readonly<Config>): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return fail('portInUse', { host: config.SPACEPORT_HOST, port: config.SPACEPORT_PORT }, { cause: err });
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return fail('listenFailed', { host: config.SPACEPORT_HOST, port: config.SPACEPORT_PORT, errno: code }, { cause: err });
  }
  return err;
}

/** A whole HTTP/1.1 error response for a raw socket, with `X-Error-Code` like every other error. */
export function rawErrorResponse(err: SpaceportError): string {
  const body = JSON.stringify({ error: err.message });
  const message = err.message.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 500);
  return (
    `HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
    `X-Error-Code: ${err.code}\r\nX-Error-Message: ${message}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
