import { spawn } from 'node:child_process';
import { fail } from '../../../core/index.js';
import { restoreInput, type FirewallPlan, type IpFamily } from './space-firewall-rules.js';

export interface FilterResult {
  code: number;
  stderr: string;
}

/** The host's packet filter, behind our own interface: argv in, exit code out (no shell). */
export interface PacketFilter {
  /** `iptables` (ipv4) or `ip6tables` (ipv6) with these arguments. */
  run(family: IpFamily, args: readonly string[]): Promise<FilterResult>;
  /** `iptables-restore --noflush` (or ip6tables-restore) with `input` on stdin. */
  restore(family: IpFamily, input: string): Promise<FilterResult>;
}

const TOOLS: Record<IpFamily, { cmd: string; restore: string }> = {
  ipv4: { cmd: 'iptables', restore: 'iptables-restore' },
  ipv6: { cmd: 'ip6tables', restore: 'ip6tables-restore' },
};

/** The real one: iptables and ip6tables (nft or legacy, whichever the host's `iptables` is, as Docker uses), waiting for the xtables lock. */
export class IptablesPacketFilter implements PacketFilter {
  run(family: IpFamily, args: readonly string[]): Promise<FilterResult> {
    return exec(TOOLS[family].cmd, ['-w', '5', ...args]);
  }

  restore(family: IpFamily, input: string): Promise<FilterResult> {
    return exec(TOOLS[family].restore, ['-w', '5', '--noflush'], input);
  }
}

function exec(cmd: string, args: string[], stdin?: string): Promise<FilterResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => resolve({ code: 127, stderr: `${cmd}: ${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

function refused(family: IpFamily, what: string, r: FilterResult): never {
  throw fail('spaceFirewallFailed', { command: `${TOOLS[family].cmd} ${what}`, problem: r.stderr.trim().split('\n')[0] ?? `exit ${r.code}` });
}

/**
 * Install the plan, idempotently: its chains are created or emptied and refilled in one
 * `iptables-restore` per family (atomic), then each jump is added at the top of its parent chain
 * unless it is there already. DOCKER-USER is made (and jumped to from FORWARD, as dockerd does) on
 * an engine that runs without its iptables rules.
 */
export async function applyFirewallPlan(filter: PacketFilter, plan: FirewallPlan): Promise<void> {
  for (const family of ['ipv4', 'ipv6'] as const) {
    const r = await filter.restore(family, restoreInput(plan, family));
    if (r.code !== 0) refused(family, '-restore --noflush', r);
  }
  for (const jump of plan.jumps) {
    if (jump.parent === 'DOCKER-USER') await ensureDockerUser(filter, jump.family);
    if ((await filter.run(jump.family, ['-C', jump.parent, ...jump.rule])).code === 0) continue;
    const r = await filter.run(jump.family, ['-I', jump.parent, '1', ...jump.rule]);
    if (r.code !== 0) refused(jump.family, `-I ${jump.parent} 1 ${jump.rule.join(' ')}`, r);
  }
}

async function ensureDockerUser(filter: PacketFilter, family: IpFamily): Promise<void> {
  if ((await filter.run(family, ['-L', 'DOCKER-USER', '-n'])).code === 0) return;
  await filter.run(family, ['-N', 'DOCKER-USER']);
  if ((await filter.run(family, ['-C', 'FORWARD', '-j', 'DOCKER-USER'])).code === 0) return;
  const r = await filter.run(family, ['-I', 'FORWARD', '1', '-j', 'DOCKER-USER']);
  if (r.code !== 0) refused(family, '-I FORWARD 1 -j DOCKER-USER', r);
}

/** Remove the plan's jumps and chains (what is already gone is fine). */
export async function removeFirewallPlan(filter: PacketFilter, plan: FirewallPlan): Promise<void> {
  for (const jump of plan.jumps) {
    // A jump added twice (two processes racing) goes too.
    for (let i = 0; i < 10; i++) if ((await filter.run(jump.family, ['-D', jump.parent, ...jump.rule])).code !== 0) break;
  }
  for (const chain of plan.chains) {
    await filter.run(chain.family, ['-F', chain.name]);
    await filter.run(chain.family, ['-X', chain.name]);
  }
}
