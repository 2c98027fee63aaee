import { fail } from '../core/index.js';

/** The repository every Space image lives under: `spaceport/{subdomain}`. */
export const SPACE_IMAGE_PREFIX = 'spaceport/';

/** Labels of every Space image: the install that built it and the Space's unique id (housekeeping reads them). */
export const IMAGE_LABELS = { instance: 'spaceport.instance', space: 'spaceport.space' } as const;

/**
 * A Space image's reference: `spaceport/{subdomain}:{instance}-{tree[0:12]}-{templateHash[0:8]}`
 * (without `instance`: `spaceport/{subdomain}:{tree[0:12]}-{templateHash[0:8]}`). The same tree
 * built by the same template is the same image, so an existing image is never rebuilt; a template
 * change gives a new tag. The instance (SPACEPORT_INSTANCE_NAME) keeps two installs sharing an
 * engine from sharing, reusing or removing each other's images.
 */
export function imageRefFor(input: { subdomain: string; tree: string; templateHash: string; instance?: string }): string {
  const name = input.subdomain
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!name) throw fail('imageRefNoName', { subdomain: input.subdomain });
  const tree = hexPrefix(input.tree, 12, 'tree');
  const template = hexPrefix(input.templateHash, 8, 'templateHash');
  const instance = input.instance === undefined ? '' : `${hexOrName(input.instance)}-`;
  return `${SPACE_IMAGE_PREFIX}${name}:${instance}${tree}-${template}`;
}

function hexPrefix(value: string, len: number, label: string): string {
  const v = value.toLowerCase();
  if (!/^[0-9a-f]+$/.test(v) || v.length < len) throw fail('imageRefShortHex', { label, len });
  return v.slice(0, len);
}

/** An instance name as a tag part (config allows `[a-z0-9][a-z0-9-]{0,30}`, valid in a tag as it is). */
function hexOrName(instance: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(instance)) throw fail('imageRefNoName', { subdomain: instance });
  return instance;
}
