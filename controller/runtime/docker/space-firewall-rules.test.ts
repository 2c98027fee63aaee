import { describe, expect, it } from 'vitest';
import { buildFirewallPlan, restoreInput, spaceBridgeName, spaceChainBase, spaceFirewallPlan, spaceNetworkName, type FirewallPlan, type IpFamily } from './space-firewall-rules.js';

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
    const plan = spaceFirewallPlan('sp1', { kind: 'all' });
    expect(rules(plan, 'ipv4', '-IN')).toEqual(['-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN', '-j REJECT']);
    expect(rules(plan, 'ipv6', '-IN')[0]).toContain('RELATED,ESTABLISHED');
    expect(rules(plan, 'ipv6', '-IN').at(-1)).toBe('-j REJECT');
    const bridge = spaceBridgeName('sp1');
    expect(plan.jumps).toContainEqual({ family: 'ipv4', parent: 'INPUT', rule: ['-i', bridge, '-m', 'comment', '--comment', 'spaceport sp1', '-j', `${spaceChainBase('sp1')}-IN`] });
  });

  it('egress all: other Spaces and metadata refused, the rest let through (forwarded traffic goes through DOCKER-USER)', () => {
    const plan = spaceFirewallPlan('sp1', { kind: 'all' });
    const bridge = spaceBridgeName('sp1');
    expect(rules(plan, 'ipv4', '-OUT')).toEqual([
      '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      `-o ${bridge} -j REJECT`,
      '-d 169.254.0.0/16 -j REJECT',
      '-j RETURN',
    ]);
    expect(rules(plan, 'ipv6', '-OUT')).toContain('-d fd00:ec2::254/128 -j REJECT');
    expect(plan.jumps.filter((j) => j.rule.at(-1)!.endsWith('-OUT')).map((j) => `${j.family} ${j.parent}`)).toEqual(['ipv4 DOCKER-USER', 'ipv6 FORWARD']);
  });

  it('egress none refuses every new outbound connection; a CIDR list lets only those through, per family', () => {
    expect(rules(spaceFirewallPlan('sp1', { kind: 'none' }), 'ipv4', '-OUT').at(-1)).toBe('-j REJECT');
    expect(rules(spaceFirewallPlan('sp1', { kind: 'none' }), 'ipv4', '-OUT')).not.toContain('-j RETURN');
    const plan = spaceFirewallPlan('sp1', { kind: 'cidrs', cidrs: ['151.101.0.0/16', '2a04:4e42::/32'] });
    expect(rules(plan, 'ipv4', '-OUT').slice(-2)).toEqual(['-d 151.101.0.0/16 -j RETURN', '-j REJECT']);
    expect(rules(plan, 'ipv6', '-OUT').slice(-2)).toEqual(['-d 2a04:4e42::/32 -j RETURN', '-j REJECT']);
    // Metadata stays refused even when a listed network holds it.
    const wide = spaceFirewallPlan('sp1', { kind: 'cidrs', cidrs: ['0.0.0.0/0'] });
    expect(rules(wide, 'ipv4', '-OUT').indexOf('-d 169.254.0.0/16 -j REJECT')).toBeLessThan(rules(wide, 'ipv4', '-OUT').indexOf('-d 0.0.0.0/0 -j RETURN'));
  });

  it('build steps on docker0: host and metadata refused, docker0 itself left to Docker', () => {
    const plan = buildFirewallPlan();
    expect(plan.jumps.every((j) => j.rule.includes('docker0'))).toBe(true);
    expect(rules(plan, 'ipv4', '-IN')).toEqual(['-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN', '-j REJECT']);
    expect(rules(plan, 'ipv4', '-OUT')).toEqual(['-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN', '-d 169.254.0.0/16 -j REJECT', '-j RETURN']);
  });

  it('renders iptables-restore input that declares (so empties) only its own chains', () => {
    const text = restoreInput(spaceFirewallPlan('sp1', { kind: 'all' }), 'ipv4');
    const base = spaceChainBase('sp1');
    expect(text.split('\n').filter((l) => l.startsWith(':'))).toEqual([`:${base}-IN - [0:0]`, `:${base}-OUT - [0:0]`]);
    expect(text.startsWith('*filter\n')).toBe(true);
    expect(text.endsWith('COMMIT\n')).toBe(true);
    expect(text).not.toMatch(/DOCKER-USER|INPUT|FORWARD/);
  });
});
