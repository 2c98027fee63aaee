export interface HaproxyConfInput {
  /** Private directory: the host map and the runtime socket live here. */
  dir: string;
  listenPort: number;
  backendPort: number;
  /** The Host the benchmark sends (it maps to the backend). */
  host: string;
  /** Other hosts in the map, as a data plane with that many running Spaces would hold (default 1,000). */
  otherHosts?: number;
}

/** The host map file: `<host> <backend>` lines, the benchmark's host among `otherHosts` others. */
export function renderHaproxyMap(c: HaproxyConfInput): string {
  const lines: string[] = [];
  const n = c.otherHosts ?? 1000;
  for (let i = 0; i < n; i++) lines.push(`space-${i}.localhost be_idle`);
  lines.splice(Math.floor(n / 2), 0, `${c.host} be_app`);
  return `${lines.join('\n')}\n`;
}

/**
 * haproxy.cfg for the comparison ("HAProxy alone"): one thread (as nginx's one worker), the Host
 * header looked up in a map to pick the backend (what a data plane of running Spaces does), keep-alive
 * to the app, X-Forwarded-For/-Proto as the other proxies set them, anything unmapped a 404.
 */
export function renderHaproxyConf(c: HaproxyConfInput): string {
  const d = c.dir;
  return `global
  nbthread 1
  maxconn 4096
  stats socket ${d}/admin.sock mode 600 level admin
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
  option http-keep-alive
  http-reuse always
frontend public
  bind 127.0.0.1:${c.listenPort}
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  use_backend %[req.hdr(host),lower,map(${d}/hosts.map,be_none)]
backend be_app
  server app 127.0.0.1:${c.backendPort}
backend be_idle
  server idle 127.0.0.1:9 disabled
backend be_none
  http-request return status 404
`;
}
