/** Git LFS pointer files (spec v1): what git stores in place of a large file's content. */

export const LFS_SPEC = 'https://git-lfs.github.com/spec/v1';
/** Pointers are tiny; anything larger is content, never a pointer. */
export const MAX_POINTER_BYTES = 1024;

export interface LfsPointer {
  oid: string;
  size: number;
}

export const OID_RE = /^[0-9a-f]{64}$/;

/** The pointer file for an object, byte for byte as `git lfs` writes it. */
export function formatPointer(p: LfsPointer): string {
  return `version ${LFS_SPEC}\noid sha256:${p.oid}\nsize ${p.size}\n`;
}

/** The object a pointer file names, or undefined when `content` is not a pointer. */
export function parsePointer(content: Buffer | string): LfsPointer | undefined {
  if (content.length > MAX_POINTER_BYTES) return undefined;
  const text = typeof content === 'string' ? content : content.toString('utf8');
  const m = /^version https:\/\/(?:git-lfs\.github\.com\/spec\/v1|hawser\.github\.com\/spec\/v1)\n(?:[a-z0-9.-]+ [^\n]*\n)*?oid sha256:([0-9a-f]{64})\n(?:[a-z0-9.-]+ [^\n]*\n)*?size (\d{1,15})\n(?:[a-z0-9.-]+ [^\n]*\n)*$/.exec(text);
  if (!m) return undefined;
  return { oid: m[1]!, size: Number(m[2]) };
}
