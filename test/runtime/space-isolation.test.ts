/**
 * Issue 15, isolation of Spaces on Docker, on the real engine and the host's real iptables: Spaces
 * of two installs (through the real DockerRuntime, each with its Space network and firewall) try,
 * from inside their container, every other Space's container, the host's ports (a stand-in hub on
 * every host address, the gateway included), the engine (its socket offered on the gateway, as a
 * `-H tcp://` engine would be) and a link-local "metadata" address of this suite's own (in a network
 * namespace it makes, never a real 169.254.169.254). All refused, while the published port still
 * serves the app and the Space still reaches PyPI; with SPACEPORT_SPACE_EGRESS=none it does not.
 * Build steps (BuildKit RUN, on docker0) are tried the same way.
 *
 * Without the fix (containers on docker0, no rules) every "refused" here connects.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, toSpaceId, type ReleaseId, type SpaceEgress } from '../../core/index.js';
import { DockerRuntime, DockerSpaceNetwork, IptablesPacketFilter, applyFirewallPlan, buildFirewallPlan, type InstanceSpec } from '../../controller/runtime/index.js';
import { waitFor } from '../support/http.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';

const run = promisify(execFile);
const docker = new Dockerode();
const id = randomBytes(3).toString('hex');
const IMAGE = `spaceport-test/isolation:${id}`;
const PORT = 7860;
const MD_NS = `spiso-${id}`;
const MD_HOST_IF = `spmh${id}`;
const MD_NS_IF = `spmn${id}`;
const METADATA = '169.254.123.1';
/** An address of a host network that is not the uplink (as a Kubernetes node's pod bridge or a VM network is), in the same namespace. */
const LOCAL_NET = '198.18.123.1';

const PROBE = `import socket, sys, urllib.request
def tcp(host, port):
    s = socket.socket(socket.AF_INET)
    s.settimeout(4)
    try:
        s.connect((host, int(port)))
        return 'open'
    except ConnectionRefusedError:
        return 'refused'
    except socket.timeout:
        return 'timeout'
    except OSError as e:
        return 'error %s' % e.errno
def get(url):
    try:
        return str(urllib.request.urlopen(url, timeout=20).status)
    except Exception as e:
        return 'error %s' % type(e).__name__
def dns(name):
    try:
        socket.getaddrinfo(name, 443)
        return 'resolved'
    except OSError as e:
        return 'error %s' % type(e).__name__
mode = sys.argv[1]
print(tcp(sys.argv[2], sys.argv[3]) if mode == 'tcp' else dns(sys.argv[2]) if mode == 'dns' else get(sys.argv[2]))
`;

/** Blocked: refused by our rules, or dropped by Docker's (another bridge). */
const BLOCKED = ['refused', 'timeout'];

interface Install {
  prefix: string;
  network: DockerSpaceNetwork;
  runtime: DockerRuntime;
}

const installs: Install[] = [];
const servers: net.Server[] = [];

function makeInstall(tag: string, egress: SpaceEgress): Install {
  const prefix = `spiso-${tag}-${id}`;
  const network = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: prefix, egress, packetFilter: new IptablesPacketFilter() });
  const install = { prefix, network, runtime: new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix, network }) };
  installs.push(install);
  return install;
}

function spec(name: string): InstanceSpec {
  return {
    space: toSpaceId('iso', `${name}-${id}`),
    release: 'r1' as ReleaseId,
    image: IMAGE,
    port: PORT,
    env: {},
    flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 },
  };
}

async function containerOf(install: Install, s: InstanceSpec): Promise<{ id: string; ip: string; gateway: string }> {
  const [c] = await docker.listContainers({ filters: { label: [`spaceport.instance=${install.prefix}`, `spaceport.space=${s.space}`] } });
  const info = await docker.getContainer(c!.Id).inspect();
  const [attachment] = Object.values(info.NetworkSettings.Networks);
  return { id: c!.Id, ip: attachment!.IPAddress, gateway: attachment!.Gateway };
}

async function probe(containerId: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['exec', containerId, 'python3', '/probe.py', ...args], { timeout: 60_000 });
  return stdout.trim();
}

