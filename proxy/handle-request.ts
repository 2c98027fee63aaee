import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBrowserRequest, isNoWakeRequest } from './client-kind.js';
import { forwardRequest } from './forward-request.js';
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

/** Entry point for a plain HTTP request to a Space host: route by this request's own Host header. */
export function handleRequest(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): void {
  // Node keeps the first of two Host headers; the app (or undici) would see both: refuse it here.
  if (hostHeaderCount(req.rawHeaders) > 1) {
    sendResponse(res, badHostResponse(), req.method);
    return;
  }
  const host = req.headers.host;
  const sub = ctx.hosts.match(host);
  const route = sub === undefined ? undefined : ctx.routes.get(sub);
  if (isStatusPath(req.url)) {
    sendResponse(res, statusResponse(route), req.method);
    return;
  }
  if (route === undefined) {
    sendResponse(res, notFoundResponse(host ?? ''), req.method);
    return;
  }
  serveRoute(ctx, route, req, res);
}

function serveRoute(ctx: ProxyContext, route: Route, req: IncomingMessage, res: ServerResponse): void {
  const target = route.target;
  if (target.kind === 'running') {
    forwardRequest(ctx, route, target.endpoint, req, res);
    return;
  }
  if (target.kind === 'sleeping' || target.kind === 'waking') {
    wakeThenServe(ctx, route, req, res);
    return;
  }
  const page = routePageResponse(ctx, route);
  if (page) sendResponse(res, page, req.method);
}

function wakeThenServe(ctx: ProxyContext, route: Route, req: IncomingMessage, res: ServerResponse): void {
  if (ctx.closing) {
    sendResponse(res, unavailableResponse(ctx, route, 'The proxy is shutting down.'), req.method);
    return;
  }
  if (isNoWakeRequest(req, { paths: ctx.opts.noWakePaths, userAgents: ctx.opts.noWakeUserAgents })) {
    sendResponse(res, unavailableResponse(ctx, route, 'The Space is asleep.'), req.method);
    return;
  }
  ctx.wake.wake(route);
  if (isBrowserRequest(req)) {
    sendResponse(res, wakingResponse(ctx, route), req.method);
    return;
  }
  const onClose = (): void => handle?.cancel();
  const handle = ctx.wake.hold(route.subdomain, (outcome: HoldOutcome) => {
    res.removeListener('close', onClose);
    settleHeld(ctx, route, outcome, req, res);
  });
  if (handle === undefined) {
    sendResponse(res, unavailableResponse(ctx, route, 'Too many requests are waiting for this Space to wake.'), req.method);
    return;
  }
  res.once('close', onClose);
}

function settleHeld(ctx: ProxyContext, held: Route, outcome: HoldOutcome, req: IncomingMessage, res: ServerResponse): void {
  if (res.destroyed) return;
  switch (outcome.kind) {
    case 'ready':
      serveRoute(ctx, outcome.route, req, res);
      return;
    case 'gone':
      if (outcome.route === undefined) sendResponse(res, notFoundResponse(req.headers.host ?? ''), req.method);
      else serveRoute(ctx, outcome.route, req, res);
      return;
    case 'unavailable':
      sendResponse(res, unavailableResponse(ctx, held, unavailableMessage(outcome.reason)), req.method);
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
