import { fail } from '../core/index.js';

/** The repository every Space image lives under: `spaceport/{subdomain}`. */
export const SPACE_IMAGE_PREFIX = 'spaceport/';

/**
 * A Space image's reference: `spaceport/{subdomain}:{tree[0:12]}-{templateHash[0:8]}`. The same tree
 * built by the same template is the same image, so an existing image is never rebuilt; a template
 * change gives a new tag.
 */
export function imageRefFor(input: { subdomain: string; tree: string; templateHash: string }): string {
  const name = input.subdomain
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!name) throw fail('imageRefNoName', { subdomain: input.subdomain });
  const tree = hexPrefix(input.tree, 12, 'tree');
  const template = hexPrefix(input.templateHash, 8, 'templateHash');
  return `${SPACE_IMAGE_PREFIX}${name}:${tree}-${template}`;
}

function hexPrefix(value: string, len: number, label: string): string {
  const v = value.toLowerCase();
  if (!/^[0-9a-f]+$/.test(v) || v.length < len) throw fail('imageRefShortHex', { label, len });
  return v.slice(0, len);
}