/** A TCP server on `host` (port 0) that answers `name` and closes; or pipes to a unix socket. */
async function listen(host: string, answer: string | { unix: string }): Promise<number> {
  const server = net.createServer((sock) => {
    if (typeof answer === 'string') sock.end(`${answer}\n`);
    else sock.pipe(net.connect(answer.unix)).pipe(sock);
    sock.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  return (server.address() as net.AddressInfo).port;
}

async function sh(cmd: string, args: string[]): Promise<void> {
  await run(cmd, args);
}

/** A Python base image of the engine's (made from Debian packages if none is there yet). */
async function pythonBase(): Promise<string> {
  const [found] = await docker.listImages({ filters: { reference: ['spaceport/python:*'] } });
  const tag = found?.RepoTags?.find((t) => t.startsWith('spaceport/python:'));
  if (tag) return tag;
  await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  return DEFAULT_BASE_IMAGES.python;
}

async function buildImage(base: string): Promise<void> {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, `FROM ${base}\nCOPY probe.py /probe.py\nWORKDIR /tmp\nCMD ["python3", "-m", "http.server", "${PORT}"]\n`);
  pack.entry({ name: 'probe.py' }, PROBE);
  pack.finalize();
  const stream = await docker.buildImage(pack as never, { t: IMAGE, labels: { 'spaceport.test': 'space-isolation' } });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, out: unknown) => (err ? reject(err) : resolve(out))));
}

