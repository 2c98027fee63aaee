import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { fail } from '../../core/index.js';

/** `name` resolved inside `root` (never `root` itself), or undefined when it is absolute or climbs out. */
export function resolveInside(root: string, name: string): string | undefined {
  if (name.includes('\0') || path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) return undefined;
  const resolved = path.resolve(root, name);
  return resolved.startsWith(root + path.sep) ? resolved : undefined;
}

function isInside(root: string, p: string): boolean {
  return p.startsWith(root + path.sep);
}

/**
 * Extract a tar stream (from `git archive`, or an image's files from the engine or a registry) into
 * `dir`: regular files (keeping the executable bit), directories, symlinks that point inside `dir`, and
 * hard links to a regular file extracted before them (written as a copy: each name its own file). Any
 * entry that would land outside `dir`, be written through a symlink, a symlink resolving outside `dir`,
 * or a hard link to anything but an earlier regular file, fails the whole extraction. Other entry types
 * (devices, fifos) are skipped.
 */
export async function extractTar(source: Readable, dir: string): Promise<void> {
  // Consume `source` before the first await: a child process's unread stdout is flushed
  // (discarded) when the child exits.
  const extract = tar.extract();
  const iterator = extract[Symbol.asyncIterator]();
  const entries = { [Symbol.asyncIterator]: () => iterator };
  const fed = pipeline(source, extract);
  const symlinks = new Map<string, string>();
  try {
    const root = await fs.realpath(path.resolve(dir));
    const throughSymlink = (target: string): boolean => {
      for (let p = path.dirname(target); p.length > root.length; p = path.dirname(p)) if (symlinks.has(p)) return true;
      return false;
    };
    for await (const entry of entries) {
      const { name, type, mode, linkname } = entry.header;
      const target = resolveInside(root, name.replace(/\/+$/, ''));
      if (target === undefined || throughSymlink(target)) {
        throw fail('archiveEntryOutside', { name });
      }
      if (type === 'directory') {
        await fs.mkdir(target, { recursive: true });
        entry.resume();
      } else if (type === 'file' || type === 'contiguous-file') {
        await fs.mkdir(path.dirname(target), { recursive: true });
        // 'wx' (O_EXCL) also refuses to write through an existing symlink at `target`.
        const file = createWriteStream(target, { flags: 'wx', mode: (mode ?? 0o644) & 0o100 ? 0o755 : 0o644 });
        await pipeline(entry, file).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') throw fail('archiveEntryOverwrites', { name });
          throw err;
        });
      } else if (type === 'symlink') {
        entry.resume();
        const link = linkname ?? '';
        if (link === '' || path.isAbsolute(link) || !isInside(root, path.resolve(path.dirname(target), link))) {
          throw fail('archiveSymlinkOutside', { name, link });
        }
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.symlink(link, target);
        symlinks.set(target, link);
      } else if (type === 'link') {
        entry.resume();
        // The name of a file this archive gave earlier (Docker's archive gives a file's second name so).
        const source = resolveInside(root, (linkname ?? '').replace(/\/+$/, ''));
        const stat = source === undefined || throughSymlink(source) ? undefined : await fs.lstat(source).catch(() => undefined);
        if (source === undefined || !stat?.isFile()) throw fail('archiveHardLinkInvalid', { name, link: linkname ?? '' });
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.copyFile(source, target, fs.constants.COPYFILE_EXCL).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') throw fail('archiveEntryOverwrites', { name });
          throw err;
        });
      } else {
        entry.resume();
      }
    }
    await fed;
    // A chain of links can escape even when each target looks inside: check where each really leads.
    await checkSymlinks(root, symlinks);
  } catch (err) {
    source.destroy();
    extract.destroy();
    fed.catch(() => {});
    throw err;
  }
}

async function checkSymlinks(root: string, symlinks: Map<string, string>): Promise<void> {
  for (const [link, target] of symlinks) {
    const real = await fs.realpath(link).catch(() => undefined); // dangling links lead nowhere
    if (real !== undefined && real !== root && !isInside(root, real)) {
      throw fail('archiveSymlinkResolvesOutside', { name: path.relative(root, link), target });
    }
  }
}
