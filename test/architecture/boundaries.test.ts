// The layout ARCHITECTURE.md promises, checked on the source itself: production code imports no
// test framework and no test double, each outside library is imported only by its adapters, and no
// production file grows past 400 lines (split it by responsibility instead).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PRODUCTION = ['core', 'controller', 'proxy', 'builder', 'templates', 'cli'];
const MAX_LINES = 400;

function isTestCode(rel: string): boolean {
  return rel.endsWith('.test.ts') || rel.split('/').includes('testing');
}

/** Production TypeScript files, relative to the repository root with `/` separators. */
function productionFiles(): string[] {
  return PRODUCTION.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
      .filter((f) => /\.(ts|mjs)$/.test(f) && !isTestCode(f)),
  );
}

/** Every module specifier a file imports (static, dynamic and re-exports). */
function importsOf(rel: string): string[] {
  const src = readFileSync(path.join(ROOT, rel), 'utf8');
  return [...src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** Which files may import each library (prefixes of relative paths). */
const ADAPTERS: Record<string, string[]> = {
  dockerode: ['builder/', 'controller/runtime/docker/', 'controller/docker-adapters.ts'],
  '@kubernetes/client-node': ['controller/runtime/kubernetes/', 'controller/kubernetes-adapters.ts'],
  'better-sqlite3': ['controller/store/'],
  pg: ['controller/store/', 'controller/leadership/postgres-leader-lock.ts'],
  express: ['controller/api/', 'controller/web/', 'controller/hub-server.ts'],
  undici: ['proxy/'],
};

describe('the source layout', () => {
  const files = productionFiles();

  it('reads the production tree', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(files).toContain('controller/main.ts');
  });

  it('production code imports no test framework and no test double', () => {
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter((spec) => spec === 'vitest' || spec.startsWith('vitest/') || spec === 'fast-check' || /(^|\/)testing(\/|$)/.test(spec))
        .map((spec) => `${f} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('each outside library is imported only by its adapters', () => {
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter((spec) => spec in ADAPTERS && !ADAPTERS[spec]!.some((prefix) => f.startsWith(prefix)))
        .map((spec) => `${f} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it(`no production file is over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ f, lines: readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ f, lines }) => `${f}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
