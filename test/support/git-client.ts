import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run stock git (argv, no shell) with no credential helpers or prompts. */
export function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'credential.helper=', '-c', 'init.defaultBranch=main', ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export async function gitOk(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const r = await git(args, cwd, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** A work tree with the given files committed on `main` (dated `date`, an ISO time, when given). */
export async function makeWorkTree(files: Record<string, string | Buffer>, root = mkdtempSync(path.join(tmpdir(), 'spaceport-wt-')), date?: string): Promise<string> {
  await gitOk(['init', '-q', '-b', 'main'], root);
  await commitFiles(root, files, 'initial', date);
  return root;
}

export async function commitFiles(dir: string, files: Record<string, string | Buffer>, message: string, date?: string): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  await gitOk(['add', '-A'], dir);
  await gitOk(['commit', '-q', '--allow-empty', '-m', message], dir, date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {});
  return (await gitOk(['rev-parse', 'HEAD'], dir)).trim();
}

/** `http://user:token@127.0.0.1:port/spaces/owner/name` */
export function pushUrl(port: number, space: string, token?: string): string {
  return `http://${token ? `user:${token}@` : ''}127.0.0.1:${port}/spaces/${space}`;
}
