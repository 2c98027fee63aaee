import { describe, expect, it } from 'vitest';
import { isSpaceportError } from '../../../core/index.js';
import { applyFirewallPlan, removeFirewallPlan, type FilterResult, type PacketFilter } from './docker-firewall.js';
import { spaceFirewallPlan, type IpFamily } from './space-firewall-rules.js';

const UPLINKS = { ipv4: ['eth0'], ipv6: ['eth0'] };

/** A packet filter in memory: rules per family as `chain args…` strings; `-C` answers whether a rule is there. */
class MemoryFilter implements PacketFilter {
  readonly calls: string[] = [];
  readonly rules = new Set<string>();
  readonly chains = new Set<string>(['ipv4 DOCKER-USER']);
  failWith?: FilterResult;

  async run(family: IpFamily, args: readonly string[]): Promise<FilterResult> {
    this.calls.push(`${family} ${args.join(' ')}`);
    if (this.failWith) return this.failWith;
    const [op, chain, ...rest] = args;
    if (op === '-I') {
      this.rules.add(`${family} ${chain} ${rest.slice(1).join(' ')}`);
      return { code: 0, stderr: '' };
    }
    const key = `${family} ${chain} ${rest.join(' ')}`;
    if (op === '-C') return { code: this.rules.has(key) ? 0 : 1, stderr: '' };
    if (op === '-D') return { code: this.rules.delete(key) ? 0 : 1, stderr: '' };
    if (op === '-L') return { code: this.chains.has(`${family} ${chain}`) ? 0 : 1, stderr: '' };
    if (op === '-N') this.chains.add(`${family} ${chain}`);
    return { code: 0, stderr: '' };
  }

  async restore(family: IpFamily, input: string): Promise<FilterResult> {
    this.calls.push(`${family} restore ${input.split('\n').length}`);
    return this.failWith ?? { code: 0, stderr: '' };
  }
}

describe('applying the firewall plan', () => {
  it('adds each jump once, however often it runs', async () => {
    const filter = new MemoryFilter();
    const plan = spaceFirewallPlan('sp1', { kind: 'all' }, UPLINKS);
    await applyFirewallPlan(filter, plan);
    await applyFirewallPlan(filter, plan);
    expect(filter.rules.size).toBe(plan.jumps.length);
    expect(filter.calls.filter((c) => c.includes(' -I ')).length).toBe(plan.jumps.length);
    await removeFirewallPlan(filter, plan);
    expect(filter.rules.size).toBe(0);
    expect(filter.calls.filter((c) => c.includes(' -X ')).length).toBe(plan.chains.length);
  });

  it('makes DOCKER-USER (jumped to from FORWARD) on an engine without its own rules', async () => {
    const filter = new MemoryFilter();
    filter.chains.clear();
    await applyFirewallPlan(filter, spaceFirewallPlan('sp1', { kind: 'none' }, UPLINKS));
    expect(filter.calls).toContain('ipv4 -N DOCKER-USER');
    expect(filter.rules.has('ipv4 FORWARD -j DOCKER-USER')).toBe(true);
  });

  it('a missing or failing iptables is an error naming the fix and the opt-out', async () => {
    const filter = new MemoryFilter();
    filter.failWith = { code: 127, stderr: 'iptables-restore: spawn iptables-restore ENOENT' };
    const err = await applyFirewallPlan(filter, spaceFirewallPlan('sp1', { kind: 'all' }, UPLINKS)).catch((e: unknown) => e);
    expect(isSpaceportError(err, 'RuntimeFailed')).toBe(true);
    expect(String((err as Error).message)).toMatch(/ENOENT.*apt-get install iptables.*SPACEPORT_SPACE_EGRESS=all-unfiltered/);
  });
});
