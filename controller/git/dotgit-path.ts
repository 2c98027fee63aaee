/**
 * git's own rules for names in a tree (read-cache.c `verify_path`, path.c `is_hfs_dotgit` and
 * `is_ntfs_dotgit`, fsck's `hasDotgit`): a component that is `.git` on any file system a clone may
 * land on. `git fsck` flags such a tree and a push with fsck checks is refused; a commit made
 * through the API must not create one either.
 */

/** Code points HFS+ ignores in names (path.c `next_hfs_char`). */
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/gu;

/** `.git` on HFS+: case-insensitive, with ignorable code points anywhere. */
export function isHfsDotgit(component: string): boolean {
  return component.replace(HFS_IGNORABLE, '').toLowerCase() === '.git';
}

/** `.git` on NTFS: case-insensitive, its 8.3 short name `git~1`, trailing spaces and dots, or an alternate stream (`:…`). */
export function isNtfsDotgit(component: string): boolean {
  return /^(?:\.git|git~1)[ .]*(?::.*)?$/i.test(component);
}

/** Why a repo-relative path (components split by `/`) is one git refuses as a tree entry, or undefined. */
export function dotgitProblem(file: string): string | undefined {
  for (const part of file.split('/')) {
    if (part.toLowerCase() === '.git' || isHfsDotgit(part) || isNtfsDotgit(part)) {
      return `must not contain a ".git" part ("${part}" is read as ".git" by git on some file systems)`;
    }
  }
  return undefined;
}
