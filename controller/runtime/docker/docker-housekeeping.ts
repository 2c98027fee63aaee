import type Dockerode from 'dockerode';
import type { Housekeeper } from '../../gc/housekeeper.js';
import { dockerStatus } from '../../../core/index.js';
import { IMAGE_LABELS } from '../../../builder/index.js';

/** Image removal and BuildKit cache pruning on a Docker engine (the `Housekeeper` of `spaceport up`). */
export class DockerHousekeeping implements Housekeeper {
  readonly #docker: Dockerode;

  constructor(docker: Dockerode) {
    this.#docker = docker;
  }

  /** Untag/remove one image; never forced, so an image a container uses stays (`in-use`). */
  async removeImage(ref: string): Promise<'removed' | 'in-use' | 'missing'> {
    try {
      await this.#docker.getImage(ref).remove({ force: false, noprune: false });
      return 'removed';
    } catch (err) {
      const status = dockerStatus(err);
      if (status === 404) return 'missing';
      if (status === 409) return 'in-use';
      throw err;
    }
  }

  async listSpaceImages(instance: string): Promise<{ ref: string; spaceUid: string }[]> {
    const images = await this.#docker.listImages({ filters: { label: [`${IMAGE_LABELS.instance}=${instance}`, IMAGE_LABELS.space] } });
    return images.flatMap((img) => {
      const spaceUid = img.Labels?.[IMAGE_LABELS.space];
      // Only this install's (the engine filtered on the label; checked again, as it is what matters).
      if (!spaceUid || img.Labels?.[IMAGE_LABELS.instance] !== instance) return [];
      const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      return (tags.length > 0 ? tags : [img.Id]).map((ref) => ({ ref, spaceUid }));
    });
  }

  /**
   * `POST /build/prune` keeping at most `maxBytes` of BuildKit cache (`keep-storage` up to API 1.47,
   * `max-used-space` from 1.48; an engine ignores the one it does not know). Returns bytes reclaimed.
   */
  async pruneBuildCache(maxBytes: number): Promise<number> {
    const data = await new Promise<unknown>((resolve, reject) => {
      this.#docker.modem.dial(
        {
          path: '/build/prune?',
          method: 'POST',
          options: { 'keep-storage': maxBytes, 'max-used-space': maxBytes },
          statusCodes: { 200: true, 500: 'server error' },
        },
        (err: unknown, out: unknown) => (err ? reject(err) : resolve(out)),
      );
    });
    return Number((data as { SpaceReclaimed?: number } | undefined)?.SpaceReclaimed ?? 0);
  }
}
