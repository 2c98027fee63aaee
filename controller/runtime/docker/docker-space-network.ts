import { readFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { dockerStatus, fail, mapDockerError, type Logger, type SpaceEgress } from '../../../core/index.js';
import { LABELS } from './docker-create-options.js';
import { applyFirewallPlan, removeFirewallPlan, type PacketFilter } from './docker-firewall.js';
import { defaultRouteInterfaces, defaultRouteInterfaces6, spaceBridgeName, spaceFirewallPlan, spaceNetworkName, type Uplinks } from './space-firewall-rules.js';

/** The interfaces of the host's default routes now (none for a family the host has no route or no IPv6 for). */
export async function hostUplinks(): Promise<Uplinks> {
  const read = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');
  return { ipv4: defaultRouteInterfaces(await read('/proc/net/route')), ipv6: defaultRouteInterfaces6(await read('/proc/net/ipv6_route')) };
}

/** Bridge options of the Space network: no traffic between its containers, NAT to the outside. */
export function spaceNetworkOptions(namePrefix: string): Dockerode.NetworkCreateOptions {
  return {
    Name: spaceNetworkName(namePrefix),
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { [LABELS.managed]: 'true', [LABELS.instance]: namePrefix },
    Options: {
      'com.docker.network.bridge.name': spaceBridgeName(namePrefix),
      'com.docker.network.bridge.enable_icc': 'false',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
    },
  };
}

export interface SpaceNetworkOptions {
  docker: Dockerode;
  logger: Logger;
  namePrefix: string;
  egress: SpaceEgress;
  /** Needed unless egress is `all-unfiltered`. */
  packetFilter?: PacketFilter;
}

/**
 * The install's Space network (`{prefix}-spaces`, bridge `spb-{hash}`, inter-container traffic off)
 * and the host firewall rules of its bridge (space-firewall-rules.ts): made idempotently by
 * `ensure()` before the first container, removed by `teardown()`.
 */
export class DockerSpaceNetwork {
  readonly name: string;
  readonly #docker: Dockerode;
  readonly #log: Logger;
  readonly #prefix: string;
  readonly #egress: SpaceEgress;
  readonly #filter?: PacketFilter;
  #ready?: Promise<string>;

  constructor(opts: SpaceNetworkOptions) {
    this.#docker = opts.docker;
    this.#log = opts.logger;
    this.#prefix = opts.namePrefix;
    this.#egress = opts.egress;
    this.#filter = opts.packetFilter;
    this.name = spaceNetworkName(opts.namePrefix);
  }

  /**
   * The network's name, once it and its rules are in place: made once per process, and again after a
   * failure, a teardown, or when the network is gone (another process of this install removed it
   * when it closed with no container left).
   */
  async ensure(): Promise<string> {
    const made = this.#ready;
    if (made) {
      // Callers at the same time share one making; the check comes once it is done.
      if (await made.then(() => this.#exists(), () => false)) return made;
      if (this.#ready === made) this.#ready = undefined;
    }
    this.#ready ??= this.#ensure().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #exists(): Promise<boolean> {
    try {
      await this.#docker.getNetwork(this.name).inspect();
      return true;
    } catch (err) {
      return dockerStatus(err) !== 404;
    }
  }

  async #ensure(): Promise<string> {
    await this.#ensureNetwork();
    if (this.#egress.kind === 'all-unfiltered') {
      this.#log.warn({ network: this.name }, 'SPACEPORT_SPACE_EGRESS=all-unfiltered: no firewall rules; Spaces can reach the host and metadata addresses');
    } else {
      if (!this.#filter) throw fail('spaceFirewallFailed', { command: 'iptables', problem: 'no packet filter was given to the runtime' });
      const uplinks = await hostUplinks();
      if (this.#egress.kind === 'all' && uplinks.ipv4.length === 0) this.#log.warn({ network: this.name }, 'no default route: Spaces reach nothing outside');
      await applyFirewallPlan(this.#filter, spaceFirewallPlan(this.#prefix, this.#egress, uplinks));
      this.#log.info({ network: this.name, egress: this.#egress, uplinks }, 'space network firewall in place');
    }
    return this.name;
  }

  async #ensureNetwork(): Promise<void> {
    const wanted = spaceNetworkOptions(this.#prefix);
    try {
      try {
        await this.#docker.createNetwork(wanted);
        this.#log.info({ network: this.name }, 'space network created');
      } catch (err) {
        // Made by another process meanwhile: 409 (same name), or 403 (same bridge name) when both created at once.
        if (dockerStatus(err) !== 409 && !(dockerStatus(err) === 403 && /same bridge name/.test(String(err)))) throw err;
      }
      const info = (await this.#docker.getNetwork(this.name).inspect()) as { Driver?: string; Options?: Record<string, string> };
      for (const [key, value] of Object.entries(wanted.Options ?? {})) {
        if (info.Options?.[key] !== value) throw fail('spaceNetworkMismatch', { network: this.name, problem: `has ${key}=${info.Options?.[key] ?? '(unset)'} (want ${value})` });
      }
    } catch (err) {
      throw mapDockerError(err, { action: `create the Space network ${this.name}` });
    }
  }

  /**
   * Remove the rules and the network (an uninstall, or a test's cleanup). Containers still attached
   * keep the network (Docker refuses): they go first.
   */
  async teardown(): Promise<void> {
    this.#ready = undefined;
    // Removal deletes jumps and chains by name: the uplinks inside the chains do not matter.
    if (this.#filter) await removeFirewallPlan(this.#filter, spaceFirewallPlan(this.#prefix, this.#egress, { ipv4: [], ipv6: [] }));
    try {
      await this.#docker.getNetwork(this.name).remove();
    } catch (err) {
      if (dockerStatus(err) !== 404) throw mapDockerError(err, { action: `remove the Space network ${this.name}` });
    }
  }
}
