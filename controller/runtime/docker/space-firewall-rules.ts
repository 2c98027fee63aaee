import { createHash } from 'node:crypto';
import type { SpaceEgress } from '../../../core/index.js';

/**
 * The host firewall rules that keep Spaces (and build steps) off the host, metadata addresses and
 * each other, as data: rendered here (pure, tested without iptables), applied by
 * `applyFirewallPlan` (docker-firewall.ts) through a `PacketFilter`.
 *
 * Per bridge interface, two chains of our own:
 * - `…-IN`, jumped to from INPUT for packets that come in on the bridge: replies of connections the
 *   host opened (the proxy's, through docker-proxy) pass, every new connection to the host (any of
 *   its addresses, the gateway included) is refused.
 * - `…-OUT`, jumped to from DOCKER-USER (IPv4) or FORWARD (IPv6) for packets forwarded from the
 *   bridge: replies pass; other containers on the same bridge, link-local and metadata addresses are
 *   refused; then the egress setting decides.
 * REJECT, not DROP: a refused connection fails at once instead of hanging until its timeout.
 */

export type IpFamily = 'ipv4' | 'ipv6';

export interface FirewallChain {
  family: IpFamily;
  name: string;
  /** Each rule's arguments after `-A {name}`. */
  rules: string[][];
}

export interface FirewallJump {
  family: IpFamily;
  /** The built-in (or Docker's) chain the jump sits in, at its top. */
  parent: 'INPUT' | 'FORWARD' | 'DOCKER-USER';
  /** The rule's arguments after `-I {parent} 1`. */
  rule: string[];
}

export interface FirewallPlan {
  /** Who owns the rules (the instance, or `builds`): in every jump's comment. */
  owner: string;
  chains: FirewallChain[];
  jumps: FirewallJump[];
}

/** Link-local (169.254.0.0/16 holds the clouds' metadata service 169.254.169.254) and AWS's IPv6 metadata address. */
export const METADATA_NETWORKS: Record<IpFamily, string[]> = {
  ipv4: ['169.254.0.0/16'],
  ipv6: ['fe80::/10', 'fd00:ec2::254/128'],
};

const REPLIES = ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN'];
const REFUSE = ['-j', 'REJECT'];
/** IPv6 neighbour discovery with the host (not tracked as a reply): refusing it would only break the link. */
const NEIGHBOUR_DISCOVERY = ['neighbour-solicitation', 'neighbour-advertisement'].map((t) => ['-p', 'ipv6-icmp', '--icmpv6-type', t, '-j', 'RETURN']);

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** The Docker network of an install's Spaces. */
export function spaceNetworkName(namePrefix: string): string {
  return `${namePrefix}-spaces`;
}

/** Its bridge interface (at most 15 characters, the kernel's limit): `spb-{hash of the prefix}`. */
export function spaceBridgeName(namePrefix: string): string {
  return `spb-${shortHash(namePrefix)}`;
}

/** First part of the install's chain names (iptables allows 28 characters): `SPACEPORT-{hash}`. */
export function spaceChainBase(namePrefix: string): string {
  return `SPACEPORT-${shortHash(namePrefix)}`;
}

export const BUILD_CHAIN_BASE = 'SPACEPORT-BUILDS';
/** The engine's default bridge, where BuildKit in dockerd runs RUN steps (its bridge network provider). */
export const DEFAULT_BRIDGE = 'docker0';

function isV6(cidr: string): boolean {
  return cidr.includes(':');
}

/** The interfaces the host's default routes leave by (its uplinks), per family. */
export type Uplinks = Record<IpFamily, string[]>;

/** Interfaces of the default routes in `/proc/net/route` (IPv4: destination and mask 0). */
export function defaultRouteInterfaces(procNetRoute: string): string[] {
  const found = procNetRoute
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[1] === '00000000' && f[7] === '00000000' && f[0] !== 'lo');
  return [...new Set(found.map((f) => f[0]!))];
}

/** Interfaces of the default routes in `/proc/net/ipv6_route` (destination ::/0 with a next hop or a device). */
export function defaultRouteInterfaces6(procNetIpv6Route: string): string[] {
  const found = procNetIpv6Route
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 10 && /^0{32}$/.test(f[0]!) && f[1] === '00' && f[9] !== 'lo');
  return [...new Set(found.map((f) => f[9]!))];
}

