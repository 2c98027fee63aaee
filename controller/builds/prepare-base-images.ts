import type { LogSink, Logger } from '../../core/index.js';

export interface PrepareBaseImagesOptions {
  builder: { ensureBaseImages?(images: string[], log: LogSink): Promise<void> };
  images: string[];
  logger: Logger;
}

/**
 * Make the base images ready in the background (a fresh install takes minutes to debootstrap them),
 * with progress in the process log; a push meanwhile waits on the same work, never starts it twice.
 */
export function prepareBaseImages({ builder, images, logger }: PrepareBaseImagesOptions): void {
  if (!builder.ensureBaseImages || images.length === 0) return;
  let pending = '';
  const sink: LogSink = {
    write: (data) => {
      pending += data;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') logger.info({ images }, line);
    },
  };
  logger.info({ images }, 'preparing base images in the background');
  builder.ensureBaseImages(images, sink).then(
    () => logger.info({ images }, 'base images ready'),
    (err: unknown) => logger.warn({ images, err: (err as Error).message }, 'base images could not be prepared now; the first build that needs them tries again'),
  );
}
