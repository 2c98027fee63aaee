import path from 'node:path';
import type { Readable } from 'node:stream';
import tarFs from 'tar-fs';
import tarStream from 'tar-stream';
import { fail } from '../core/index.js';
import { CODE_DIR, SUPPORT_DIR } from '../templates/index.js';

/** Where a rendered Dockerfile sits in the context (the repo's own `Dockerfile` is never touched). */
export const TEMPLATED_DOCKERFILE = `${SUPPORT_DIR}/Dockerfile`;

export interface BuildContextInput {
  /** The repo's files at the commit. */
  contextDir: string;
  /** A rendered Dockerfile, or undefined to build the repo's own Dockerfile (docker Spaces). */
  dockerfile: string | undefined;
  /** Template files by context path (under `.spaceport/`): helpers, the CA bundle. */
  supportFiles: Record<string, string | Buffer>;
}

/**
 * The tar stream sent to the engine. Templated builds get the repo under `app/` and our files under
 * `.spaceport/`, so nothing of ours reaches the app directory and nothing in the repo is
 * overwritten. docker Spaces get the repo at the root, as their Dockerfile expects. `.git` is never
 * sent (the engine's classic builder does not read .dockerignore: exclusion happens here).
 */
export function packBuildContext(input: BuildContextInput): Readable {
  const templated = input.dockerfile !== undefined;
  const pack = tarStream.pack();
  const files: [string, string | Buffer][] = Object.entries(input.supportFiles);
  if (templated) files.push([TEMPLATED_DOCKERFILE, input.dockerfile ?? '']);
  const dirs = new Set<string>();
  for (const [name] of files) {
    if (!isSafeContextPath(name)) throw fail('buildContextPathNotRelative', { name });
    for (let d = path.posix.dirname(name); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  }
  const mtime = new Date(0);
  for (const dir of [...dirs].sort()) pack.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, mtime });
  for (const [name, content] of files) pack.entry({ name, mode: 0o644, mtime }, content);
  if (templated) pack.entry({ name: `${CODE_DIR}/`, type: 'directory', mode: 0o755, mtime });

  // tar-fs 3 options (`pack`, `sort`) that its v2 type definitions lack.
  const opts = {
    pack,
    sort: true,
    ignore: (name: string) => path.basename(name) === '.git',
    map: templated ? (header: tarFs.Headers) => ({ ...header, name: `${CODE_DIR}/${header.name}` }) : undefined,
  };
  return tarFs.pack(input.contextDir, opts as tarFs.PackOptions) as unknown as Readable;
}

function isSafeContextPath(name: string): boolean {
  return name.length > 0 && !name.startsWith('/') && !name.split('/').some((s) => s === '..' || s === '') && !name.includes('\\');
}