/**
 * What the egress setting lets through once the fixed refusals are passed. `all` is what leaves by
 * the host's uplinks (the internet, and what the host reaches that way), not the host's other
 * networks (a Kubernetes node's pod bridge, VMs, another engine's bridge): Docker's own isolation
 * covers only Docker's bridges.
 */
function egressRules(egress: SpaceEgress, family: IpFamily, uplinks: Uplinks): string[][] {
  switch (egress.kind) {
    case 'all':
    case 'all-unfiltered':
      return [...uplinks[family].map((dev) => ['-o', dev, '-j', 'RETURN']), REFUSE];
    case 'none':
      return [REFUSE];
    case 'cidrs':
      return [...egress.cidrs.filter((c) => isV6(c) === (family === 'ipv6')).map((c) => ['-d', c, '-j', 'RETURN']), REFUSE];
  }
}

function comment(owner: string): string[] {
  return ['-m', 'comment', '--comment', `spaceport ${owner}`];
}

function bridgePlan(o: { bridge: string; chainBase: string; owner: string; egress: SpaceEgress; uplinks?: Uplinks; refuseSameBridge: boolean }): FirewallPlan {
  const chains: FirewallChain[] = [];
  const jumps: FirewallJump[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const input = `${o.chainBase}-IN`;
    const out = `${o.chainBase}-OUT`;
    chains.push({ family, name: input, rules: [REPLIES, ...(family === 'ipv6' ? NEIGHBOUR_DISCOVERY : []), REFUSE] });
    chains.push({
      family,
      name: out,
      rules: [
        REPLIES,
        ...(o.refuseSameBridge ? [['-o', o.bridge, ...REFUSE]] : []),
        ...METADATA_NETWORKS[family].map((net) => ['-d', net, ...REFUSE]),
        ...(o.uplinks ? egressRules(o.egress, family, o.uplinks) : [['-j', 'RETURN']]),
      ],
    });
    jumps.push({ family, parent: 'INPUT', rule: ['-i', o.bridge, ...comment(o.owner), '-j', input] });
    // Docker's own ip6tables rules are off by default, so IPv6 has no DOCKER-USER chain.
    jumps.push({ family, parent: family === 'ipv4' ? 'DOCKER-USER' : 'FORWARD', rule: ['-i', o.bridge, ...comment(o.owner), '-j', out] });
  }
  return { owner: o.owner, chains, jumps };
}

/** The rules of one install's Space network (bridge `spaceBridgeName(prefix)`); `uplinks`: see `egressRules`. */
export function spaceFirewallPlan(namePrefix: string, egress: SpaceEgress, uplinks: Uplinks): FirewallPlan {
  return bridgePlan({ bridge: spaceBridgeName(namePrefix), chainBase: spaceChainBase(namePrefix), owner: namePrefix, egress, uplinks, refuseSameBridge: true });
}

/**
 * The rules of build steps: BuildKit RUN steps run on the engine's default bridge, shared with
 * whatever else the host runs there, so only the host and metadata are refused (Spaces are on
 * networks of their own, which Docker already keeps apart from docker0).
 */
export function buildFirewallPlan(bridge: string = DEFAULT_BRIDGE): FirewallPlan {
  return bridgePlan({ bridge, chainBase: BUILD_CHAIN_BASE, owner: 'builds', egress: { kind: 'all' }, refuseSameBridge: false });
}

/** `iptables-restore --noflush` input that creates (or empties and refills) the plan's chains of one family, atomically. */
export function restoreInput(plan: FirewallPlan, family: IpFamily): string {
  const chains = plan.chains.filter((c) => c.family === family);
  const lines = ['*filter', ...chains.map((c) => `:${c.name} - [0:0]`)];
  for (const c of chains) for (const rule of c.rules) lines.push(['-A', c.name, ...rule.map(quoteRestoreWord)].join(' '));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** iptables-restore splits on spaces and understands double quotes (our comments hold a space). */
function quoteRestoreWord(word: string): string {
  return /^[A-Za-z0-9_.:/,+=-]+$/.test(word) ? word : `"${word.replace(/["\\]/g, '')}"`;
}
