/**
 * Which files go to Git LFS: what `.gitattributes` marks `filter=lfs`, and, as the Hub decides in
 * `preupload`, files over 10 MiB and binary files.
 */

export const LFS_THRESHOLD_BYTES = 10 * 1024 * 1024;
/**
 * Largest file a Xet client is told to send inline (base64 in the commit): one ndjson line must stay
 * a JavaScript string. Larger files get the Hub's answer (`lfs`), which such a client can only send
 * with HF_HUB_DISABLE_XET=1 (the Xet token endpoint says so).
 */
export const INLINE_MAX_BYTES = 256 * 1024 * 1024;

/** A gitattributes glob as a RegExp: no "/" → matches the file name anywhere; `**` crosses folders. */
function globToRegExp(glob: string): RegExp {
  const anchored = glob.includes('/');
  const body = glob.replace(/^\//, '');
  let re = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '*' && body[i + 1] === '*') {
      re += body[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += body[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(anchored ? `^${re}$` : `(?:^|/)${re}$`);
}

/**
 * Whether `.gitignore` content ignores `path` (what the Hub answers as `shouldIgnore`): `#` comments,
 * `!` re-includes, a trailing `/` matches folders, a pattern without `/` matches any path component.
 */
export function ignoredBy(path: string, gitignore: string | undefined): boolean {
  let ignored = false;
  for (const raw of (gitignore ?? '').split('\n')) {
    let line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.slice(0, -1);
    if (line === '') continue;
    const re = globToRegExp(line);
    const parts = path.split('/');
    // The path itself (files), or one of its folders (a match on a folder ignores what is inside).
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    const hit = candidates.some((c, i) => (!dirOnly || i < parts.length - 1) && re.test(c));
    if (hit) ignored = !negate;
  }
  return ignored;
}

/** The patterns of `.gitattributes` lines that set `filter=lfs` (a later `-filter`/`!filter` unsets). */
export function lfsPatterns(gitattributes: string | undefined): { pattern: string; lfs: boolean }[] {
  const out: { pattern: string; lfs: boolean }[] = [];
  for (const raw of (gitattributes ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    if (!pattern) continue;
    if (attrs.includes('filter=lfs')) out.push({ pattern, lfs: true });
    else if (attrs.includes('-filter') || attrs.includes('!filter')) out.push({ pattern, lfs: false });
  }
  return out;
}

/** Whether `.gitattributes` sends `path` through LFS (the last matching line wins). */
export function trackedByLfs(path: string, gitattributes: string | undefined): boolean {
  let tracked = false;
  for (const { pattern, lfs } of lfsPatterns(gitattributes)) if (globToRegExp(pattern).test(path)) tracked = lfs;
  return tracked;
}

/** Binary as git sees it: a NUL byte in the first 8000 bytes. */
export function looksBinary(sample: Buffer): boolean {
  return sample.subarray(0, 8000).includes(0);
}

/** The Hub's rule: LFS for tracked paths, files over 10 MiB and binary files (never empty ones). */
export function shouldUseLfs(file: { path: string; size: number; sample: Buffer }, gitattributes: string | undefined): boolean {
  if (file.size === 0) return false;
  return trackedByLfs(file.path, gitattributes) || file.size > LFS_THRESHOLD_BYTES || looksBinary(file.sample);
}

/**
 * Whether a client sends `lfs` files through Xet when it can. huggingface_hub 0.32 and later
 * (it depends on `hf_xet` there) upload every `lfs` file through Xet as soon as `hf_xet` imports,
 * without asking the server: Spaceport has no Xet storage, so those clients are told `regular`
 * and the commit endpoint stores the large and binary files in LFS itself.
 */
export function clientUsesXet(userAgent: string | undefined): boolean {
  const m = /(?:^|[;\s])hf_hub\/(\d+)\.(\d+)/.exec(userAgent ?? '');
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 0 || minor >= 32;
}
