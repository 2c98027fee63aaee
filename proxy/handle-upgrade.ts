import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isNoWakeRequest } from './client-kind.js';
import type { ProxyContext } from './proxy-context.js';
import type { Route } from './route.js';
import { hostHeaderCount } from './parse-host.js';
import { badHostResponse, notFoundResponse, routePageResponse, unavailableResponse } from './route-responses.js';
import { sendRawResponse } from './respond.js';
import { tunnelUpgrade } from './tunnel-upgrade.js';

function swallow(this: Duplex): void {
  this.destroy();
}

/** Entry point for an upgrade (websocket) request to a Space host. */
export function handleUpgrade(ctx: ProxyContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // Until a tunnel owns the socket, a client reset must not crash the process.
  socket.on('error', swallow);
  if (hostHeaderCount(req.rawHeaders) > 1) {
    sendRawResponse(socket, badHostResponse());
    return;
  }
  const sub = ctx.hosts.match(req.headers.host);
  const route = sub === undefined ? undefined : ctx.routes.get(sub);
  if (route === undefined) {
    sendRawResponse(socket, notFoundResponse(req.headers.host ?? ''), ctx.opts.pageHeaders);
    return;
  }
  // A private app's websocket, to anyone without access: 404, never woken.
  const decision = ctx.gate.decide(req, route);
  if (decision === 'allowed') {
    serveUpgrade(ctx, route, req, socket, head);
    return;
  }
  if (decision === 'denied') {
    sendRawResponse(socket, notFoundResponse(req.headers.host ?? ''), ctx.opts.pageHeaders);
    return;
  }
  decision.then((allowed) => {
    if (socket.destroyed) return;
    const now = sub === undefined ? undefined : ctx.routes.get(sub);
    if (!allowed || now === undefined || now.space !== route.space) sendRawResponse(socket, notFoundResponse(req.headers.host ?? ''), ctx.opts.pageHeaders);
    else serveUpgrade(ctx, now, req, socket, head);
  }, () => sendRawResponse(socket, notFoundResponse(req.headers.host ?? ''), ctx.opts.pageHeaders));
}

function serveUpgrade(ctx: ProxyContext, route: Route, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const target = route.target;
  if (target.kind === 'running') {
    tunnelUpgrade(ctx, route, target.endpoint, req, socket, head);
    return;
  }
  if (target.kind === 'static') {
    // Files only: nothing to upgrade to.
    sendRawResponse(socket, notFoundResponse(req.headers.host ?? ''), ctx.opts.pageHeaders);
    return;
  }
  if (target.kind !== 'sleeping' && target.kind !== 'waking') {
    const page = routePageResponse(ctx, route);
    if (page) sendRawResponse(socket, page, ctx.opts.pageHeaders);
    return;
  }
  if (ctx.closing || isNoWakeRequest(req, { paths: ctx.opts.noWakePaths, userAgents: ctx.opts.noWakeUserAgents })) {
    sendRawResponse(socket, unavailableResponse(ctx, route, 'The Space is asleep.'), ctx.opts.pageHeaders);
    return;
  }
  // A page already open in a browser reconnecting: wake and hold the handshake like an API call.
  ctx.wake.wake(route);
  const onClose = (): void => handle?.cancel();
  const handle = ctx.wake.hold(route.subdomain, (outcome) => {
    socket.removeListener('close', onClose);
    if (socket.destroyed) return;
    if (outcome.kind === 'ready') serveUpgrade(ctx, outcome.route, req, socket, head);
    else if (outcome.kind === 'gone') {
      if (outcome.route) serveUpgrade(ctx, outcome.route, req, socket, head);
      else sendRawResponse(socket, notFoundResponse(req.headers.host ?? ''), ctx.opts.pageHeaders);
    } else sendRawResponse(socket, unavailableResponse(ctx, route, 'The Space did not wake in time.'), ctx.opts.pageHeaders);
  });
  if (handle === undefined) {
    sendRawResponse(socket, unavailableResponse(ctx, route, 'Too many requests are waiting for this Space to wake.'), ctx.opts.pageHeaders);
    return;
  }
  socket.once('close', onClose);
}
