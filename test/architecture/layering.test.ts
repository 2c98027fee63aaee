import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Routers and pages: every non-test TypeScript file of controller/api and controller/web. */
const LAYER_FILES = ['controller/api', 'controller/web'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `${dir}/${f}`),
);

/** What in `source` reaches the store: an import or re-export of controller/store, or a store type by name. */
export function storeReferences(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/g)) {
    if (/(^|\/)store(\/|$)/.test(m[1]!)) found.push(`imports ${m[1]}`);
  }
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    if (/(^|\/)store(\/|$)/.test(m[1]!)) found.push(`imports ${m[1]}`);
  }
  for (const m of source.matchAll(/\b(SpaceStore|SqliteStore|SqliteWebStore|WebStore)\b/g)) found.push(`names ${m[1]}`);
  return found;
}

/**
 * Routers and pages go through SpaceService (controller/spaces) and the small services of
 * controller/auth, so every permission check has one home; none of them reaches the store.
 */
describe('layering: routers and pages never reach the store', () => {
  it('finds the files it checks', () => {
    expect(LAYER_FILES).toEqual(expect.arrayContaining(['controller/api/users-routes.ts', 'controller/api/create-api.ts', 'controller/web/page-routes.ts', 'controller/web/sign-in-routes.ts']));
  });

  it('recognises a store import and a store type', () => {
    expect(storeReferences("import type { SpaceStore } from '../store/space-store.js';")).toEqual(['imports ../store/space-store.js', 'names SpaceStore']);
    expect(storeReferences("import type { SpaceRecord } from '../store/records.js';")).toEqual(['imports ../store/records.js']);
    expect(storeReferences("export * from '../store/index.js';\nconst x = await import('../store/index.js');")).toHaveLength(2);
    expect(storeReferences("import { SpaceService } from '../spaces/index.js';\nres.set('Cache-Control', 'no-store');")).toEqual([]);
  });

  it.each(LAYER_FILES)('%s imports nothing from controller/store', (file) => {
    expect(storeReferences(readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
  });
});
