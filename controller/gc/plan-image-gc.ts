/** One Space's images, as the store knows them. */
export interface SpaceImages {
  /** Images of its succeeded builds, newest first (duplicates allowed: a rebuild of the same tree). */
  built: string[];
  /** Images a release still needs: the serving and the target release's. Never removed. */
  inUse: string[];
}

/**
 * Which images to remove: per Space, everything past the newest `keepPerSpace` distinct images,
 * except an image any Space still uses (images are content-addressed and may be shared) or keeps.
 * Pure: the caller removes them (and the engine refuses one a container still runs from).
 */
export function planImageGc(spaces: SpaceImages[], keepPerSpace: number): string[] {
  const kept = new Set<string>();
  const candidates = new Set<string>();
  for (const s of spaces) {
    for (const image of s.inUse) kept.add(image);
    const distinct = [...new Set(s.built)];
    distinct.slice(0, Math.max(0, keepPerSpace)).forEach((i) => kept.add(i));
    distinct.slice(Math.max(0, keepPerSpace)).forEach((i) => candidates.add(i));
  }
  return [...candidates].filter((i) => !kept.has(i)).sort();
}
