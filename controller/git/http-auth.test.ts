import { describe, expect, it } from 'vitest';
import { tokenFromAuthorization } from './http-auth.js';

const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;

describe('tokenFromAuthorization', () => {
  it('takes the Basic password whatever the username', () => {
    expect(tokenFromAuthorization(basic('alice:hf_abc'))).toBe('hf_abc');
    expect(tokenFromAuthorization(basic('hf_user:hf_abc'))).toBe('hf_abc');
    expect(tokenFromAuthorization(basic(':hf_abc'))).toBe('hf_abc');
    expect(tokenFromAuthorization(basic('u:pa:ss'))).toBe('pa:ss');
  });

  it('takes a Bearer token', () => {
    expect(tokenFromAuthorization('Bearer hf_abc')).toBe('hf_abc');
    expect(tokenFromAuthorization('bearer hf_abc')).toBe('hf_abc');
  });

  it('is undefined without a usable credential', () => {
    expect(tokenFromAuthorization(undefined)).toBeUndefined();
    expect(tokenFromAuthorization('')).toBeUndefined();
    expect(tokenFromAuthorization(basic('alice:'))).toBeUndefined();
    expect(tokenFromAuthorization(basic('no-colon'))).toBeUndefined();
    expect(tokenFromAuthorization('Digest abc')).toBeUndefined();
    expect(tokenFromAuthorization('Bearer')).toBeUndefined();
  });
});
