import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the fixture Spaces live: one folder per shape (`test/fixtures/spaces/<shape>/`). */
export const FIXTURE_SPACES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/spaces');

/** Every file of a fixture Space, by repo path, ready for `makeWorkTree` / `commitFiles`. */
export function fixtureSpace(shape: string): Record<string, Buffer> {
  const root = path.join(FIXTURE_SPACES_DIR, shape);
  const files: Record<string, Buffer> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[path.relative(root, full).split(path.sep).join('/')] = readFileSync(full);
    }
  };
  walk(root);
  if (Object.keys(files).length === 0) throw new Error(`fixture Space ${shape} is empty`);
  return files;
}
