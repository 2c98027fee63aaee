import type Dockerode from 'dockerode';
import { dockerStatus, type ReleaseId, type SpaceId } from '../../../core/index.js';
import { LABELS } from './docker-create-options.js';
import { containerFactsFrom, type ContainerFacts } from './docker-state.js';

/** Inspect the containers of one install (`prefix`), of one Space, or of one release. */
export async function listContainerFacts(docker: Dockerode, prefix: string, space?: SpaceId, release?: ReleaseId): Promise<ContainerFacts[]> {
  const label = [`${LABELS.managed}=true`, `${LABELS.instance}=${prefix}`];
  if (space !== undefined) label.push(`${LABELS.space}=${space}`);
  if (release !== undefined) label.push(`${LABELS.release}=${release}`);
  const infos = await docker.listContainers({ all: true, filters: { label } });
  const facts = await Promise.all(
    infos.map(async (info) => {
      try {
        return containerFactsFrom(await docker.getContainer(info.Id).inspect());
      } catch (err) {
        if (dockerStatus(err) === 404) return undefined; // removed meanwhile
        throw err;
      }
    }),
  );
  return facts.filter((f): f is ContainerFacts => f !== undefined);
}
