import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { upstreamRequestHeaders } from './forward-headers.js';
import type { ProxyContext, Tunnel } from './proxy-context.js';
import type { Endpoint, Route } from './route.js';
import { appErrorResponse } from './route-responses.js';
import { sendRawResponse } from './respond.js';
import { upstreamErrorLog } from './upstream-errors.js';
import { WsFrameCounter } from './ws-frame-counter.js';

/** Largest upstream response head we accept before giving up (bytes). */
const MAX_HEAD = 64 * 1024;
/** After one side ends, how long the other may linger before both are destroyed. */
const END_GRACE_MS = 5000;
const CRLFCRLF = Buffer.from('\r\n\r\n');

function requestHead(req: IncomingMessage): Buffer {
  const headers = upstreamRequestHeaders(req, true);
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/** A non-101 answer relayed to the client with `connection: close`, so the socket is not reused for HTTP. */
function closingHead(head: Buffer): Buffer {
  const lines = head.subarray(0, head.length - 4).toString('latin1').split('\r\n');
  const kept = lines.filter((l, i) => i === 0 || !/^(connection|keep-alive)\s*:/i.test(l));
  return Buffer.from(`${kept.join('\r\n')}\r\nconnection: close\r\n\r\n`, 'latin1');
}

class UpstreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Relay an upgrade (websocket) request to a running Space: open a TCP connection to the endpoint,
 * write the request head (with X-Forwarded-*), wait for the response head, then splice both sockets.
 * Data frames in either direction count as activity; control frames do not. Either side closing or
 * failing destroys both.
 */
export function tunnelUpgrade(
  ctx: ProxyContext,
  route: Route,
  endpoint: Endpoint,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): void {
  const upstream: Socket = connect({ host: endpoint.host, port: endpoint.port });
  upstream.setNoDelay(true);
  const tunnel: Tunnel = { client, upstream };
  ctx.tunnels.add(tunnel);
  let responded = false;
  let finished = false;
  let endTimer: NodeJS.Timeout | undefined;
  let received: Buffer[] = [];
  let receivedLen = 0;
  const fromApp = new WsFrameCounter();
  const fromClient = new WsFrameCounter();
  const space = route.space;

  const fail = (err: Error): void => {
    if (finished) return;
    if (!responded) {
      responded = true;
      ctx.logger.warn({ space, ...upstreamErrorLog(err) }, 'upstream upgrade failed');
      sendRawResponse(client, appErrorResponse(route), ctx.opts.pageHeaders);
      finish(false);
    } else finish(true);
  };

  const finish = (destroyClient: boolean): void => {
    if (finished) return;
    finished = true;
    clearTimeout(headTimer);
    clearTimeout(endTimer);
    ctx.tunnels.delete(tunnel);
    upstream.removeListener('data', onHeadData);
    upstream.destroy();
    if (destroyClient) client.destroy();
  };

  const onClose = (): void => finish(true);
  const onError = (err: Error): void => fail(err);
  const onEnd = (): void => {
    endTimer ??= setTimeout(() => finish(true), END_GRACE_MS);
    endTimer.unref?.();
  };

  const headTimer = setTimeout(
    () => fail(new UpstreamError('UPSTREAM_TIMEOUT', 'no upgrade response in time')),
    ctx.opts.upstreamTimeoutMs,
  );

  const onHeadData = (chunk: Buffer): void => {
    received.push(chunk);
    receivedLen += chunk.length;
    const all = received.length === 1 ? chunk : Buffer.concat(received, receivedLen);
    const end = all.indexOf(CRLFCRLF);
    if (end === -1) {
      if (receivedLen > MAX_HEAD) fail(new UpstreamError('UPSTREAM_BAD_RESPONSE', 'upgrade response head too large'));
      else received = [all];
      return;
    }
    upstream.removeListener('data', onHeadData);
    clearTimeout(headTimer);
    responded = true;
    received = [];
    const headBytes = all.subarray(0, end + 4);
    const rest = all.subarray(end + 4);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(headBytes.subarray(0, 16).toString('latin1'))?.[1];
    if (status === '101') splice(headBytes, rest);
    else relayRefusal(headBytes, rest);
  };

  /** 101: from now on both sockets carry websocket frames. */
  const splice = (headBytes: Buffer, rest: Buffer): void => {
    ctx.activity.mark(space);
    client.write(rest.length > 0 ? Buffer.concat([headBytes, rest]) : headBytes);
    if (rest.length > 0 && fromApp.push(rest) > 0) ctx.activity.mark(space);
    upstream.on('data', (chunk: Buffer) => {
      if (fromApp.push(chunk) > 0) ctx.activity.mark(space);
    });
    client.on('data', (chunk: Buffer) => {
      if (fromClient.push(chunk) > 0) ctx.activity.mark(space);
    });
    upstream.pipe(client);
    client.pipe(upstream);
    upstream.on('end', onEnd);
    client.on('end', onEnd);
    client.resume();
  };

  /** The app refused the upgrade: relay its answer and close; nothing more goes upstream. */
  const relayRefusal = (headBytes: Buffer, rest: Buffer): void => {
    client.write(closingHead(headBytes));
    if (rest.length > 0) client.write(rest);
    upstream.pipe(client);
    upstream.on('end', onEnd);
  };

  upstream.on('connect', () => {
    if (finished) return;
    upstream.write(requestHead(req));
    if (head.length > 0) upstream.write(head);
  });
  upstream.on('data', onHeadData);
  upstream.on('error', onError);
  upstream.on('close', onClose);
  client.on('error', onError);
  client.on('close', onClose);
  // Bytes the client sent after its request head are already websocket frames.
  if (head.length > 0 && fromClient.push(head) > 0) ctx.activity.mark(space);
}
