import type Docker from 'dockerode';
import type { LogSink } from '../core/index.js';
import { imageExists } from './base-images.js';
import { mirroredRef, parseImageRef } from './registry-images.js';

/** Pull one reference, following its progress to the end; rejects with the engine's error. */
async function pull(docker: Docker, ref: string): Promise<void> {
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
      const failed = err ?? (events ?? []).find((e) => e.error);
      if (failed) reject(failed instanceof Error ? failed : new Error(String(failed.error)));
      else resolve();
    });
  });
}

/**
 * Registry images a build needs, pulled through the operator's mirrors (`SPACEPORT_REGISTRY_MIRRORS`)
 * before BuildKit asks their registry: each missing image is pulled as `{mirror}/{repository}:{tag}`
 * from the first mirror that has it and tagged with the name the Dockerfile uses, so BuildKit in the
 * engine finds it locally. What the Docker engine's `registry-mirrors` (daemon.json) does for Docker
 * Hub, for any registry and without restarting the engine. Says what it did in the build log.
 */
export async function pullThroughMirrors(docker: Docker, images: readonly string[], mirrors: readonly string[], log: LogSink): Promise<void> {
  for (const image of images) {
    const ref = parseImageRef(image);
    if (ref.suffix.startsWith('@') || (await imageExists(docker, image))) continue;
    const problems: string[] = [];
    for (const mirror of mirrors) {
      const from = mirroredRef(mirror, ref);
      try {
        await pull(docker, from);
        const name = image.slice(0, image.length - (image.endsWith(ref.suffix) ? ref.suffix.length : 0));
        await docker.getImage(from).tag({ repo: name, tag: ref.suffix.slice(1) });
        log.write(`Registry image ${image}: pulled from the mirror ${mirror} (${from}).\n`);
        break;
      } catch (err) {
        problems.push(`${mirror}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    if (problems.length === mirrors.length) log.write(`Registry image ${image}: not on the registry mirrors (${problems.join('; ')}).\n`);
  }
}
