import { TREE_HASH } from '../../proxy/index.js';

/**
 * A static Space's release runs no container: its "image" names the tree the proxy serves, as
 * `static-tree:{tree hash}/{index}` (`index`: `app_file`, what `/` answers with). The store keeps it
 * in the release's `image` like any image, so a release kind needs no new column.
 */
const PREFIX = 'static-tree:';

export interface StaticTreeRef {
  tree: string;
  index: string;
}

export function staticTreeImage(ref: StaticTreeRef): string {
  return `${PREFIX}${ref.tree}/${ref.index}`;
}

/** The tree of a static release's image, or undefined for a container image. */
export function staticTreeOf(image: string | undefined): StaticTreeRef | undefined {
  if (image === undefined || !image.startsWith(PREFIX)) return undefined;
  const rest = image.slice(PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const tree = rest.slice(0, slash);
  const index = rest.slice(slash + 1);
  return TREE_HASH.test(tree) && index !== '' ? { tree, index } : undefined;
}
