import type { RequestHandler } from 'express';
import type { Route, RouteSource } from '../../proxy/index.js';
import type { Principal } from '../auth/index.js';
import type { SpaceService } from '../spaces/index.js';
import type { SpaceId } from '../../core/index.js';

/** The event a page gets for a Space's stage. */
export function stageEvent(route: Route): string {
  const message = route.target.kind === 'failed' || route.target.kind === 'pending' ? route.target.message : undefined;
  return `event: stage\ndata: ${JSON.stringify({ id: route.space, stage: route.stage, ...(message ? { message } : {}) })}\n\n`;
}

/**
 * `GET /api/spaces/events?ids=a/b,c/d`: server-sent stage changes of the Spaces the caller may
 * see, from the controller's route table. Every connection starts with the current stages, so a
 * reconnecting EventSource (it reconnects by itself) is never left stale.
 */
export function stageEventsHandler(o: { routes: RouteSource; spaces: SpaceService; principalOf: (res: Parameters<RequestHandler>[1]) => Principal }): RequestHandler {
  return (req, res) => {
    const principal = o.principalOf(res);
    const ids = typeof req.query.ids === 'string' && req.query.ids !== '' ? new Set(req.query.ids.split(',').slice(0, 1000)) : undefined;
    const visible = (route: Route): boolean => {
      if (ids && !ids.has(route.space)) return false;
      return o.spaces.find(principal, route.space as SpaceId) !== undefined;
    };
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', 'X-Content-Type-Options': 'nosniff' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    for (const route of o.routes.snapshot()) if (visible(route)) res.write(stageEvent(route));
    const unsubscribe = o.routes.subscribe((change) => {
      if (change.kind === 'upsert' && visible(change.route)) res.write(stageEvent(change.route));
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  };
}
