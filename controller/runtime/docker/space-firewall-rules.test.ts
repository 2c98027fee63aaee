import { describe, expect, it } from 'vitest';
import { buildFirewallPlan, defaultRouteInterfaces, defaultRouteInterfaces6, restoreInput, spaceBridgeName, spaceChainBase, spaceFirewallPlan, spaceNetworkName, type FirewallPlan, type IpFamily } from './space-firewall-rules.js';

const UPLINKS = { ipv4: ['eth0'], ipv6: ['eth0'] };
const rules = (plan: FirewallPlan, family: IpFamily, suffix: string): string[] =>
  plan.chains.find((c) => c.family === family && c.name.endsWith(suffix))!.rules.map((r) => r.join(' '));

describe('the Space network firewall rules', () => {
  it('names the network, bridge and chains from the instance, within the kernel and iptables limits', () => {
    const long = 'a'.repeat(31);
    expect(spaceNetworkName('spaceport')).toBe('spaceport-spaces');
    expect(spaceBridgeName(long).length).toBeLessThanOrEqual(15);
    expect(`${spaceChainBase(long)}-OUT`.length).toBeLessThanOrEqual(28);
    expect(spaceBridgeName('one')).not.toBe(spaceBridgeName('two'));
    expect(spaceChainBase('one')).not.toBe(spaceChainBase('two'));
  });

  it('lets replies through first, then refuses every new connection to the host', () => {
    const plan = spaceFirewallPlan('sp1', { kind: 'all' }, UPLINKS);
    expect(rules(plan, 'ipv4', '-IN')).toEqual(['-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN', '-j REJECT']);
    expect(rules(plan, 'ipv6', '-IN')[0]).toContain('RELATED,ESTABLISHED');
    expect(rules(plan, 'ipv6', '-IN').at(-1)).toBe('-j REJECT');
    const bridge = spaceBridgeName('sp1');
    expect(plan.jumps).toContainEqual({ family: 'ipv4', parent: 'INPUT', rule: ['-i', bridge, '-m', 'comment', '--comment', 'spaceport sp1', '-j', `${spaceChainBase('sp1')}-IN`] });
  });

  it("egress all: other Spaces and metadata refused, what leaves by the host's uplinks let through, not its other networks", () => {
    const plan = spaceFirewallPlan('sp1', { kind: 'all' }, UPLINKS);
    const bridge = spaceBridgeName('sp1');
    expect(rules(plan, 'ipv4', '-OUT')).toEqual([
      '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      `-o ${bridge} -j REJECT`,
      '-d 169.254.0.0/16 -j REJECT',
      '-o eth0 -j RETURN',
      '-j REJECT',
    ]);
    expect(rules(spaceFirewallPlan('sp1', { kind: 'all' }, { ipv4: ['eth0', 'wg0'], ipv6: [] }), 'ipv6', '-OUT').at(-1)).toBe('-j REJECT');
    expect(rules(spaceFirewallPlan('sp1', { kind: 'all' }, { ipv4: ['eth0', 'wg0'], ipv6: [] }), 'ipv4', '-OUT').slice(-3)).toEqual(['-o eth0 -j RETURN', '-o wg0 -j RETURN', '-j REJECT']);
    expect(rules(plan, 'ipv6', '-OUT')).toContain('-d fd00:ec2::254/128 -j REJECT');
    expect(plan.jumps.filter((j) => j.rule.at(-1)!.endsWith('-OUT')).map((j) => `${j.family} ${j.parent}`)).toEqual(['ipv4 DOCKER-USER', 'ipv6 FORWARD']);
  });

  it('egress none refuses every new outbound connection; a CIDR list lets only those through, per family', () => {
    expect(rules(spaceFirewallPlan('sp1', { kind: 'none' }, UPLINKS), 'ipv4', '-OUT').at(-1)).toBe('-j REJECT');
    expect(rules(spaceFirewallPlan('sp1', { kind: 'none' }, UPLINKS), 'ipv4', '-OUT')).not.toContain('-j RETURN');
    const plan = spaceFirewallPlan('sp1', { kind: 'cidrs', cidrs: ['151.101.0.0/16', '2a04:4e42::/32'] }, UPLINKS);
    expect(rules(plan, 'ipv4', '-OUT').slice(-2)).toEqual(['-d 151.101.0.0/16 -j RETURN', '-j REJECT']);
    expect(rules(plan, 'ipv6', '-OUT').slice(-2)).toEqual(['-d 2a04:4e42::/32 -j RETURN', '-j REJECT']);
    // Metadata stays refused even when a listed network holds it.
    const wide = spaceFirewallPlan('sp1', { kind: 'cidrs', cidrs: ['0.0.0.0/0'] }, UPLINKS);
    expect(rules(wide, 'ipv4', '-OUT').indexOf('-d 169.254.0.0/16 -j REJECT')).toBeLessThan(rules(wide, 'ipv4', '-OUT').indexOf('-d 0.0.0.0/0 -j RETURN'));
  });

  it('build steps on docker0: host and metadata refused, docker0 itself left to Docker', () => {
    const plan = buildFirewallPlan();
    expect(plan.jumps.every((j) => j.rule.includes('docker0'))).toBe(true);
    expect(rules(plan, 'ipv4', '-IN')).toEqual(['-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN', '-j REJECT']);
    expect(rules(plan, 'ipv4', '-OUT')).toEqual(['-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN', '-d 169.254.0.0/16 -j REJECT', '-j RETURN']);
  });

  it('finds the uplinks in /proc/net/route and /proc/net/ipv6_route', () => {
    const route = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
      'wg0\t00000000\t00000000\t0001\t0\t0\t100\t00000000\t0\t0\t0',
    ].join('\n');
    expect(defaultRouteInterfaces(route)).toEqual(['eth0', 'wg0']);
    expect(defaultRouteInterfaces('Iface\tDestination\n')).toEqual([]);
    const route6 = [
      'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003     eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo',
    ].join('\n');
    expect(defaultRouteInterfaces6(route6)).toEqual(['eth0']);
  });

  it('renders iptables-restore input that declares (so empties) only its own chains', () => {
    const text = restoreInput(spaceFirewallPlan('sp1', { kind: 'all' }, UPLINKS), 'ipv4');
    const base = spaceChainBase('sp1');
    expect(text.split('\n').filter((l) => l.startsWith(':'))).toEqual([`:${base}-IN - [0:0]`, `:${base}-OUT - [0:0]`]);
    expect(text.startsWith('*filter\n')).toBe(true);
    expect(text.endsWith('COMMIT\n')).toBe(true);
    expect(text).not.toMatch(/DOCKER-USER|INPUT|FORWARD/);
  });
});
