// Threat: a user-supplied upstream URL or branch turns `git fetch` into command execution, local file
// access or option injection (ext::, file://, --upload-pack=, -oProxyCommand, scp-like ssh, …).
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpaceportError, toSpaceId } from '../../core/index.js';
import { CliGitRepos, branchNameProblem, validateBranchName, validateUpstreamUrl } from '../../controller/git/index.js';
import { makeTempDir } from './fixtures.js';

let tmp: string;
let marker: string;

beforeAll(async () => {
  tmp = await makeTempDir();
  marker = path.join(tmp, 'pwned');
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const badUrls = (m: string): string[] => [
  `ext::sh -c touch% ${m}`,
  `ext::sh -c "touch ${m}"`,
  `https::ext::sh -c touch% ${m}`,
  `fd::17`,
  `file:///etc`,
  `file://localhost/etc`,
  `/etc`,
  `./relative/repo`,
  `../up`,
  `--upload-pack=touch ${m}`,
  `--upload-pack=touch${m}`,
  `-oProxyCommand=touch ${m}`,
  `-c protocol.ext.allow=always`,
  `ssh://-oProxyCommand=touch%20${m}/x`,
  `ssh://git@github.com/a/b.git`,
  `git+ssh://git@github.com/a/b.git`,
  `git://github.com/a/b.git`,
  `github.com:a/b.git`,
  `git@github.com:a/b.git`,
  `-oProxyCommand=x:a/b`,
  `ftp://example.com/a.git`,
  `http://example.com/a.git`,
  `http://10.0.0.1/a.git`,
  `https://`,
  `https:///path-only`,
  `https://example.com/a b`,
  `https://example.com/a\n--upload-pack=x`,
  `https://example.com/a\0b`,
  'https://example.com\\@127.0.0.1/a',
  ` https://example.com/a.git`,
  ``,
];

describe('validateUpstreamUrl rejects everything but https (and loopback http when allowed)', () => {
  for (const allowLoopbackHttp of [false, true]) {
    for (const url of badUrls('/tmp/pwned')) {
      it(`${JSON.stringify(url)} (loopback ${allowLoopbackHttp ? 'allowed' : 'refused'})`, () => {
        let err: unknown;
        try {
          validateUpstreamUrl(url, { allowLoopbackHttp });
        } catch (e) {
          err = e;
        }
        expect(isSpaceportError(err, 'InvalidUpstream')).toBe(true);
        expect((err as { status: number }).status).toBe(400);
      });
    }
  }

  it('refuses loopback http unless allowed, in every spelling', () => {
    for (const url of ['http://127.0.0.1:9/a.git', 'http://localhost/a', 'http://[::1]:8080/a', 'http://127.1.2.3/a', 'http://0x7f.1/a']) {
      expect(() => validateUpstreamUrl(url, { allowLoopbackHttp: false }), url).toThrow(/https/);
      expect(validateUpstreamUrl(url, { allowLoopbackHttp: true })).toMatch(/^http:\/\/(127\.|localhost|\[::1\])/);
    }
    // Names that only look like loopback.
    for (const url of ['http://127.0.0.1.evil.com/a', 'http://localhost.evil.com/a', 'http://evil.com#@127.0.0.1/']) {
      expect(() => validateUpstreamUrl(url, { allowLoopbackHttp: true }), url).toThrow();
    }
  });

  it('accepts https URLs, with credentials, and never echoes credentials in its errors', () => {
    expect(validateUpstreamUrl('https://github.com/a/b.git', { allowLoopbackHttp: false })).toBe('https://github.com/a/b.git');
    expect(validateUpstreamUrl('https://user:tok@huggingface.co/spaces/a/b', { allowLoopbackHttp: false })).toBe(
      'https://user:tok@huggingface.co/spaces/a/b',
    );
    expect(() => validateUpstreamUrl('ssh://user:tok@host/a', { allowLoopbackHttp: false })).toThrow(/ssh:\/\/\*\*\*@host/);
    try {
      validateUpstreamUrl('http://user:hunter2@example.com/a', { allowLoopbackHttp: false });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('branch names are checked like `git check-ref-format --branch`', () => {
  const bad = ['--foo', '-b', '--upload-pack=x', 'main..x', '..', 'a@{1}', '@{-1}', '@', 'HEAD', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b',
    '.hidden', 'a/.b', 'a.lock', 'a/b.lock', 'a/', '/a', 'a//b', 'a.', '', 'a\x01', 'a\x7f', 'x'.repeat(256)];
  for (const name of bad) {
    it(`rejects ${JSON.stringify(name.slice(0, 40))}`, () => {
      expect(branchNameProblem(name)).toBeDefined();
      expect(() => validateBranchName(name)).toThrow(expect.objectContaining({ code: 'InvalidUpstream' }));
    });
  }
  it('accepts ordinary names', () => {
    for (const name of ['main', 'dev', 'feature/x', 'release-1.2', 'a_b', 'v1.0/rc.1', 'ünïcode']) expect(branchNameProblem(name), name).toBeUndefined();
  });
});

describe('fetchUpstream never runs git with a hostile URL or branch', () => {
  const space = toSpaceId('alice', 'inject');

  it('throws InvalidUpstream, leaves main untouched and runs nothing', async () => {
    for (const allowLoopbackUpstreams of [false, true]) {
      const repos = new CliGitRepos({ root: path.join(tmp, `repos-${allowLoopbackUpstreams}`), allowLoopbackUpstreams });
      await repos.create(space);
      for (const url of badUrls(marker)) {
        const err = await repos.fetchUpstream(space, { url, branch: 'main' }).then(() => undefined, (e: unknown) => e);
        expect(isSpaceportError(err, 'InvalidUpstream'), url).toBe(true);
      }
      for (const branch of ['--upload-pack=touch', '-oProxyCommand=x', 'main..x', 'a@{1}', 'main:refs/heads/evil', 'a b']) {
        const err = await repos
          .fetchUpstream(space, { url: 'https://127.0.0.1:9/a.git', branch })
          .then(() => undefined, (e: unknown) => e);
        expect(isSpaceportError(err, 'InvalidUpstream'), branch).toBe(true);
      }
      expect(await repos.head(space)).toBeUndefined();
    }
    await expect(fs.stat(marker)).rejects.toThrow(/ENOENT/);
  });
});
