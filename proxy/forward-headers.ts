import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { APP_COOKIE, withoutCookie } from './app-grant.js';

/** Hop-by-hop request headers (RFC 9110 §7.6.1) plus those undici refuses or we set ourselves. */
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'x-forwarded-proto',
  'x-forwarded-host',
  // The Hub credential gradio_client sends to a Space's host: for the proxy's access check, never the app.
  'x-hf-authorization',
]);

/** Hop-by-hop response headers: Node frames the response to the client itself. */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);

/** Extra tokens named in a Connection header (`Connection: close, x-foo`), lowercased, or undefined. */
function connectionTokens(value: string): Set<string> | undefined {
  if (value.length <= 10) {
    const v = value.toLowerCase();
    if (v === 'keep-alive' || v === 'close' || v === 'upgrade') return undefined;
  }
  let tokens: Set<string> | undefined;
  for (const part of value.split(',')) {
    const t = part.trim().toLowerCase();
    if (t === '' || t === 'close' || t === 'keep-alive' || t === 'upgrade') continue;
    (tokens ??= new Set()).add(t);
  }
  return tokens;
}

export interface ForwardedFor {
  /** `http` or `https`, as the client reached us. */
  proto: string;
  /** The client's address. */
  clientIp: string;
}

export function forwardedFor(req: IncomingMessage): ForwardedFor {
  const socket = req.socket;
  return {
    proto: (socket as TLSSocket).encrypted ? 'https' : 'http',
    clientIp: socket.remoteAddress ?? '',
  };
}

/**
 * The request headers to send upstream as a flat `[name, value, …]` array: hop-by-hop headers removed
 * (also those the client's Connection header names), Host kept as sent, `X-Forwarded-For` appended to,
 * `X-Forwarded-Proto` and `X-Forwarded-Host` set. With `keepUpgrade`, `Connection`/`Upgrade` are kept
 * (a websocket handshake needs them).
 */
export function upstreamRequestHeaders(req: IncomingMessage, keepUpgrade = false): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let xff: string | undefined;
  let host: string | undefined;
  let extra: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      const value = raw[i + 1] as string;
      extra = connectionTokens(value);
      if (keepUpgrade) out.push(name, value);
      continue;
    }
    if (lower === 'upgrade' && keepUpgrade) {
      out.push(name, raw[i + 1] as string);
      continue;
    }
    if (DROP_REQUEST.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      xff = xff === undefined ? (raw[i + 1] as string) : `${xff}, ${raw[i + 1] as string}`;
      continue;
    }
    if (lower === 'host') host = raw[i + 1] as string;
    if (lower === 'cookie') {
      // Our app cookie is for the proxy only; the app never sees it. (Authorization is kept: apps and
      // gradio_client rely on it, as on the Hub.)
      const rest = withoutCookie(raw[i + 1] as string, APP_COOKIE);
      if (rest !== '') out.push(name, rest);
      continue;
    }
    out.push(name, raw[i + 1] as string);
  }
  if (extra !== undefined) {
    for (let i = out.length - 2; i >= 0; i -= 2) {
      if (extra.has((out[i] as string).toLowerCase())) out.splice(i, 2);
    }
  }
  const { proto, clientIp } = forwardedFor(req);
  out.push('x-forwarded-for', xff === undefined ? clientIp : `${xff}, ${clientIp}`, 'x-forwarded-proto', proto);
  if (host !== undefined) out.push('x-forwarded-host', host);
  return out;
}

export interface ResponseHead {
  headers: string[];
  /** The response's content type is `text/event-stream`. */
  eventStream: boolean;
  /** The app's response names a request id (`X-Request-Id`) itself. */
  requestId: boolean;
}

/** Upstream raw response headers (Buffers from undici) as a flat string array for `res.writeHead`, hop-by-hop removed. */
export function downstreamResponseHeaders(raw: Buffer[] | string[]): ResponseHead {
  const headers: string[] = [];
  let eventStream = false;
  let requestId = false;
  let extra: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const value = raw[i + 1]!.toString('latin1');
    const lower = name.toLowerCase();
    if (DROP_RESPONSE.has(lower)) {
      if (lower === 'connection') extra = connectionTokens(value);
      continue;
    }
    if (lower === 'content-type' && value.slice(0, 17).toLowerCase() === 'text/event-stream') eventStream = true;
    else if (lower === 'x-request-id') requestId = true;
    headers.push(name, value);
  }
  if (extra !== undefined) {
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (extra.has((headers[i] as string).toLowerCase())) headers.splice(i, 2);
    }
    if (extra.has('x-request-id')) requestId = false;
  }
  return { headers, eventStream, requestId };
}
