import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/**
 * A data file shipped beside the renderers (e.g. `static/serve.py`), read once and cached.
 * Looks beside this module first, then in the source tree (for a compiled `dist/templates/`).
 */
export function readTemplateData(relPath: string): string {
  const hit = cache.get(relPath);
  if (hit !== undefined) return hit;
  const candidates = [new URL(relPath, import.meta.url), new URL(`../../templates/${relPath}`, import.meta.url)];
  for (const url of candidates) {
    try {
      const text = readFileSync(url, 'utf8');
      cache.set(relPath, text);
      return text;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`Template data file ${relPath} is missing beside ${import.meta.url}.`);
}
