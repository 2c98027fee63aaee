import { describe, expect, it } from 'vitest';
import { SecretMask } from './secret-mask.js';

it('masks values and each line of multi-line values, longest first, not tiny ones', () => {
  const mask = new SecretMask(['hunter22', '-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----', 'ab']);
  expect(mask.apply('token=hunter22 ok')).toBe('token=*** ok');
  expect(mask.apply('line: AAAABBBB')).toBe('line: ***');
  expect(mask.apply('ab cab')).toBe('ab cab');
  expect(new SecretMask(['hunter2', 'hunter22']).apply('hunter22')).toBe('***');
});

describe('encoded forms of a secret (issue 15: masking was literal only)', () => {
  const secret = 'hf_s3cr3t+/Value?&=42 ok';
  const mask = new SecretMask([secret]);
  const shown = (text: string) => mask.apply(text);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const b64url = (s: string) => Buffer.from(s).toString('base64url');

  it('masks the base64 and URL-safe base64 of the value', () => {
    expect(shown(`x ${b64(secret)} y`)).toBe('x *** y');
    expect(shown(`x ${b64url(secret)} y`)).toBe('x *** y');
  });

  it.each([0, 1, 2, 3, 4, 5])('masks it inside a longer base64 text, %i bytes in (each alignment)', (before) => {
    for (const enc of [b64, b64url]) {
      const text = enc(`${'p'.repeat(before)}${secret}:tail`);
      const out = shown(`Authorization: Basic ${text}`);
      expect(out).toContain('***');
      // What is left shows at most the 2 partial groups at the edges, never the secret's middle.
      const left = out.replace('Authorization: Basic ', '').replace('***', '');
      expect(left.length).toBeLessThanOrEqual(text.length - (Math.floor((secret.length - 2) / 3) * 4));
    }
  });

  it('masks the Basic credentials of a URL-encoded or form-encoded secret, and hex', () => {
    expect(shown(`https://u:${encodeURIComponent(secret)}@host/`)).toBe('https://u:***@host/');
    expect(shown(`q=${encodeURIComponent(secret).replace(/%20/g, '+')}&x=1`)).toBe('q=***&x=1');
    expect(shown(Buffer.from(secret).toString('hex'))).toBe('***');
    expect(shown(Buffer.from(secret).toString('hex').toUpperCase())).toBe('***');
  });

  it('leaves unrelated text and short values alone', () => {
    expect(shown('nothing secret here: aGVsbG8gd29ybGQ=')).toBe('nothing secret here: aGVsbG8gd29ybGQ=');
    expect(new SecretMask(['abcd']).apply('YWJjZA== abcd')).toBe('*** ***');
    expect(new SecretMask(['abc']).apply('abc YWJj')).toBe('abc YWJj');
  });
});
