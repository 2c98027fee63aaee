import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The hooks we install, by git hook name → file under `controller/git/hooks/`. */
const HOOKS = { 'pre-receive': 'pre-receive.sh' } as const;
/** What the hooks need next to them: the Node hook (pushes outside Spaceport's HTTP handler) and its rules. */
const SUPPORT = ['pre-receive.mjs', 'push-rules.mjs'] as const;

/**
 * Where the hook sources live: next to this module when running from source (tsx, vitest), or in
 * the source tree when running from `dist/` (tsc does not copy `.mjs` files).
 */
export function defaultHooksDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'hooks'), path.resolve(here, '../../../controller/git/hooks')];
  return candidates.find((dir) => existsSync(path.join(dir, HOOKS['pre-receive']))) ?? candidates[0]!;
}

/** Copy `file` from `hooksDir` into `target` (executable) unless it is there already, byte for byte. */
async function installFile(hooksDir: string, target: string, file: string): Promise<void> {
  const source = await fs.readFile(path.join(hooksDir, file));
  const copy = path.join(target, file);
  const current = await fs.readFile(copy).catch(() => undefined);
  if (!current?.equals(source)) {
    const tmp = `${copy}.${process.pid}.tmp`; // write then rename: a push never runs a half-written hook
    await fs.writeFile(tmp, source, { mode: 0o755 });
    await fs.rename(tmp, copy);
  }
  await fs.chmod(copy, 0o755);
}

/**
 * Install (or refresh) our hooks in a bare repo: each source is copied to `hooks/<file>`
 * (executable) and `hooks/<name>` is a relative symlink to it; the files the hooks use are copied
 * beside them first. Idempotent: files already up to date are left alone.
 */
export async function installHooks(repoPath: string, hooksDir: string = defaultHooksDir()): Promise<void> {
  const target = path.join(repoPath, 'hooks');
  await fs.mkdir(target, { recursive: true });
  for (const file of SUPPORT) await installFile(hooksDir, target, file);
  for (const [name, file] of Object.entries(HOOKS)) {
    await installFile(hooksDir, target, file);
    const link = path.join(target, name);
    const linked = await fs.readlink(link).catch(() => undefined);
    if (linked !== file) {
      const tmpLink = `${link}.${process.pid}.tmp`;
      await fs.rm(tmpLink, { force: true });
      await fs.symlink(file, tmpLink);
      await fs.rename(tmpLink, link);
    }
  }
}
