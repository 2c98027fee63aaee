import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { mapDockerError } from '../core/index.js';
import type { ImageFiles } from './image-builder.js';

/** Label on the containers made only to read an image's files (created, never started). */
export const IMAGE_FILES_LABEL = 'spaceport.image-files';

/**
 * `dir` of `image` as a tar stream, through a container that is created and never started (the
 * engine reads a created container's files; nothing runs). The container goes when the stream ends,
 * fails or is destroyed.
 */
export async function readImageFiles(docker: Docker, image: string, dir: string): Promise<ImageFiles> {
  let id: string;
  try {
    id = (await docker.getImage(image).inspect()).Id.replace(/^sha256:/, '');
  } catch (err) {
    throw mapDockerError(err, { action: `inspect ${image}`, otherwise: 'Internal' });
  }
  let container: Docker.Container;
  try {
    // An image of files alone has no command; the engine wants one to create a container, never runs it.
    container = await docker.createContainer({ Image: image, Cmd: ['/nonexistent'], NetworkDisabled: true, Labels: { [IMAGE_FILES_LABEL]: 'true' } });
  } catch (err) {
    throw mapDockerError(err, { action: `read the files of ${image}`, otherwise: 'Internal' });
  }
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    container.remove({ force: true }).catch(() => undefined);
  };
  try {
    const tar = (await container.getArchive({ path: dir })) as unknown as Readable;
    for (const event of ['end', 'close', 'error']) tar.once(event, remove);
    return { id, tar };
  } catch (err) {
    remove();
    throw mapDockerError(err, { action: `read ${dir} of ${image}`, otherwise: 'Internal' });
  }
}
