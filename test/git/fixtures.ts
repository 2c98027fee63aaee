// Shared by the test/git-*.test.ts suites: temp dirs, a git client runner and a smart-HTTP test server.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SpaceportError, type SpaceId } from '../../core/index.js';
import {
  CliGitRepos,
  createGitHttpHandler,
  isGitRequest,
  sendGitError,
  type GitAuthorizeRequest,
  type GitAuthorizeResult,
} from '../../controller/git/index.js';

export async function makeTempDir(prefix = 'spaceport-git-'): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
}

export interface GitRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A git client with a clean config (HOME in `home`), no prompts, C locale. Never throws on exit codes. */
export function gitClient(home: string) {
  return (args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<GitRun> =>
    new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: opts.cwd ?? home,
        env: {
          PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
          HOME: home,
          LC_ALL: 'C',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Test',
          GIT_AUTHOR_EMAIL: 'test@example.com',
          GIT_COMMITTER_NAME: 'Test',
          GIT_COMMITTER_EMAIL: 'test@example.com',
          ...opts.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input ?? '');
    });
}

export type GitClient = ReturnType<typeof gitClient>;

/** Throw with git's output unless it exited 0. */
export function ok(run: GitRun): GitRun {
  if (run.code !== 0) throw new Error(`git exited ${run.code}: ${run.stderr}`);
  return run;
}

/** Write files into a working tree, commit them, and return the commit id. */
export async function commitFiles(git: GitClient, work: string, files: Record<string, string | Buffer>, message = 'update', date?: Date): Promise<string> {
  for (const [file, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(work, file)), { recursive: true });
    await fs.writeFile(path.join(work, file), content);
  }
  ok(await git(['add', '-A'], { cwd: work }));
  const env = date ? { GIT_AUTHOR_DATE: date.toISOString(), GIT_COMMITTER_DATE: date.toISOString() } : undefined;
  ok(await git(['commit', '-q', '--allow-empty', '-m', message], { cwd: work, env }));
  return ok(await git(['rev-parse', 'HEAD'], { cwd: work })).stdout.trim();
}

/** A fresh working repo on `main`. */
export async function initWork(git: GitClient, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  ok(await git(['init', '-q', '-b', 'main', dir]));
  return dir;
}

export const TOKENS: Record<string, { user: string; role: 'read' | 'write' }> = {
  'hf_write_alice': { user: 'alice', role: 'write' },
  'hf_read_bob': { user: 'bob', role: 'read' },
};

/** Test authorisation: known Spaces are public; write needs a write token. */
export function testAuthorize(known: Set<string>) {
  return async (req: GitAuthorizeRequest): Promise<GitAuthorizeResult> => {
    if (!known.has(req.space)) return { error: new SpaceportError('RepoNotFound', `Repository ${req.space} not found.`) };
    if (req.token === undefined) {
      return req.access === 'read' ? { user: '' } : { error: new SpaceportError('Unauthorized') };
    }
    const t = TOKENS[req.token];
    if (!t) return { error: new SpaceportError('InvalidToken') };
    if (req.access === 'write' && t.role !== 'write') return { error: new SpaceportError('ReadOnlyToken') };
    return { user: t.user };
  };
}

export interface GitServer {
  url: string;
  port: number;
  repos: CliGitRepos;
  known: Set<string>;
  pushes: { space: SpaceId; user: string }[];
  authorizeCalls: GitAuthorizeRequest[];
  /** `Git-Protocol` headers seen. */
  protocols: string[];
  requests: string[];
  /** The handler's promise per git request (settles once git http-backend has exited). */
  handled: Promise<void>[];
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1, port 0, routing git requests to the handler and 404 for the rest. */
export async function startGitServer(root: string, opts: { maxFileBytes?: number } = {}): Promise<GitServer> {
  const repos = new CliGitRepos({ root });
  const known = new Set<string>();
  const pushes: GitServer['pushes'] = [];
  const authorizeCalls: GitAuthorizeRequest[] = [];
  const protocols: string[] = [];
  const requests: string[] = [];
  const handled: Promise<void>[] = [];
  const authorize = testAuthorize(known);
  const handler = createGitHttpHandler({
    repos,
    authorize: async (req) => {
      authorizeCalls.push(req);
      return authorize(req);
    },
    onPush: (p) => { pushes.push(p); },
    ...(opts.maxFileBytes === undefined ? {} : { maxFileBytes: opts.maxFileBytes }),
  });
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const proto = req.headers['git-protocol'];
    if (typeof proto === 'string') protocols.push(proto);
    // `x-test-direct` sends any request to the handler, to test what it does with non-git URLs.
    if (isGitRequest(req.method, req.url) || req.headers['x-test-direct'] === '1') {
      handled.push(handler(req, res));
    } else {
      sendGitError(res, new SpaceportError('NotFound'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    repos,
    known,
    pushes,
    authorizeCalls,
    protocols,
    requests,
    handled,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await handler.close?.();
    },
  };
}

/** A raw HTTP request (paths are sent exactly as given, unlike fetch which normalises `..`). */
export function rawRequest(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Pids of live processes whose environment contains `needle` (e.g. `PATH_INFO=/alice/x.git/...`). */
export async function pidsWithEnv(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await fs.readFile(`/proc/${entry}/environ`).catch(() => undefined);
    if (environ?.toString().split('\0').includes(needle)) pids.push(Number(entry));
  }
  return pids;
}
