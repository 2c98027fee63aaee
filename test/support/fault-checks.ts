import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { request } from './http.js';

/** Every bare repo under `{dataDir}/repos` passes `git fsck --full`; returns how many were checked. */
export function fsckRepos(dataDir: string): number {
  const repos: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (existsSync(path.join(p, 'HEAD')) && existsSync(path.join(p, 'objects'))) repos.push(p);
      else walk(p);
    }
  };
  walk(path.join(dataDir, 'repos'));
  for (const repo of repos) execFileSync('git', ['--git-dir', repo, 'fsck', '--full', '--no-progress'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return repos.length;
}

/** `PRAGMA integrity_check` of the store (read-only; the WAL is read too). */
export function storeIntegrity(dataDir: string): string {
  const db = new Database(path.join(dataDir, 'spaceport.db'), { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? '';
  } finally {
    db.close();
  }
}

/**
 * Polls a Space's app through the hub every `everyMs` while a fault happens and records when it
 * failed: the first and last failed request and how many.
 */
export class AppPoller {
  readonly failures: number[] = [];
  successes = 0;
  #stop = false;
  #loop: Promise<void> | undefined;

  constructor(readonly o: { port: () => number; host: string; path?: string; expect?: (body: string) => boolean; everyMs?: number }) {}

  start(): void {
    this.#loop = (async () => {
      while (!this.#stop) {
        const next = Date.now() + (this.o.everyMs ?? 100);
        let ok = false;
        try {
          const r = await request({ port: this.o.port(), host: this.o.host, path: this.o.path ?? '/', timeoutMs: 5_000 });
          ok = r.status === 200 && (this.o.expect?.(r.body) ?? true);
        } catch {
          ok = false;
        }
        if (ok) this.successes += 1;
        else this.failures.push(Date.now());
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#loop;
  }

  /** Failed requests at or after `t` (epoch ms). */
  failuresAfter(t: number): number {
    return this.failures.filter((f) => f >= t).length;
  }
}
