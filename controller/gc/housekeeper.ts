/** What garbage collection needs from the engine that builds and runs images (Docker in `spaceport up`). */
export interface Housekeeper {
  /** Remove one image by reference, never forced: `in-use` when a container still uses it. */
  removeImage(ref: string): Promise<'removed' | 'in-use' | 'missing'>;
  /** Shrink the build cache to at most `maxBytes`; returns the bytes reclaimed. */
  pruneBuildCache(maxBytes: number): Promise<number>;
  /**
   * The Space images of one install (label `spaceport.instance`), by reference, with the unique id
   * of the Space each was built for (label `spaceport.space`). Never another install's images.
   */
  listSpaceImages?(instance: string): Promise<{ ref: string; spaceUid: string }[]>;
}
