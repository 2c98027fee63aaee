import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSpaceportError } from '../../core/index.js';
import { branchNameProblem, validateBranchName } from './branch-name.js';
import { isGitRequest, parseGitPath } from './git-path.js';
import { redactCredentials } from './redact.js';
import { validateUpstreamUrl } from './upstream-url.js';
import { branchFromWebhook } from './webhook-signature.js';

/** Property suite (issue 10): git URLs, branch names and smart-HTTP paths from untrusted input. */

const urlChar = fc.constantFrom('h', 't', 'p', 's', ':', '/', '@', '.', '-', '[', ']', '%', '?', '#', ' ', '\\', 'x', '1', '\u0000', 'é', 'E');
const urlish = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ maxLength: 60, unit: urlChar }),
  fc.tuple(fc.constantFrom('https://', 'http://', 'HTTPS://', 'ext::', 'file://', 'ssh://', '-', 'git@', ''), fc.webUrl(), fc.string({ maxLength: 10, unit: urlChar }))
    .map(([a, b, c]) => a + b.replace(/^https?:\/\//, '') + c),
);
const refChar = fc.constantFrom('a', 'B', '1', '/', '.', '-', '_', '~', '^', ':', '?', '*', '[', '\\', ' ', '@', '{', '}', '\u0001', 'é', 'l', 'o', 'c', 'k');

function onlyInvalidUpstream(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!isSpaceportError(err, 'InvalidUpstream')) throw err;
  }
}

describe('git input properties', () => {
  it('validateUpstreamUrl returns an https (or loopback http) URL that validates to itself, or throws InvalidUpstream', () => {
    fc.assert(
      fc.property(urlish, fc.boolean(), (url, allowLoopbackHttp) => {
        onlyInvalidUpstream(() => {
          const ok = validateUpstreamUrl(url, { allowLoopbackHttp });
          expect(ok).toMatch(allowLoopbackHttp ? /^https?:\/\/[^/?#]/ : /^https:\/\/[^/?#]/);
          expect(ok).not.toMatch(/[\x00-\x20\x7f\\#]/);
          expect(validateUpstreamUrl(ok, { allowLoopbackHttp })).toBe(ok);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('an empty #fragment is refused like any other (regression: "https://host/repo#" slipped through)', () => {
    expect(() => validateUpstreamUrl('https://example.com/repo#', { allowLoopbackHttp: false })).toThrow(/fragment/);
  });

  it('a refused upstream URL never shows its password', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{8,20}$/);
    fc.assert(
      fc.property(urlish, secret, (rest, password) => {
        try {
          validateUpstreamUrl(`https://user:${password}@${rest}`, { allowLoopbackHttp: false });
        } catch (err) {
          if (!isSpaceportError(err, 'InvalidUpstream')) throw err;
          expect(err.message).not.toContain(password);
        }
        expect(redactCredentials(`fatal: https://u:${password}@host/x`)).not.toContain(password);
      }),
      { numRuns: 1000 },
    );
  });

  it('branch names: our rule accepts only names git accepts too, and refuses with InvalidUpstream', () => {
    const names = fc.sample(fc.string({ maxLength: 24, unit: refChar }), { numRuns: 400, seed: 10 });
    const ours = names.filter((n) => branchNameProblem(n) === undefined);
    expect(ours.length).toBeGreaterThan(20);
    for (const n of ours) {
      const git = spawnSync('git', ['check-ref-format', '--branch', n], { encoding: 'utf8' });
      expect(git.status, `git refuses branch ${JSON.stringify(n)} that we accept`).toBe(0);
    }
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (n) => onlyInvalidUpstream(() => expect(validateBranchName(n)).toBe(n))), { numRuns: 2000 });
  });

  it('a webhook body never throws and gives a branch only from refs/heads/', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.record({ ref: fc.oneof(fc.string(), fc.constant('refs/heads/'), fc.string().map((s) => `refs/heads/${s}`)) })), (v) => {
        const b = branchFromWebhook(typeof v === 'string' ? v : Buffer.from(JSON.stringify(v) ?? ''));
        if (b !== undefined) expect(b.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('smart-HTTP paths parse to a valid Space or throw InvalidName; decoded names never escape the repo root', () => {
    const seg = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('..', '.', '%2e%2e', '%2F', '%5C', '%', '%ff', '%E0%A4%A', 'a%00b', 'demo.git', 'alice', '..%2f..', '.git'),
    );
    const url = fc
      .tuple(seg, seg, fc.constantFrom('info/refs?service=git-upload-pack', 'info/refs?service=git-receive-pack', 'git-upload-pack', 'git-receive-pack', 'HEAD', 'x'))
      .map(([o, n, s]) => `/spaces/${o}/${n}/${s}`);
    fc.assert(
      fc.property(url, fc.constantFrom('GET', 'POST', 'PUT', undefined), (u, method) => {
        isGitRequest(method, u);
        try {
          const gp = parseGitPath(u);
          if (gp === undefined) return;
          expect(gp.space).toBe(`${gp.owner}/${gp.name}`);
          for (const part of [gp.owner, gp.name]) expect(part).not.toMatch(/[/\\%\0]|^\.\.?$|\.\./);
        } catch (err) {
          if (!isSpaceportError(err, 'InvalidName')) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
