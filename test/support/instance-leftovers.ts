import type Dockerode from 'dockerode';
import { silentLogger } from '../../core/index.js';
import { DockerSpaceNetwork, IptablesPacketFilter } from '../../controller/runtime/index.js';

/**
 * After a test's Spaceport instance (a killed process, or a harness closed while its containers
 * still ran): its containers, then its Space network and host firewall chains, which the instance
 * removes itself only when it closes with no container left.
 */
export async function removeInstanceLeftovers(docker: Dockerode, instance: string): Promise<void> {
  const byLabel = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${instance}`] } });
  const byName = await docker.listContainers({ all: true, filters: { name: [instance] } });
  for (const id of new Set([...byLabel, ...byName].map((c) => c.Id))) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  const network = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: instance, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
  await network.teardown();
}
