import { renderMessage, type RenderedMessage } from '../core/errors.js';
import type { ProxyContext } from './proxy-context.js';
import type { Route } from './route.js';
import { appErrorPage, failedPage, notFoundPage, pausedPage, pendingPage, wakingPage } from './pages/index.js';
import { htmlResponse, jsonResponse, type PageResponse } from './respond.js';

export const STATUS_PATH = '/.spaceport/status';

/** Is this request URL the status endpoint (with or without a query)? */
export function isStatusPath(url: string | undefined): boolean {
  return (
    url !== undefined &&
    url.charCodeAt(1) === 46 /* . */ &&
    url.startsWith(STATUS_PATH) &&
    (url.length === STATUS_PATH.length || url.charCodeAt(STATUS_PATH.length) === 63) /* ? */
  );
}

function stageHeaders(ctx: ProxyContext, route: Route, retry: boolean): string[] {
  const h = ['x-spaceport-stage', route.stage];
  if (retry) h.push('retry-after', ctx.opts.retryAfter);
  return h;
}

/** `X-Error-Code` and `X-Error-Message` of our own 4xx answers, as the API sends them. */
function errorHeaders({ code, message }: RenderedMessage): string[] {
  return ['x-error-code', code, 'x-error-message', message];
}

/** `GET /.spaceport/status` on a Space host: never forwarded, never wakes. */
export function statusResponse(route: Route | undefined): PageResponse {
  if (route === undefined) return jsonResponse(404, { error: 'Space not found' }, errorHeaders(renderMessage('proxySpaceNotFound')));
  return jsonResponse(200, { space: route.space, stage: route.stage, target: route.target.kind });
}

/** A request whose Host cannot be trusted to pick a Space (two Host headers). */
export function badHostResponse(): PageResponse {
  const refused = renderMessage('proxyHostHeaderNotSingle');
  return jsonResponse(refused.status, { error: refused.message }, errorHeaders(refused));
}

export function notFoundResponse(host: string): PageResponse {
  return htmlResponse(404, notFoundPage(host), errorHeaders(renderMessage('proxySpaceNotFound')));
}

export function appErrorResponse(route: Route): PageResponse {
  return htmlResponse(502, appErrorPage(route.space), ['x-spaceport-stage', route.stage]);
}

/** 503 for clients we do not hold (queue full, wake timeout, no-wake request, shutting down). */
export function unavailableResponse(ctx: ProxyContext, route: Route | undefined, reason: string): PageResponse {
  return jsonResponse(
    503,
    { error: reason, space: route?.space, stage: route?.stage },
    route ? stageHeaders(ctx, route, true) : ['retry-after', ctx.opts.retryAfter],
  );
}

export function wakingResponse(ctx: ProxyContext, route: Route): PageResponse {
  return htmlResponse(
    503,
    wakingPage({ space: route.space, statusPath: STATUS_PATH, pollMs: 1000, stage: route.stage }),
    stageHeaders(ctx, route, true),
  );
}

/** Our page for a route that does not forward (pending, failed, paused); undefined for running/sleeping/waking. */
export function routePageResponse(ctx: ProxyContext, route: Route): PageResponse | undefined {
  const t = route.target;
  switch (t.kind) {
    case 'pending':
      return htmlResponse(
        503,
        pendingPage({ space: route.space, stage: t.stage, message: t.message, refreshSeconds: ctx.opts.retryAfterSeconds }),
        stageHeaders(ctx, route, true),
      );
    case 'failed':
      return htmlResponse(503, failedPage({ space: route.space, stage: t.stage, message: t.message }), stageHeaders(ctx, route, false));
    case 'paused':
      return htmlResponse(503, pausedPage(route.space), stageHeaders(ctx, route, false));
    default:
      return undefined;
  }
}
