import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderHaproxyConf, renderHaproxyMap } from './haproxy-conf.js';
import { renderNginxConf } from './nginx-conf.js';
import { childPids } from './process-cpu.js';
import { HAPROXY, NGINX, toolPath } from './tools.js';
import { freePort, request, spawnQuiet, spawnUntilLine, waitFor, type Child } from './processes.js';

export const BENCH_HOST = 'bench-app.localhost';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** One configuration under test: where wrk sends requests, and how to stop it. */
export interface Target {
  name: 'direct' | 'spaceport' | 'spaceport-native' | 'node-forwarder' | 'nginx' | 'haproxy' | 'configurable-http-proxy';
  port: number;
  /** Processes whose CPU time is this configuration's own cost (the backend's for direct). */
  pids(): number[];
  stop(): Promise<void>;
}

function tsNode(file: string, args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', path.join(here, file), ...args]];
}

export async function startBackend(): Promise<{ port: number; child: Child }> {
  const [cmd, args] = tsNode('backend.ts', []);
  const { child, line } = await spawnUntilLine(cmd, args, { cwd: root });
  return { port: (JSON.parse(line) as { port: number }).port, child };
}

export function directTarget(backend: { port: number; child: Child }): Target {
  return { name: 'direct', port: backend.port, pids: () => [backend.child.proc.pid!], stop: async () => undefined };
}

export async function startSpaceport(backendPort: number): Promise<Target> {
  const [cmd, args] = tsNode('spaceport-server.ts', [String(backendPort), 'bench-app']);
  const { child, line } = await spawnUntilLine(cmd, args, { cwd: root });
  return {
    name: 'spaceport',
    port: (JSON.parse(line) as { port: number }).port,
    pids: () => [child.proc.pid!],
    stop: () => child.stop(),
  };
}

/** A bare node:http + undici forwarder: the floor of any Node proxy on the parts Spaceport's uses. */
export async function startNodeForwarder(backendPort: number): Promise<Target> {
  const [cmd, args] = tsNode('node-forwarder.ts', [String(backendPort)]);
  const { child, line } = await spawnUntilLine(cmd, args, { cwd: root });
  return { name: 'node-forwarder', port: (JSON.parse(line) as { port: number }).port, pids: () => [child.proc.pid!], stop: () => child.stop() };
}

/** Spaceport with the native data plane: HAProxy in front, the Space in its map (CPU: both processes). */
export async function startSpaceportNative(backendPort: number): Promise<Target> {
  const [cmd, args] = tsNode('spaceport-server.ts', [String(backendPort), 'bench-app', 'native']);
  const { child, line } = await spawnUntilLine(cmd, args, { cwd: root });
  const { port, haproxyPid } = JSON.parse(line) as { port: number; haproxyPid: number };
  return {
    name: 'spaceport-native',
    port,
    pids: () => [child.proc.pid!, haproxyPid],
    stop: () => child.stop(),
  };
}

export async function startNginx(backendPort: number, backendHost?: string, probeHost = BENCH_HOST): Promise<Target> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spaceport-bench-nginx-'));
  await mkdir(path.join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const asRoot = process.getuid?.() === 0;
  await writeFile(conf, renderNginxConf({ dir, listenPort: port, backendPort, asRoot, ...(backendHost ? { backendHost } : {}) }));
  const child = spawnQuiet(toolPath(NGINX), ['-p', dir, '-c', conf, '-g', 'daemon off;']);
  const stop = async (): Promise<void> => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await request(port, { host: probeHost })).status === 200);
  } catch (err) {
    await stop();
    throw err;
  }
  const master = child.proc.pid!;
  return { name: 'nginx', port, pids: () => [master, ...childPids(master)], stop };
}

/** HAProxy alone: one thread, a 1,001-entry Host map, keep-alive to the backend. */
export async function startHaproxy(backendPort: number): Promise<Target> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spaceport-bench-haproxy-'));
  const port = await freePort();
  const input = { dir, listenPort: port, backendPort, host: BENCH_HOST };
  await writeFile(path.join(dir, 'hosts.map'), renderHaproxyMap(input));
  const conf = path.join(dir, 'haproxy.cfg');
  await writeFile(conf, renderHaproxyConf(input));
  // -db: stay in the foreground (stopped with the benchmark); -W is not used, so the pid is HAProxy's own.
  const child = spawnQuiet(toolPath(HAPROXY), ['-db', '-f', conf]);
  const stop = async (): Promise<void> => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await request(port, { host: BENCH_HOST })).status === 200);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: 'haproxy', port, pids: () => [child.proc.pid!], stop };
}

export async function startChp(backendPort: number): Promise<Target> {
  const port = await freePort();
  const apiPort = await freePort();
  const token = `bench-${process.pid}-${Date.now()}`;
  const bin = path.join(root, 'node_modules/.bin/configurable-http-proxy');
  const child = spawnQuiet(
    bin,
    ['--ip', '127.0.0.1', '--port', String(port), '--api-ip', '127.0.0.1', '--api-port', String(apiPort), '--host-routing', '--log-level', 'warn'],
    { ...process.env, CONFIGPROXY_AUTH_TOKEN: token },
  );
  try {
    // Add the host route through CHP's REST API, as JupyterHub does.
    await waitFor(async () => {
      const r = await request(apiPort, {
        host: '127.0.0.1',
        path: `/api/routes/${BENCH_HOST}`,
        method: 'POST',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ target: `http://127.0.0.1:${backendPort}` }),
      });
      return r.status === 201;
    });
    await waitFor(async () => (await request(port, { host: BENCH_HOST })).status === 200);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { name: 'configurable-http-proxy', port, pids: () => [child.proc.pid!], stop: () => child.stop() };
}
