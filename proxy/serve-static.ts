import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyContext } from './proxy-context.js';
import { sendResponse } from './respond.js';
import type { Route, RouteTarget } from './route.js';
import { unavailableResponse } from './route-responses.js';

/** A request for a static Space: its files from its tree, here; 503 while the tree is not here. */
export function serveStatic(ctx: ProxyContext, route: Route, target: Extract<RouteTarget, { kind: 'static' }>, req: IncomingMessage, res: ServerResponse): void {
  const unavailable = (): void => {
    if (!res.destroyed) sendResponse(res, unavailableResponse(ctx, route, "The Space's files are not available here yet."), req.method, ctx.opts.pageHeaders);
  };
  if (ctx.staticFiles === undefined) {
    unavailable();
    return;
  }
  ctx.staticFiles.serve(target.tree, target.index, req, res).then(
    (outcome) => {
      if (outcome === 'no-tree') unavailable();
    },
    (err: unknown) => {
      ctx.logger.error({ err, space: route.space }, 'static file serving failed');
      if (res.headersSent) res.destroy();
      else unavailable();
    },
  );
}
