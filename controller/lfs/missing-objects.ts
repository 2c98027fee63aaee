import type { LfsStore } from './lfs-store.js';
import { parsePointer } from './lfs-pointer.js';

/**
 * Of a push's blobs that look like LFS pointers, those naming an object this Space does not have
 * (never uploaded, or uploaded only to another Space: a pointer is no way to borrow another
 * Space's object). Text that is no valid pointer is a regular small file, not refused here.
 */
export async function missingLfsObjects(
  lfs: Pick<LfsStore, 'has'>,
  spaceUid: string,
  candidates: { path: string; text: string }[],
): Promise<{ path: string; oid: string }[]> {
  const missing: { path: string; oid: string }[] = [];
  for (const c of candidates) {
    const pointer = parsePointer(c.text);
    if (pointer && !(await lfs.has(pointer, spaceUid))) missing.push({ path: c.path, oid: pointer.oid });
  }
  return missing;
}
