import type Dockerode from 'dockerode';
import tar from 'tar-stream';
import { STORAGE_MOUNT_PATH, dockerStatus } from '../../../core/index.js';
import { APP_USER } from './docker-create-options.js';

/**
 * A Space's `/data` on Docker: one named volume per Space, made before its first container.
 *
 * A fresh named volume is owned by root (unless the image has a `/data` of its own, whose owner
 * Docker copies), and the app runs as uid 1000. So after each container is created, and before it
 * starts, the mount point is handed to uid 1000 by extracting one directory entry into the
 * container (`PUT /containers/{id}/archive`): the engine applies the entry's owner to the volume's
 * root. No process runs, so it works for any image, even one without a shell or `chown`. Done on
 * every create, not just the first, so a crash between making the volume and owning it heals; the
 * directory's permission bits are kept.
 */

/** Make the volume unless it exists. */
export async function ensureDataVolume(docker: Dockerode, options: { Name: string; Labels: Record<string, string> }): Promise<'created' | 'exists'> {
  try {
    await docker.getVolume(options.Name).inspect();
    return 'exists';
  } catch (err) {
    if (dockerStatus(err) !== 404) throw err;
  }
  await docker.createVolume(options);
  return 'created';
}

/** A tar with the one directory entry `data/` owned by the app user, with `mode`. Pure. */
export async function dataDirArchive(mode: number): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: `${STORAGE_MOUNT_PATH.replace(/^\/+/, '')}/`, type: 'directory', mode, uid: APP_USER.uid, gid: APP_USER.gid });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Permission bits of a path in a container (`HEAD /containers/{id}/archive`), or undefined. */
async function pathMode(container: Dockerode.Container, path: string): Promise<number | undefined> {
  try {
    const res = (await container.infoArchive({ path })) as { headers?: Record<string, string | undefined>; resume?: () => void };
    res.resume?.();
    const header = res.headers?.['x-docker-container-path-stat'];
    if (!header) return undefined;
    const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { mode?: number };
    return typeof stat.mode === 'number' ? stat.mode & 0o777 : undefined;
  } catch (err) {
    if (dockerStatus(err) === 404) return undefined;
    throw err;
  }
}

/** Give `/data` of a created (not yet started) container to the app user, keeping its permission bits (0755 when new). */
export async function ownDataDir(container: Dockerode.Container): Promise<void> {
  // The owner keeps rwx whatever the bits were: the app must be able to write.
  const mode = ((await pathMode(container, STORAGE_MOUNT_PATH)) ?? 0o755) | 0o700;
  await container.putArchive(await dataDirArchive(mode), { path: '/' });
}

/**
 * Remove a data volume, and first the containers (with these labels) that still mount it; a
 * container that appears between the list and the removal (409: in use) is caught on a retry.
 */
export async function removeDataVolume(docker: Dockerode, name: string, labels: string[], removeContainer: (id: string) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const users = await docker.listContainers({ all: true, filters: { volume: [name], label: labels } });
    for (const c of users) await removeContainer(c.Id);
    try {
      await docker.getVolume(name).remove();
      return;
    } catch (err) {
      const status = dockerStatus(err);
      if (status === 404) return;
      if (status !== 409 || attempt >= 3) throw err;
    }
  }
}
