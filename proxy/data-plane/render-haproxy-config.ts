import path from 'node:path';
import { fail } from '../../core/errors.js';
import { appErrorResponse } from '../route-responses.js';

/** Where HAProxy's files live in its directory (the data dir's `haproxy/`): config, runtime socket, Host map. */
export interface HaproxyFiles {
  dir: string;
  config: string;
  socket: string;
  map: string;
  /** The raw 502 response for a failed app (`renderAppErrorFile`). */
  appError: string;
}

export function haproxyFiles(dir: string): HaproxyFiles {
  return {
    dir,
    config: path.join(dir, 'haproxy.cfg'),
    socket: path.join(dir, 'admin.sock'),
    map: path.join(dir, 'spaces.map'),
    appError: path.join(dir, 'app-error.http'),
  };
}

/**
 * The raw response HAProxy sends when an app fails (refused, reset, timed out): what the Node path
 * sends then (502, the app-error page, `no-store`, the page security headers), for any Space (a
 * static file cannot name the Space; the Node path's page does).
 */
export function renderAppErrorFile(securityHeaders: readonly string[]): string {
  const page = appErrorResponse({ subdomain: '', space: 'this Space', stage: 'RUNNING', target: { kind: 'pending', stage: 'RUNNING' } });
  const body = Buffer.from(page.body);
  const headers = ['content-type', page.contentType, 'content-length', String(body.length), 'cache-control', 'no-store', ...securityHeaders, ...page.headers];
  let head = 'HTTP/1.1 502 Bad Gateway\r\n';
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n${page.body}`;
}

export interface HaproxyConfigInput {
  files: HaproxyFiles;
  /** The public listener (the Spaces and hub port). */
  bind: { host: string; port: number };
  /** Spaceport's own listener on loopback: the default backend (hub, API, git, every cold request). */
  nodePort: number;
  /** Headers and body from the app: as `SPACEPORT_UPSTREAM_TIMEOUT_MS` on the Node path. */
  upstreamTimeoutMs: number;
  /** `frame-ancestors` sources added to every app response (as the Node path does), or undefined. */
  frameAncestors?: string;
  /** Threads (default 1: the measured configuration, nginx's one worker). */
  threads?: number;
}

/** HAProxy's kernel buffers on the request path (`tune.rcvbuf.client`, `tune.sndbuf.server`): 1 MiB each. */
export const SOCKET_BUFFER_BYTES = 1024 * 1024;

/** The response header naming the native data plane on every answer HAProxy gave itself (docs/data-plane.md). */
export const DATA_PLANE_HEADER = 'X-Spaceport-Data-Plane';

/** The stick table that counts each mapped Host's app responses under 400 (`gpc0`) and the streams open since one (`use`). */
export const ACTIVITY_TABLE = 'spaces';

/** A path for haproxy.cfg: double-quoted, refused when it holds what the parser would read otherwise. */
function quoted(p: string): string {
  if (!/^[^"\\$#\s'\n\r]+$/.test(p)) throw fail('dataPlaneValueUnusable', { what: 'a path', value: p });
  return `"${p}"`;
}

/** The bind address as HAProxy spells it (`[::1]:8080`, `0.0.0.0:8080`, `:::8080` for `::`). */
function bindAddress(host: string, port: number): string {
  if (host === '::') return `:::${port} v4v6`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * haproxy.cfg for the native data plane (a pure function). The Host map holds only running public
 * Spaces (`host ip:port`, pushed through the runtime socket); a request goes to its app only when its
 * one Host is in the map, it is no upgrade (websockets keep the Node path's activity rule) and no
 * path of ours (`/.spaceport/…`). Everything else goes to Spaceport on loopback with the client's
 * address in a PROXY header. The app sees what the Node path sends it: X-Forwarded-For appended to,
 * X-Forwarded-Proto/-Host set, X-HF-Authorization removed; the client gets `X-Request-Id` (the
 * client's when sane, else a UUID, the app's own when it names one) and the `frame-ancestors` policy.
 */
export function renderHaproxyConfig(c: HaproxyConfigInput): string {
  const map = quoted(c.files.map);
  const timeout = `${Math.max(1, Math.round(c.upstreamTimeoutMs))}ms`;
  const policy = c.frameAncestors === undefined ? [] : frameAncestorsRules(c.frameAncestors);
  return `# Written by Spaceport at every start (proxy/data-plane/render-haproxy-config.ts): edits are lost.
global
  nbthread ${c.threads ?? 1}
  stats socket ${quoted(c.files.socket)} mode 600 level admin
  stats timeout 10s
  # No SO_REUSEPORT: another HAProxy already on the port (one a killed Spaceport left, another
  # install's) makes the start fail loudly instead of sharing the port's connections with it.
  noreuseport
  # An upload to an app that reads slowly stalls the client, not memory: the kernel would grow the
  # client-side receive buffer up to tcp_rmem's maximum (32 MB on Debian), so it is fixed (the kernel
  # doubles it: 2 MiB a socket, a window ample for uploads over the Internet); the send buffer to the app
  # (loopback or a bridge) likewise. Responses keep the kernel's autotuning.
  tune.rcvbuf.client ${SOCKET_BUFFER_BYTES}
  tune.sndbuf.server ${SOCKET_BUFFER_BYTES}
defaults
  mode http
  timeout connect 5s
  timeout client 65s
  timeout http-request 60s
  timeout http-keep-alive 65s
  timeout server ${timeout}
  timeout tunnel 1h
  option http-keep-alive
  # A client that closes its side (FIN) while its request waits is gone, as on the Node path (whose
  # node:http server ends the socket then): the app, or Spaceport, sees the abort. In defaults, not
  # only the backends: the frontend's own read of the request decides whether HAProxy keeps reading
  # the client, before a backend is chosen.
  option abortonclose
  # Each chunk goes out as it comes (TCP_NODELAY, no MSG_MORE): HAProxy otherwise lets the kernel hold
  # small writes for more data, up to ~200 ms, which delays an app's streamed tokens (SSE, chunked)
  # and one-request-at-a-time answers; the Node path writes at once too.
  option http-no-delay
  # A client connection keeps its own connection to the app (keep-alive); idle ones are not shared
  # between clients. Shared (\`safe\`), the idle connections to a Space's old endpoint left HAProxy at
  # about half its throughput for seconds after each move (bench/proxy/route-flip.ts, s32); with
  # \`safe\` a client's first request never took an idle connection anyway.
  http-reuse never
frontend public
  bind ${bindAddress(c.bind.host, c.bind.port)}
  # The Host, lowercased without its port, once: the map's key here, the activity table's key in spaces.
  http-request set-var(txn.host) req.hdr(host),lower,field(1,:) if { req.hdr_cnt(host) eq 1 }
  http-request set-var(txn.up) var(txn.host),map(${map}) if { var(txn.host) -m found }
  # A Connection header naming other headers (hop-by-hop ones the app must not see): Spaceport removes them.
  acl conn_names_headers req.hdr(connection) -m reg -i ^(?!(keep-alive|close)$).+
  use_backend spaces if { var(txn.up) -m found } !{ req.hdr(upgrade) -m found } !{ path_beg /.spaceport/ } !conn_names_headers
  default_backend spaceport
backend spaceport
  server spaceport 127.0.0.1:${c.nodePort} send-proxy
backend spaces
  # Retries as the Node path's (upstream-errors.ts): a connection that failed before the request went
  # out (nothing reached the app) is tried again for any request; one reset after it went out, with
  # no answer (the app may have read it), only for an idempotent method without a body.
  retry-on conn-failure empty-response
  acl idempotent method GET HEAD OPTIONS
  acl has_body req.hdr_cnt(transfer-encoding) gt 0
  acl has_body req.hdr_val(content-length) gt 0
  http-request disable-l7-retry if !idempotent or has_body
  errorfile 502 ${quoted(c.files.appError)}
  errorfile 503 ${quoted(c.files.appError)}
  errorfile 504 ${quoted(c.files.appError)}
  stick-table type string len 253 size 100k expire 30m store gpc0
  http-request set-var(txn.rid) req.hdr(x-request-id) if { req.hdr_cnt(x-request-id) eq 1 } { req.hdr(x-request-id) -m reg ^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$ }
  http-request set-var(txn.rid) uuid(4) unless { var(txn.rid) -m found }
  http-request set-header X-Forwarded-For "%[req.fhdr(x-forwarded-for)], %[src]" if { req.hdr(x-forwarded-for) -m found }
  http-request set-header X-Forwarded-For "%[src]" unless { req.hdr(x-forwarded-for) -m found }
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host "%[req.fhdr(host)]"
  http-request del-header X-HF-Authorization
  http-request set-dst var(txn.up),field(1,:)
  http-request set-dst-port var(txn.up),field(2,:)
  # Counted from an app response under 400 on (the Node path's rule), so that a request still waiting
  # for its answer, or answered 404/500, never shows as an open stream (\`use\`) when the table is read.
  acl app_ok status lt 400
  http-response track-sc0 var(txn.host) if app_ok
  http-response sc-inc-gpc0(0) if app_ok
  http-after-response set-header X-Request-Id "%[var(txn.rid)]" unless { res.hdr(x-request-id) -m found }
  # How to tell which path answered: HAProxy's own (the app's answers and its error pages); Spaceport's carry none.
  http-after-response set-header ${DATA_PLANE_HEADER} haproxy
${policy.join('\n')}${policy.length ? '\n' : ''}  server app 0.0.0.0:0
`;
}

/** The Node path's rule: the app's own policy and ours in one header, comma-separated; ours alone otherwise. */
function frameAncestorsRules(sources: string): string[] {
  if (!/^[\x21-\x7e ]+$/.test(sources) || /["\\%]/.test(sources)) throw fail('dataPlaneValueUnusable', { what: 'frame-ancestors', value: sources });
  const policy = `frame-ancestors ${sources}`;
  return [
    `  http-response set-header Content-Security-Policy "%[res.fhdr(content-security-policy)], ${policy}" if { res.hdr(content-security-policy) -m found }`,
    `  http-response set-header Content-Security-Policy "${policy}" unless { res.hdr(content-security-policy) -m found }`,
  ];
}
