import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestContext } from '../core/request-context.js';
import { isGrantPath } from './app-gate.js';
import { isBrowserRequest, isNoWakeRequest } from './client-kind.js';
import { forwardRequest } from './forward-request.js';
import { serveStatic } from './serve-static.js';
import type { ProxyContext } from './proxy-context.js';
import type { Route } from './route.js';
import { hostHeaderCount } from './parse-host.js';
import {
  badHostResponse,
  isStatusPath,
  notFoundResponse,
  routePageResponse,
  statusResponse,
  unavailableResponse,
  wakingResponse,
} from './route-responses.js';
import { sendResponse } from './respond.js';
import type { HoldOutcome } from './wake-coordinator.js';

/**
 * Entry point for a plain HTTP request to a Space host: route by this request's own Host header.
 * `id` is the request's id (X-Request-Id): the hot path (a running app anyone may use) carries it
 * explicitly; every other path runs in its request context, so whatever it logs (wakes, access checks) names it.
 */
export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, id: string): void {
  const running = runningRouteOf(ctx, req);
  if (running !== undefined) {
    forwardRequest(ctx, running, running.target.endpoint, req, res, id);
    return;
  }
  res.setHeader('x-request-id', id);
  requestContext.run({ id }, () => routeRequest(ctx, req, res, id));
}

/**
 * The route of a request that goes straight to its app (one Host, a running public Space, not a
 * path of ours), or undefined for anything that needs more care.
 */
function runningRouteOf(ctx: ProxyContext, req: IncomingMessage): (Route & { target: { kind: 'running' } }) | undefined {
  const sub = ctx.hosts.match(req.headers.host);
  if (sub === undefined) return undefined;
  const route = ctx.routes.get(sub);
  if (route === undefined || route.target.kind !== 'running' || route.access === 'private') return undefined;
  if (isGrantPath(req.url) || isStatusPath(req.url) || hostHeaderCount(req.rawHeaders) > 1) return undefined;
  return route as Route & { target: { kind: 'running' } };
}

function routeRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, id: string): void {
  // Node keeps the first of two Host headers; the app (or undici) would see both: refuse it here.
  if (hostHeaderCount(req.rawHeaders) > 1) {
    sendResponse(res, badHostResponse(), req.method);
    return;
  }
  const host = req.headers.host;
  const sub = ctx.hosts.match(host);
  // Every "no such Space" answer is this one, byte for byte (security headers included): a private
  // app refused, a grant that opens nothing, and a host nobody has cannot be told apart.
  const notFound = (): void =>
    sendResponse(res, isStatusPath(req.url) ? statusResponse(undefined) : notFoundResponse(host ?? ''), req.method, ctx.opts.pageHeaders);
  if (sub !== undefined && isGrantPath(req.url)) {
    sendResponse(res, ctx.gate.grantResponse(req.url!, ctx.routes.get(sub), () => notFoundResponse(host ?? '')), req.method, ctx.opts.pageHeaders);
    return;
  }
  const route = sub === undefined ? undefined : ctx.routes.get(sub);
  // A private app, to anyone without access, is exactly an unknown host: 404, no status, never woken.
  const decision = route === undefined ? 'allowed' : ctx.gate.decide(req, route);
  if (decision === 'allowed') {
    serveKnown(ctx, sub, route, req, res, id);
    return;
  }
  if (decision === 'denied') {
    notFound();
    return;
  }
  const space = route!.space;
  decision.then((allowed) => {
    if (res.destroyed) return;
    // The route may have changed meanwhile; the token was accepted for this Space only.
    const now = sub === undefined ? undefined : ctx.routes.get(sub);
    if (!allowed || now?.space !== space) notFound();
    else serveKnown(ctx, sub, now, req, res, id);
  }, notFound);
}

function serveKnown(ctx: ProxyContext, _sub: string | undefined, route: Route | undefined, req: IncomingMessage, res: ServerResponse, id: string): void {
  const host = req.headers.host;
  if (isStatusPath(req.url)) {
    sendResponse(res, statusResponse(route), req.method, ctx.opts.pageHeaders);
    return;
  }
  if (route === undefined) {
    sendResponse(res, notFoundResponse(host ?? ''), req.method, ctx.opts.pageHeaders);
    return;
  }
  serveRoute(ctx, route, req, res, id);
}

function serveRoute(ctx: ProxyContext, route: Route, req: IncomingMessage, res: ServerResponse, id: string): void {
  const target = route.target;
  if (target.kind === 'running') {
    forwardRequest(ctx, route, target.endpoint, req, res, id);
    return;
  }
  if (target.kind === 'static') {
    serveStatic(ctx, route, target, req, res);
    return;
  }
  if (target.kind === 'sleeping' || target.kind === 'waking') {
    wakeThenServe(ctx, route, req, res, id);
    return;
  }
  const page = routePageResponse(ctx, route);
  if (page) sendResponse(res, page, req.method, ctx.opts.pageHeaders);
}

function wakeThenServe(ctx: ProxyContext, route: Route, req: IncomingMessage, res: ServerResponse, id: string): void {
  if (ctx.closing) {
    sendResponse(res, unavailableResponse(ctx, route, 'The proxy is shutting down.'), req.method, ctx.opts.pageHeaders);
    return;
  }
  if (isNoWakeRequest(req, { paths: ctx.opts.noWakePaths, userAgents: ctx.opts.noWakeUserAgents })) {
    sendResponse(res, unavailableResponse(ctx, route, 'The Space is asleep.'), req.method, ctx.opts.pageHeaders);
    return;
  }
  ctx.wake.wake(route);
  if (isBrowserRequest(req)) {
    sendResponse(res, wakingResponse(ctx, route), req.method, ctx.opts.pageHeaders);
    return;
  }
  const onClose = (): void => handle?.cancel();
  const handle = ctx.wake.hold(route.subdomain, (outcome: HoldOutcome) => {
    res.removeListener('close', onClose);
    settleHeld(ctx, route, outcome, req, res, id);
  });
  if (handle === undefined) {
    sendResponse(res, unavailableResponse(ctx, route, 'Too many requests are waiting for this Space to wake.'), req.method, ctx.opts.pageHeaders);
    return;
  }
  res.once('close', onClose);
}

function settleHeld(ctx: ProxyContext, held: Route, outcome: HoldOutcome, req: IncomingMessage, res: ServerResponse, id: string): void {
  if (res.destroyed) return;
  switch (outcome.kind) {
    case 'ready':
      serveRoute(ctx, outcome.route, req, res, id);
      return;
    case 'gone':
      if (outcome.route === undefined) sendResponse(res, notFoundResponse(req.headers.host ?? ''), req.method, ctx.opts.pageHeaders);
      else serveRoute(ctx, outcome.route, req, res, id);
      return;
    case 'unavailable':
      sendResponse(res, unavailableResponse(ctx, held, unavailableMessage(outcome.reason)), req.method, ctx.opts.pageHeaders);
  }
}

function unavailableMessage(reason: 'timeout' | 'wake-failed' | 'closing'): string {
  switch (reason) {
    case 'timeout':
      return 'The Space did not wake in time.';
    case 'wake-failed':
      return 'The Space could not be woken.';
    case 'closing':
      return 'The proxy is shutting down.';
  }
}
