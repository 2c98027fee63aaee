import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { find, helmBinary, renderChart, run } from '../support/helm.js';

/**
 * The chart's dind builder runs its engine behind a few iptables rules so that a build step (a
 * `RUN` line on the engine's bridge, docker0, inside the builder pod's network) cannot reach the
 * engine's unauthenticated port (root on the node) nor link-local metadata, while the controller
 * still reaches the engine and build steps still reach the rest of the network.
 *
 * Proven on real network namespaces and iptables, with the script the chart renders: a namespace
 * plays the builder pod (a bridge named docker0, the script run in it with a stand-in `dockerd`
 * listening on the engine's port), one a build step on that bridge, one the controller, one the
 * network beyond (a metadata-like 169.254.x address and an ordinary one). Every address is the
 * test's own, inside namespaces it creates and deletes.
 */

const id = process.pid.toString(36);
const NS = { pod: `spd-pod-${id}`, step: `spd-step-${id}`, ctl: `spd-ctl-${id}`, net: `spd-net-${id}` };
const ENGINE_PORT = 2375;
const tmp = mkdtempSync(join(tmpdir(), 'sp-dind-'));
const children: ChildProcess[] = [];

async function sh(...args: string[]): Promise<void> {
  const r = await run(args[0]!, args.slice(1));
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

function inNs(ns: string, cmd: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'ignore', env: env ?? process.env });
  children.push(child);
  return child;
}

/** Whether a TCP connection from `ns` to `host:port` opens within 2 s. */
async function canConnect(ns: string, host: string, port: number): Promise<boolean> {
  const code = `import socket,sys\ntry:\n  socket.create_connection(("${host}",${port}),timeout=2).close()\nexcept OSError:\n  sys.exit(1)`;
  const r = await run('ip', ['netns', 'exec', ns, 'python3', '-c', code]);
  return r.code === 0;
}

async function listen(ns: string, host: string, port: number): Promise<void> {
  inNs(ns, ['python3', '-m', 'http.server', '--bind', host, String(port)]);
  for (let i = 0; i < 50; i++) {
    if (await canConnect(ns, host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no listener on ${host}:${port} in ${ns}`);
}

/** A veth pair between two namespaces (`b` may be omitted: the end stays for a bridge). */
async function veth(name: string, a: string, aAddr: string, b: string, bAddr: string | undefined, bridge?: string): Promise<void> {
  await sh('ip', 'link', 'add', `${name}a`, 'netns', a, 'type', 'veth', 'peer', 'name', `${name}b`, 'netns', b);
  await sh('ip', '-n', a, 'addr', 'add', aAddr, 'dev', `${name}a`);
  await sh('ip', '-n', a, 'link', 'set', `${name}a`, 'up');
  if (bAddr) await sh('ip', '-n', b, 'addr', 'add', bAddr, 'dev', `${name}b`);
  if (bridge) await sh('ip', '-n', b, 'link', 'set', `${name}b`, 'master', bridge);
  await sh('ip', '-n', b, 'link', 'set', `${name}b`, 'up');
}

let script = '';
let dockerdArgs: string[] = [];

beforeAll(async () => {
  const { manifests } = await renderChart(helmBinary(), { namespace: 'sp', set: ['builder.mode=dind', 'registry.push=registry.test:5000'] });
  const container = (find(manifests, 'Deployment', 'builder')?.spec as { template: { spec: { containers: { name: string; command: string[]; args: string[] }[] } } })
    .template.spec.containers.find((c) => c.name === 'dockerd')!;
  expect(container.command.slice(0, 2)).toEqual(['sh', '-ec']);
  script = container.command[2]!;
  expect(container.command[3]).toBe('dockerd');
  dockerdArgs = container.args;

  for (const ns of Object.values(NS)) await sh('ip', 'netns', 'add', ns);
  for (const ns of Object.values(NS)) await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  // The pod: docker0 (the engine's bridge, gateway of build steps), a link to the controller and
  // one to the network beyond, forwarding on (as in a pod running dockerd).
  await sh('ip', '-n', NS.pod, 'link', 'add', 'docker0', 'type', 'bridge');
  await sh('ip', '-n', NS.pod, 'addr', 'add', '10.213.0.1/24', 'dev', 'docker0');
  await sh('ip', '-n', NS.pod, 'link', 'set', 'docker0', 'up');
  await sh('ip', 'netns', 'exec', NS.pod, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  await veth('spds', NS.step, '10.213.0.2/24', NS.pod, undefined, 'docker0');
  await sh('ip', '-n', NS.step, 'route', 'add', 'default', 'via', '10.213.0.1');
  await veth('spdc', NS.ctl, '10.214.0.2/24', NS.pod, '10.214.0.1/24');
  await veth('spdn', NS.net, '10.215.0.2/24', NS.pod, '10.215.0.1/24');
  await sh('ip', '-n', NS.net, 'addr', 'add', '169.254.77.1/32', 'dev', 'lo');
  await sh('ip', '-n', NS.net, 'route', 'add', '10.213.0.0/24', 'via', '10.215.0.1');
  await sh('ip', '-n', NS.pod, 'route', 'add', '169.254.77.1/32', 'via', '10.215.0.2');
  await listen(NS.net, '0.0.0.0', 8080);
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const ns of Object.values(NS)) await run('ip', ['netns', 'delete', ns]);
  rmSync(tmp, { recursive: true, force: true });
});

it('without the rules (the network itself), a build step reaches the engine port, metadata and the network', async () => {
  const plain = inNs(NS.pod, ['python3', '-m', 'http.server', '--bind', '0.0.0.0', String(ENGINE_PORT)]);
  try {
    for (let i = 0; i < 50 && !(await canConnect(NS.ctl, '10.214.0.1', ENGINE_PORT)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await canConnect(NS.step, '10.213.0.1', ENGINE_PORT)).toBe(true);
    expect(await canConnect(NS.step, '169.254.77.1', 8080)).toBe(true);
    expect(await canConnect(NS.step, '10.215.0.2', 8080)).toBe(true);
  } finally {
    plain.kill('SIGKILL');
    await new Promise((r) => plain.once('exit', r));
  }
}, 60_000);

it("with the chart's script, a build step reaches neither the engine nor metadata; the controller reaches the engine; the network stays reachable", async () => {
  // A stand-in dockerd: the script's last line execs it with the chart's arguments.
  const bin = join(tmp, 'bin');
  await sh('mkdir', '-p', bin);
  writeFileSync(join(bin, 'dockerd'), `#!/bin/sh\necho "$@" > ${join(tmp, 'args')}\nexec python3 -m http.server --bind 0.0.0.0 ${ENGINE_PORT}\n`);
  chmodSync(join(bin, 'dockerd'), 0o755);
  inNs(NS.pod, ['sh', '-ec', script, 'dockerd', ...dockerdArgs], { ...process.env, PATH: `${bin}:${process.env.PATH}` });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = await canConnect(NS.ctl, '10.214.0.1', ENGINE_PORT);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  expect(up).toBe(true);
  expect(await canConnect(NS.step, '10.213.0.1', ENGINE_PORT)).toBe(false);
  expect(await canConnect(NS.step, '10.214.0.1', ENGINE_PORT)).toBe(false);
  expect(await canConnect(NS.step, '169.254.77.1', 8080)).toBe(false);
  expect(await canConnect(NS.step, '10.215.0.2', 8080)).toBe(true);
}, 60_000);
