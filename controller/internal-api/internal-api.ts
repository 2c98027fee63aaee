import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ZodError, type ZodType } from 'zod';
import { SpaceportError, fail, toSpaceportError, type Logger } from '../../core/index.js';
import {
  ACCESS_PATH,
  accessBodySchema,
  ACTIVITY_PATH,
  activityBatchSchema,
  ROUTE_STREAM_PATH,
  TREE_HASH,
  TREES_PATH,
  WAKE_PATH,
  wakeBodySchema,
  type AccessChecker,
  type ActivitySink,
  type Waker,
} from '../../proxy/index.js';
import type { InProcessRouteTable } from '../lifecycle/index.js';
import { bearerMatches } from './internal-auth.js';
import { RouteLog } from './route-log.js';
import { RouteStreamServer } from './route-stream-server.js';
import { packTree } from './tree-archive.js';

export const INTERNAL_PREFIX = '/internal/';

export interface InternalApiOptions {
  /** `SPACEPORT_INTERNAL_TOKEN`. Unset: every `/internal/` path answers 404 (proxies run in-process). */
  token: string | undefined;
  routes: InProcessRouteTable;
  activity: ActivitySink;
  waker: Waker;
  /** Answers proxies asking whether a bearer token may use a private app (absent: always no). */
  access?: AccessChecker;
  logger: Logger;
  /** Changes kept for resuming clients (default 4096). */
  bufferSize?: number;
  heartbeatMs?: number;
  /** Static Spaces' trees, served to replicas as tars at `GET /internal/trees/{hash}` (absent: 404). */
  staticTrees?: { has(tree: string): Promise<boolean>; pathOf(tree: string): string };
}

export interface InternalApi {
  /** Serve the request if its path is under `/internal/`; false otherwise (the caller routes it on). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Take the upgrade if its path is under `/internal/`; false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Stream clients connected now. */
  streamClients(): number;
  /** Close every route stream. */
  close(): void;
}

const MAX_BODY = 2 * 1024 * 1024;

const pathOf = (url: string | undefined): string => (url ?? '/').split('?')[0]!;

/** Header values must be one line of Latin-1. */
const headerSafe = (text: string): string => text.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 1000);

function sendError(res: ServerResponse, err: SpaceportError): void {
  if (res.headersSent) return void res.destroy();
  res
    .writeHead(err.status, { 'content-type': 'application/json', 'x-error-code': err.code, 'x-error-message': headerSafe(err.message) })
    .end(JSON.stringify({ error: err.message }));
}

function rawError(socket: Duplex, err: SpaceportError): void {
  const body = JSON.stringify({ error: err.message });
  const reason = err.status === 401 ? 'Unauthorized' : err.status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${err.status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Error-Code: ${err.code}\r\n` +
      `X-Error-Message: ${headerSafe(err.message)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

async function readJson<T>(req: IncomingMessage, schema: ZodType<T>): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new SpaceportError('PayloadTooLarge');
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw fail('internalBodyNotJson');
  }
  try {
    return schema.parse(body);
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    const problems = err.issues.map((i) => `${i.path.length ? `"${i.path.join('.')}"` : 'body'}: ${i.message}`);
    throw fail('internalBodyInvalid', { problems }, { details: problems });
  }
}

/**
 * The controller's API for proxy replicas, on the hub port under `/internal/`: the route stream
 * (websocket), activity batches and wakes. Authenticated by the shared `SPACEPORT_INTERNAL_TOKEN`.
 */
export function createInternalApi(opts: InternalApiOptions): InternalApi {
  const logger = opts.logger.child({ module: 'internal-api' });
  const token = opts.token;
  const log = token === undefined ? undefined : new RouteLog(opts.routes, { capacity: opts.bufferSize });
  const stream = log && new RouteStreamServer({ log, logger, heartbeatMs: opts.heartbeatMs });

  /** undefined when the caller may go on; else the error to answer. */
  const refusal = (req: IncomingMessage): SpaceportError | undefined => {
    if (token === undefined) return new SpaceportError('NotFound');
    if (!bearerMatches(req.headers.authorization, token)) return fail('internalTokenRequired');
    return undefined;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === ACTIVITY_PATH && req.method === 'POST') {
      const batch = await readJson(req, activityBatchSchema);
      opts.activity.report(batch);
      res.writeHead(204).end();
    } else if (path === WAKE_PATH && req.method === 'POST') {
      const { space } = await readJson(req, wakeBodySchema);
      logger.info({ space }, 'wake requested by a proxy');
      await opts.waker.wake(space);
      res.writeHead(204).end();
    } else if (path === ACCESS_PATH && req.method === 'POST') {
      const { space, token } = await readJson(req, accessBodySchema);
      const allowed = opts.access ? await opts.access.canUseApp(space, token) : false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ allowed }));
    } else if (path.startsWith(TREES_PATH) && req.method === 'GET') {
      const tree = path.slice(TREES_PATH.length);
      if (!TREE_HASH.test(tree) || !opts.staticTrees || !(await opts.staticTrees.has(tree))) throw new SpaceportError('NotFound');
      res.writeHead(200, { 'content-type': 'application/x-tar', 'cache-control': 'no-store' });
      const aborted = new AbortController();
      res.once('close', () => aborted.abort());
      // Past the head, a failure can only cut the body short: the replica sees a truncated tar and keeps no copy.
      await packTree(opts.staticTrees.pathOf(tree), res, aborted.signal).catch((err: unknown) => {
        if (!aborted.signal.aborted) logger.warn({ err, tree }, 'cannot send a static tree');
        res.destroy();
      });
    } else if (path === ROUTE_STREAM_PATH) {
      sendError(res, fail('routeStreamNeedsUpgrade'));
    } else {
      sendError(res, new SpaceportError('NotFound'));
    }
  };

  return {
    handleRequest(req, res) {
      const path = pathOf(req.url);
      if (!path.startsWith(INTERNAL_PREFIX)) return false;
      const refused = refusal(req);
      if (refused) {
        sendError(res, refused);
        return true;
      }
      serve(req, res, path).catch((err: unknown) => {
        const e = toSpaceportError(err);
        if (e.status >= 500) logger.error({ err, path }, 'internal request failed');
        sendError(res, e);
      });
      return true;
    },
    handleUpgrade(req, socket, head) {
      const path = pathOf(req.url);
      if (!path.startsWith(INTERNAL_PREFIX)) return false;
      const refused = refusal(req) ?? (path === ROUTE_STREAM_PATH ? undefined : new SpaceportError('NotFound'));
      if (refused || !stream) {
        if (refused?.status === 401) logger.warn({ peer: req.socket.remoteAddress }, 'route stream refused: bad internal token');
        rawError(socket, refused ?? new SpaceportError('NotFound'));
        return true;
      }
      stream.handleUpgrade(req, socket, head);
      return true;
    },
    streamClients: () => stream?.clients ?? 0,
    close() {
      stream?.close();
      log?.close();
    },
  };
}
