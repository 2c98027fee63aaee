import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/**
 * Unpack a tree's tar (from the controller) into `dir`: folders and regular files only, each name
 * checked to stay inside `dir` (no absolute path, no `..`); anything else is skipped. Returns the
 * bytes written, or rejects if more than `maxBytes` arrive.
 */
export async function unpackTree(body: Readable, dir: string, maxBytes: number): Promise<number> {
  const extract = tar.extract();
  let bytes = 0;
  const done = new Promise<void>((resolve, reject) => {
    // Stop at the first failure: reject once, then drop the stream (no error event left unheard).
    const failWith = (err: Error): void => {
      reject(err);
      extract.removeAllListeners('entry');
      extract.on('error', () => undefined);
      extract.destroy();
      body.destroy();
    };
    extract.on('entry', (header, stream, next) => {
      const name = header.name.replace(/\/+$/, '');
      const parts = name.split('/');
      const safe = name !== '' && !path.isAbsolute(name) && parts.every((p) => p !== '' && p !== '.' && p !== '..' && !p.includes('\\') && !p.includes('\0'));
      const target = path.join(dir, name);
      const skip = (): void => {
        stream.on('end', () => next());
        stream.resume();
      };
      if (!safe) return skip();
      if (header.type === 'directory') {
        mkdir(target, { recursive: true }).then(skip, failWith);
        return;
      }
      if (header.type !== 'file') return skip();
      bytes += header.size ?? 0;
      if (bytes > maxBytes) return failWith(new Error(`tree larger than ${maxBytes} bytes`));
      mkdir(path.dirname(target), { recursive: true })
        .then(() => pipeline(stream, createWriteStream(target, { flags: 'wx', mode: 0o644 })))
        .then(() => next(), failWith);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  body.on('error', (err) => extract.destroy(err));
  body.pipe(extract);
  await done;
  return bytes;
}
