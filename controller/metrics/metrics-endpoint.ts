import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../core/index.js';
import type { SpaceportMetrics } from './spaceport-metrics.js';

export const METRICS_PATH = '/metrics';

/**
 * Who may scrape `/metrics` on the hub host (`SPACEPORT_METRICS`):
 * - `protected` (default): a client on loopback that came straight in (no `X-Forwarded-For`,
 *   `Forwarded` or `X-Real-IP`: a reverse proxy on the same host does not make the world local),
 *   or anyone with `Authorization: Bearer {SPACEPORT_METRICS_TOKEN}`;
 * - `public`: anyone (a private network where the port is not reachable from outside);
 * - `off`: nobody (404, as any unknown path).
 * A refused scrape is answered 404, so the endpoint's existence is not advertised.
 */
export type MetricsAccess = 'off' | 'protected' | 'public';

export interface MetricsEndpointOptions {
  metrics: SpaceportMetrics;
  access: MetricsAccess;
  token?: string;
  logger: Logger;
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function cameThroughProxy(req: IncomingMessage): boolean {
  return req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined;
}

function tokenMatches(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return false;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function mayScrape(req: IncomingMessage, opts: Pick<MetricsEndpointOptions, 'access' | 'token'>): boolean {
  if (opts.access === 'off') return false;
  if (opts.access === 'public') return true;
  if (tokenMatches(req, opts.token)) return true;
  return isLoopback(req.socket.remoteAddress) && !cameThroughProxy(req);
}

/** Serve `/metrics` when it is asked for (true), leave every other request alone (false). */
export function createMetricsEndpoint(opts: MetricsEndpointOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    if (url !== METRICS_PATH && !url.startsWith(`${METRICS_PATH}?`)) return false;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !mayScrape(req, opts)) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-error-code': 'NotFound', 'x-error-message': 'Not found.' }).end('{"error":"Not found."}');
      return true;
    }
    opts.metrics.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        opts.logger.error({ err }, 'metrics could not be collected');
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
    return true;
  };
}
