// Threat: SSRF through pull mode. A user sets an upstream whose host resolves to the controller's
// own loopback, the cluster network, a cloud metadata endpoint (169.254.169.254) or a rebinding
// DNS name that is public when set and private when fetched.
import { describe, expect, it } from 'vitest';
import { isSpaceportError } from '../../core/index.js';
import { addressKind, addressProblem, checkUpstreamAddressNow, embeddedIPv4, resolveUpstreamAddresses, type LookupAll } from './upstream-address.js';

const strict = { allowLoopback: false, allowedNetworks: [] };

describe('addressKind', () => {
  const table: Array<[string, string]> = [
    ['8.8.8.8', 'public'],
    ['140.82.112.3', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00::1', 'private'],
    ['fc12:3456::1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    // IPv6 forms that carry an IPv4 address are judged by it.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:0808:0808::1', 'public'],
    ['fe80::1%eth0', 'link-local'],
    ['not-an-ip', 'reserved'],
  ];
  for (const [ip, kind] of table) {
    it(`${ip} is ${kind}`, () => expect(addressKind(ip)).toBe(kind));
  }

  it('finds the IPv4 inside mapped, NAT64 and 6to4 forms', () => {
    expect(embeddedIPv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIPv4('64:ff9b::c0a8:1')).toBe('192.168.0.1');
    expect(embeddedIPv4('2002:c0a8:1::')).toBe('192.168.0.1');
    expect(embeddedIPv4('2606:4700::1111')).toBeUndefined();
    expect(embeddedIPv4('::1')).toBeUndefined();
  });
});

describe('addressProblem', () => {
  it('refuses every non-public kind by default, naming the setting', () => {
    for (const ip of ['127.0.0.1', '::1', '10.0.0.1', '169.254.169.254', '100.64.0.1', '224.0.0.1', '0.0.0.0', '::ffff:127.0.0.1']) {
      expect(addressProblem(ip, strict), ip).toMatch(/SPACEPORT_UPSTREAM_ALLOWED_NETWORKS/);
    }
    expect(addressProblem('8.8.8.8', strict)).toBeUndefined();
  });

  it('loopback only with allowLoopback; other networks only when listed', () => {
    const loop = { allowLoopback: true, allowedNetworks: [] };
    expect(addressProblem('127.0.0.1', loop)).toBeUndefined();
    expect(addressProblem('::ffff:127.0.0.1', loop)).toBeUndefined();
    expect(addressProblem('10.0.0.1', loop)).toBeDefined();
    expect(addressProblem('169.254.169.254', loop)).toBeDefined();
    const net = { allowLoopback: false, allowedNetworks: ['10.1.0.0/16', 'fd00::/8', '192.168.5.5'] };
    expect(addressProblem('10.1.2.3', net)).toBeUndefined();
    expect(addressProblem('::ffff:10.1.2.3', net)).toBeUndefined();
    expect(addressProblem('fd00::5', net)).toBeUndefined();
    expect(addressProblem('192.168.5.5', net)).toBeUndefined();
    expect(addressProblem('10.2.0.1', net)).toBeDefined();
    expect(addressProblem('127.0.0.1', net)).toBeDefined();
  });
});

describe('resolveUpstreamAddresses', () => {
  const lookupOf = (answers: Record<string, string[]>): LookupAll => async (host) => {
    const a = answers[host];
    if (!a) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return a;
  };

  it('refuses a name with any forbidden address among its answers (DNS, not the URL text)', async () => {
    const lookup = lookupOf({ 'git.example.com': ['140.82.112.3'], 'evil.example.com': ['140.82.112.3', '10.0.0.5'], 'meta.example.com': ['169.254.169.254'] });
    await expect(resolveUpstreamAddresses('https://git.example.com/a.git', strict, lookup)).resolves.toEqual({ host: 'git.example.com', port: 443, addresses: ['140.82.112.3'] });
    for (const url of ['https://evil.example.com/a.git', 'https://meta.example.com/latest/meta-data', 'https://127.0.0.1/a', 'https://[::ffff:7f00:1]/a', 'https://[fe80::1]/a']) {
      const err = await resolveUpstreamAddresses(url, strict, lookup).catch((e: unknown) => e);
      expect(isSpaceportError(err, 'InvalidUpstream'), url).toBe(true);
    }
  });

  it('a rebinding name is checked again at fetch time (public when set, private when fetched)', async () => {
    let calls = 0;
    const rebinding: LookupAll = async () => (calls++ === 0 ? ['140.82.112.3'] : ['127.0.0.1']);
    await expect(checkUpstreamAddressNow('https://rebind.example.com/a.git', strict, rebinding)).resolves.toBeUndefined();
    const err = await resolveUpstreamAddresses('https://rebind.example.com/a.git', strict, rebinding).catch((e: unknown) => e);
    expect(isSpaceportError(err, 'InvalidUpstream')).toBe(true);
  });

  it('a name that does not resolve is a fetch failure (502), and no reason to refuse it when set', async () => {
    const err = await resolveUpstreamAddresses('https://nowhere.invalid/a.git', strict, lookupOf({})).catch((e: unknown) => e);
    expect(isSpaceportError(err, 'UpstreamFetchFailed')).toBe(true);
    await expect(checkUpstreamAddressNow('https://nowhere.invalid/a.git', strict, lookupOf({}))).resolves.toBeUndefined();
  });
});
