import { describe, expect, it } from 'vitest';
import { validateUpstreamUrl } from './upstream-url.js';

describe('validateUpstreamUrl', () => {
  it('returns the parsed (normalised) https URL', () => {
    expect(validateUpstreamUrl('https://github.com/a/b.git', { allowLoopbackHttp: false })).toBe('https://github.com/a/b.git');
    expect(validateUpstreamUrl('HTTPS://GitHub.com/a/b', { allowLoopbackHttp: false })).toBe('https://github.com/a/b');
    expect(validateUpstreamUrl('https://huggingface.co:443/spaces/a/b', { allowLoopbackHttp: false })).toBe('https://huggingface.co/spaces/a/b');
  });

  it('allows http only to loopback and only when asked', () => {
    expect(validateUpstreamUrl('http://127.0.0.1:8080/spaces/a/b', { allowLoopbackHttp: true })).toBe('http://127.0.0.1:8080/spaces/a/b');
    expect(validateUpstreamUrl('http://2130706433/a', { allowLoopbackHttp: true })).toBe('http://127.0.0.1/a');
    expect(() => validateUpstreamUrl('http://127.0.0.1/a', { allowLoopbackHttp: false })).toThrow(expect.objectContaining({ code: 'InvalidUpstream' }));
    expect(() => validateUpstreamUrl('http://192.168.1.1/a', { allowLoopbackHttp: true })).toThrow(/loopback/);
  });

  it('names the problem', () => {
    expect(() => validateUpstreamUrl('git@github.com:a/b', { allowLoopbackHttp: false })).toThrow(/use an https:\/\/ URL/);
    expect(() => validateUpstreamUrl('-x', { allowLoopbackHttp: false })).toThrow(/must not start with "-"/);
    expect(() => validateUpstreamUrl('https://h/a#frag', { allowLoopbackHttp: false })).toThrow(/fragment/);
  });
});