/** The host's own IPv4 addresses outside loopback and the bridges (eth0 and the like). */
function hostAddresses(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([name]) => !/^(lo|docker|br-|spb-|veth|spm|spe|cni|flannel)/.test(name))
    .flatMap(([, addrs]) => (addrs ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
}

describe('Space isolation on Docker (issue 15)', () => {
  const a = makeInstall('a', { kind: 'all' });
  const b = makeInstall('b', { kind: 'all' });
  const n = makeInstall('n', { kind: 'none' });
  const a1 = spec('a1');
  const a2 = spec('a2');
  const b1 = spec('b1');
  const n1 = spec('n1');
  let hubPort: number;
  let metadataPort: number;

  beforeAll(async () => {
    await buildImage(await pythonBase());
    await Promise.all([a.runtime.apply(a1), a.runtime.apply(a2), b.runtime.apply(b1), n.runtime.apply(n1)]);
    // A stand-in hub on every host address (as SPACEPORT_HOST=0.0.0.0 listens).
    hubPort = await listen('0.0.0.0', 'hub');
    // A "metadata service" on a link-local address off the host, in a network namespace of ours.
    await sh('ip', ['netns', 'add', MD_NS]);
    await sh('ip', ['link', 'add', MD_HOST_IF, 'type', 'veth', 'peer', 'name', MD_NS_IF]);
    await sh('ip', ['link', 'set', MD_NS_IF, 'netns', MD_NS]);
    await sh('ip', ['addr', 'add', '169.254.123.2/32', 'dev', MD_HOST_IF]);
    await sh('ip', ['link', 'set', MD_HOST_IF, 'up']);
    await sh('ip', ['route', 'add', `${METADATA}/32`, 'dev', MD_HOST_IF]);
    await sh('ip', ['route', 'add', `${LOCAL_NET}/32`, 'dev', MD_HOST_IF]);
    await sh('ip', ['netns', 'exec', MD_NS, 'ip', 'addr', 'add', `${METADATA}/32`, 'dev', MD_NS_IF]);
    await sh('ip', ['netns', 'exec', MD_NS, 'ip', 'addr', 'add', `${LOCAL_NET}/32`, 'dev', MD_NS_IF]);
    await sh('ip', ['netns', 'exec', MD_NS, 'ip', 'link', 'set', MD_NS_IF, 'up']);
    await sh('ip', ['netns', 'exec', MD_NS, 'ip', 'route', 'add', 'default', 'dev', MD_NS_IF]);
    const dir = mkdtempSync(path.join(tmpdir(), 'spiso-'));
    writeFileSync(path.join(dir, 'md.py'), 'import socketserver,sys\nclass H(socketserver.BaseRequestHandler):\n    def handle(self): self.request.sendall(b"metadata\\n")\nsocketserver.TCPServer.allow_reuse_address=True\nsocketserver.ThreadingTCPServer(("0.0.0.0", 8123), H).serve_forever()\n');
    const child = execFile('ip', ['netns', 'exec', MD_NS, 'python3', path.join(dir, 'md.py'), METADATA]);
    servers.push({ close: () => child.kill() } as never);
    metadataPort = 8123;
    // The host reaches it (so a refusal from a Space is the firewall's doing).
    await waitFor('the metadata stand-in', async () => ((await tcpFromHost(METADATA, metadataPort)) === 'metadata' ? true : undefined), 20_000);
    rmSync(dir, { recursive: true, force: true });
  }, 600_000);

  afterAll(async () => {
    for (const s of servers) s.close();
    await Promise.all(
      installs.map(async (i) => {
        const left = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${i.prefix}`] } });
        await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
        await i.runtime.close().catch(() => undefined);
        await i.network.teardown().catch(() => undefined);
      }),
    );
    await run('ip', ['link', 'del', MD_HOST_IF]).catch(() => undefined);
    await run('ip', ['netns', 'del', MD_NS]).catch(() => undefined);
    await docker.getImage(IMAGE).remove({ force: true }).catch(() => undefined);
  }, 180_000);

  it("puts an install's Spaces on its own network, and the published port still serves each app", async () => {
    const info = await docker.getNetwork(`${a.prefix}-spaces`).inspect();
    expect(info.Options?.['com.docker.network.bridge.enable_icc']).toBe('false');
    const [instance] = await a.runtime.list(a1.space);
    expect(instance!.endpoint).toBeDefined();
    const res = await fetch(`http://${instance!.endpoint!.host}:${instance!.endpoint!.port}/`);
    expect(res.status).toBe(200);
    const [none] = await n.runtime.list(n1.space);
    expect((await fetch(`http://${none!.endpoint!.host}:${none!.endpoint!.port}/`)).status).toBe(200);
  });

  it('a Space cannot reach another Space of its install, nor a Space of another install', async () => {
    const from = await containerOf(a, a1);
    const sibling = await containerOf(a, a2);
    const other = await containerOf(b, b1);
    expect(await probe(from.id, 'tcp', sibling.ip, String(PORT))).toBe('refused');
    expect(BLOCKED).toContain(await probe(from.id, 'tcp', other.ip, String(PORT)));
  });

  it("a Space cannot reach the host's ports (the gateway and every host address) nor the engine", async () => {
    const from = await containerOf(a, a1);
    expect(await tcpFromHost(from.gateway, hubPort)).toBe('hub');
    for (const address of [from.gateway, '172.17.0.1', ...hostAddresses()]) {
      expect({ address, got: await probe(from.id, 'tcp', address, String(hubPort)) }).toEqual({ address, got: 'refused' });
    }
    const enginePort = await listen(from.gateway, { unix: '/var/run/docker.sock' });
    expect(await probe(from.id, 'tcp', from.gateway, String(enginePort))).toBe('refused');
  });

  it('a Space cannot reach link-local (metadata) addresses, which the host reaches', async () => {
    const from = await containerOf(a, a1);
    expect(await probe(from.id, 'tcp', METADATA, String(metadataPort))).toBe('refused');
    expect(await tcpFromHost(METADATA, metadataPort)).toBe('metadata');
  });

  it("a Space cannot reach the host's other networks (not its uplink), which the host reaches", async () => {
    const from = await containerOf(a, a1);
    expect(await tcpFromHost(LOCAL_NET, metadataPort)).toBe('metadata');
    expect(await probe(from.id, 'tcp', LOCAL_NET, String(metadataPort))).toBe('refused');
  });

  it('with egress all a Space reaches PyPI; with egress none it reaches nothing, not even a nameserver', async () => {
    expect(await probe((await containerOf(a, a1)).id, 'get', 'https://pypi.org/simple/pip/')).toBe('200');
    const none = await containerOf(n, n1);
    expect(await probe(none.id, 'dns', 'pypi.org')).toMatch(/^error /);
    expect(await probe(none.id, 'get', 'https://pypi.org/simple/pip/')).toMatch(/^error /);
    expect(await probe(none.id, 'tcp', '151.101.0.223', '443')).toBe('refused');
  });

  it('an instance made before (on docker0) leaves it: removed at start while it runs, made again on the Space network', async () => {
    const prefix = `spiso-m-${id}`;
    const m1 = spec('m1');
    const before = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix });
    await before.apply(m1);
    await before.close();
    const networksOf = async (): Promise<string[][]> =>
      (await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`] } })).map((c) => Object.keys(c.NetworkSettings?.Networks ?? {}));
    expect(await networksOf()).toEqual([['bridge']]);
    const network = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: prefix, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
    const runtime = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix, network });
    installs.push({ prefix, network, runtime });
    await runtime.prepare();
    expect(await networksOf()).toEqual([]);
    await runtime.apply(m1);
    expect(await networksOf()).toEqual([[`${prefix}-spaces`]]);
  });

  it('a Space network another process of the install removed meanwhile is made again, rules and all, by the next start', async () => {
    const prefix = `spiso-r-${id}`;
    const network = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: prefix, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
    const runtime = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix, network });
    installs.push({ prefix, network, runtime });
    await runtime.prepare();
    const other = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: prefix, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
    await other.teardown();
    const r1 = spec('r1');
    await runtime.apply(r1);
    const from = await containerOf({ prefix, network, runtime }, r1);
    expect(await probe(from.id, 'tcp', from.gateway, String(hubPort))).toBe('refused');
  });

  it('without a working iptables the runtime refuses to start Spaces, naming the fix; all-unfiltered opts out of the rules', async () => {
    const broken = { run: async () => ({ code: 127, stderr: 'spawn iptables ENOENT' }), restore: async () => ({ code: 127, stderr: 'spawn iptables-restore ENOENT' }) };
    const prefix = `spiso-x-${id}`;
    const network = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: prefix, egress: { kind: 'all' }, packetFilter: broken });
    const runtime = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix, network });
    installs.push({ prefix, network, runtime });
    await expect(runtime.prepare()).rejects.toThrow(/apt-get install iptables.*SPACEPORT_SPACE_EGRESS=all-unfiltered/);
    await expect(runtime.apply(spec('x1'))).rejects.toThrow(/firewall rules/);
    expect(await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`] } })).toEqual([]);
    const unfiltered = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: prefix, egress: { kind: 'all-unfiltered' } });
    expect(await unfiltered.ensure()).toBe(`${prefix}-spaces`);
  });

  it('a build step (BuildKit RUN, on docker0) cannot reach the host or metadata, and still reaches PyPI', async () => {
    await applyFirewallPlan(new IptablesPacketFilter(), buildFirewallPlan());
    const dir = mkdtempSync(path.join(tmpdir(), 'spiso-build-'));
    const lines: string[] = [];
    try {
      writeFileSync(path.join(dir, 'probe.py'), PROBE);
      const dockerfile = [
        `FROM ${IMAGE}`,
        `RUN echo "nonce ${id} $(date +%s%N)" && echo "hub=$(python3 /probe.py tcp 172.17.0.1 ${hubPort})" && echo "metadata=$(python3 /probe.py tcp ${METADATA} ${metadataPort})" && echo "pypi=$(python3 /probe.py get https://pypi.org/simple/pip/)"`,
        '',
      ].join('\n');
      const builder = new DockerImageBuilder({ docker, logger: silentLogger() });
      await builder.build(
        { space: toSpaceId('iso', `build-${id}`), image: `${IMAGE}-build`, contextDir: dir, dockerfile, noCache: true },
        { write: (s: string) => void lines.push(s) } as never,
        new AbortController().signal,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await docker.getImage(`${IMAGE}-build`).remove({ force: true }).catch(() => undefined);
    }
    const log = lines.join('');
    expect(log).toMatch(/hub=refused/);
    expect(log).toMatch(/metadata=refused/);
    expect(log).toMatch(/pypi=200/);
  }, 300_000);
});

/** Connect from the host and read the first line ('refused' / 'timeout' when it cannot). */
function tcpFromHost(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port, timeout: 4000 });
    let data = '';
    sock.on('data', (d) => (data += d.toString()));
    sock.on('end', () => resolve(data.trim()));
    sock.on('timeout', () => {
      sock.destroy();
      resolve('timeout');
    });
    sock.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : `error ${err.code}`));
  });
}
