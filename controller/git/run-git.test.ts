import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GitCommandError, gitEnv, runGit } from './run-git.js';

describe('runGit', () => {
  it('runs git with argv and returns stdout', async () => {
    const r = await runGit(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toMatch(/^git version \d/);
  });

  it('passes input on stdin', async () => {
    const r = await runGit(['hash-object', '--stdin'], { input: 'hello\n' });
    expect(r.stdout.toString().trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('treats listed exit codes as answers', async () => {
    const r = await runGit(['config', '--file', '/dev/null', 'no.such'], { okExitCodes: [1] });
    expect(r.exitCode).toBe(1);
  });

  it('throws GitCommandError (GitFailed) with the command, exit code and stderr, credentials redacted', async () => {
    const err = await runGit(['ls-remote', '--', 'nosuchproto://user:pw@host/x']).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    const e = err as GitCommandError;
    expect(e.code).toBe('GitFailed');
    expect(e.exitCode).not.toBe(0);
    expect(e.command).toEqual(['ls-remote', '--', 'nosuchproto://***@host/x']);
    expect(e.stderr.length).toBeGreaterThan(0);
    expect(`${e.message} ${e.stderr}`).not.toContain('pw@');
  });

  it('stops git and its helpers on abort', async () => {
    const sockets = new Set<Socket>();
    const silent = http.createServer(() => {}); // accepts and never answers, so git waits forever
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const ac = new AbortController();
      silent.once('request', () => ac.abort());
      const { port } = silent.address() as AddressInfo;
      const err = await runGit(['ls-remote', '--', `http://127.0.0.1:${port}/x.git`], { signal: ac.signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GitCommandError);
      expect((err as GitCommandError).cause).toBe(ac.signal.reason);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('stops git and its helpers after timeoutMs', async () => {
    const sockets = new Set<Socket>();
    const silent = http.createServer(() => {});
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const err = await runGit(['ls-remote', '--', `http://127.0.0.1:${port}/x.git`], { timeoutMs: 300 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GitCommandError);
      expect((err as GitCommandError).timedOut).toBe(true);
      expect((err as GitCommandError).message).toContain('timed out');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('gitEnv', () => {
  it('never prompts, uses the C locale, and does not leak the controller environment', () => {
    process.env.SPACEPORT_ADMIN_TOKEN_TEST = 'secret';
    try {
      const env = gitEnv({ EXTRA: '1' });
      expect(env.GIT_TERMINAL_PROMPT).toBe('0');
      expect(env.LC_ALL).toBe('C');
      expect(env.EXTRA).toBe('1');
      expect(env.PATH?.split(':')[0]).toBe(process.execPath.replace(/\/[^/]+$/, ''));
      expect(Object.values(env)).not.toContain('secret');
    } finally {
      delete process.env.SPACEPORT_ADMIN_TOKEN_TEST;
    }
  });
});
