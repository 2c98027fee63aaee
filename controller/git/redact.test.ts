import { describe, expect, it } from 'vitest';
import { redactCredentials } from './redact.js';

describe('redactCredentials', () => {
  it('hides user:password@ and token@ in URLs anywhere in a text', () => {
    expect(redactCredentials("fatal: unable to access 'https://u:s3cret@host/x/': 403")).toBe("fatal: unable to access 'https://***@host/x/': 403");
    expect(redactCredentials('http://tok@127.0.0.1/a and https://a:b@c/d')).toBe('http://***@127.0.0.1/a and https://***@c/d');
  });
  it('leaves texts without credentials alone', () => {
    expect(redactCredentials('https://github.com/a/b.git user@example.com')).toBe('https://github.com/a/b.git user@example.com');
  });
});
