import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { SpaceportError, fail } from '../../core/index.js';

/**
 * Which addresses an upstream (pull-mode) URL may reach. A user who can set an upstream must not be
 * able to make the controller fetch from its own host, the cluster's network or a cloud metadata
 * endpoint (SSRF): names resolving to loopback, link-local, private, CGNAT, multicast, reserved or
 * unspecified addresses are refused unless the operator allows them.
 */
export interface UpstreamAddressPolicy {
  /** Loopback (127.0.0.0/8, ::1) allowed: tests and local mirrors (`SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS`). */
  allowLoopback: boolean;
  /** Networks allowed whatever their kind, as CIDRs (`SPACEPORT_UPSTREAM_ALLOWED_NETWORKS`, e.g. an internal git host). */
  allowedNetworks: readonly string[];
}

export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'cgnat' | 'multicast' | 'unspecified' | 'reserved';

const V4: Array<[string, number, AddressKind]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6: Array<[string, number, AddressKind]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['2001::', 32, 'reserved'], // Teredo: tunnels to an address we cannot see
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

const lists = new Map<AddressKind, BlockList>();
for (const [net, bits, kind] of V4) blockFor(kind).addSubnet(net, bits, 'ipv4');
for (const [net, bits, kind] of V6) blockFor(kind).addSubnet(net, bits, 'ipv6');

function blockFor(kind: AddressKind): BlockList {
  let list = lists.get(kind);
  if (!list) lists.set(kind, (list = new BlockList()));
  return list;
}

function hextets(ip: string): number[] | undefined {
  // Expand an IPv6 literal (possibly ending in dotted IPv4) into 8 numbers.
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const p = dotted[1]!.split('.').map(Number);
    text = text.slice(0, -dotted[1]!.length) + `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array<string>(Math.max(0, fill)).fill('0'), ...t].map((x) => parseInt(x, 16));
  return all.length === 8 && all.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? all : undefined;
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), or undefined. */
export function embeddedIPv4(ip: string): string | undefined {
  const h = hextets(ip);
  if (!h) return undefined;
  const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zero = (from: number, to: number): boolean => h.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && h[5] === 0xffff) return v4(h[6]!, h[7]!); // ::ffff:a.b.c.d (mapped)
  if (zero(0, 4) && h[4] === 0xffff && h[5] === 0) return v4(h[6]!, h[7]!); // ::ffff:0:a.b.c.d (translated)
  if (zero(0, 6) && (h[6]! !== 0 || h[7]! > 1)) return v4(h[6]!, h[7]!); // ::a.b.c.d (compatible, deprecated)
  if (h[0] === 0x64 && h[1] === 0xff9b && zero(2, 6)) return v4(h[6]!, h[7]!); // 64:ff9b::/96 (NAT64)
  if (h[0] === 0x2002) return v4(h[1]!, h[2]!); // 2002::/16 (6to4)
  return undefined;
}

/** What kind of address this is (IPv4 or IPv6 literal; IPv6 forms carrying IPv4 are judged by the IPv4). */
export function addressKind(ip: string): AddressKind {
  const family = isIP(ip);
  if (family === 0) return 'reserved';
  if (family === 6) {
    const inner = embeddedIPv4(ip);
    if (inner !== undefined) return addressKind(inner);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of lists) if (list.check(ip, type)) return kind;
  return 'public';
}

function allowedBy(policy: UpstreamAddressPolicy): BlockList {
  const list = new BlockList();
  for (const cidr of policy.allowedNetworks) {
    const [net, bits] = cidr.split('/');
    const family = isIP(net ?? '');
    if (family === 0) continue;
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    list.addSubnet(net!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** Why this address may not be reached under the policy, or undefined when it may. */
export function addressProblem(ip: string, policy: UpstreamAddressPolicy): string | undefined {
  const kind = addressKind(ip);
  if (kind === 'public') return undefined;
  if (kind === 'loopback' && policy.allowLoopback) return undefined;
  const inner = isIP(ip) === 6 ? embeddedIPv4(ip) : undefined;
  const allowed = allowedBy(policy);
  if (allowed.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6') || (inner !== undefined && allowed.check(inner, 'ipv4'))) return undefined;
  return `it resolves to ${ip}, a ${kind} address (an operator can allow a network with SPACEPORT_UPSTREAM_ALLOWED_NETWORKS)`;
}

export type LookupAll = (host: string) => Promise<string[]>;

/** Every address the system resolver gives for a name (as `git`/curl would see them). */
export const systemLookup: LookupAll = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Resolve the URL's host and check every address it resolves to (one bad address among good ones
 * is refused too: curl may pick it). Returns the addresses, to pin the fetch to them (DNS rebinding).
 * Throws `InvalidUpstream` (400) for a forbidden address, `UpstreamFetchFailed` (502) when the name
 * does not resolve.
 */
export async function resolveUpstreamAddresses(url: string, policy: UpstreamAddressPolicy, lookup: LookupAll = systemLookup): Promise<{ host: string; port: number; addresses: string[] }> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'http:' ? 80 : 443;
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = await lookup(host);
    } catch (err) {
      throw fail('upstreamHostUnresolved', { host, errno: (err as NodeJS.ErrnoException).code ?? 'DNS error' }, { cause: err });
    }
    if (addresses.length === 0) throw fail('upstreamHostUnresolved', { host });
  }
  for (const ip of addresses) {
    const problem = addressProblem(ip, policy);
    if (problem) throw fail('upstreamHostRefused', { host, problem });
  }
  return { host, port, addresses };
}

/** The set-time check: refuse a forbidden address now; a name that does not resolve now is left to the fetch. */
export async function checkUpstreamAddressNow(url: string, policy: UpstreamAddressPolicy, lookup: LookupAll = systemLookup): Promise<void> {
  try {
    await resolveUpstreamAddresses(url, policy, lookup);
  } catch (err) {
    if (err instanceof SpaceportError && err.code === 'UpstreamFetchFailed') return;
    throw err;
  }
}
