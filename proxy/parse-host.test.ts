import { describe, expect, it } from 'vitest';
import { HostMatcher, hostHeaderCount, subdomainOfHost } from './parse-host.js';

describe('subdomainOfHost', () => {
  it.each([
    ['alice-demo.localhost', 'alice-demo'],
    ['Alice-Demo.LocalHost:8080', 'alice-demo'],
    ['a.b.localhost', 'b'],
    ['x.alice-demo.localhost:99', 'alice-demo'],
    ['alice-demo.localhost.', 'alice-demo'],
  ])('%s → %s', (host, sub) => {
    expect(subdomainOfHost(host, 'localhost')).toBe(sub);
  });

  it.each([
    [undefined],
    [''],
    ['localhost'],
    ['localhost:8080'],
    ['127.0.0.1:8080'],
    ['[::1]:8080'],
    ['alice-demolocalhost'],
    ['alice.example.com'],
    ['-bad.localhost'],
    ['bad_.localhost'],
    ['.localhost'],
  ])('%s is not a Space host', (host) => {
    expect(subdomainOfHost(host, 'localhost')).toBeUndefined();
  });

  it('works with multi-label domains', () => {
    expect(subdomainOfHost('alice-demo.spaces.example.com', 'spaces.example.com')).toBe('alice-demo');
    expect(subdomainOfHost('spaces.example.com', 'spaces.example.com')).toBeUndefined();
    expect(subdomainOfHost('alice-demo.other-spaces.example.com', 'spaces.example.com')).toBeUndefined();
  });
});

describe('HostMatcher', () => {
  it('memoizes and stays bounded', () => {
    const m = new HostMatcher('localhost', 2);
    expect(m.match('a.localhost')).toBe('a');
    expect(m.match('a.localhost')).toBe('a');
    expect(m.match('localhost')).toBeUndefined();
    expect(m.match('localhost')).toBeUndefined();
    expect(m.match('b.localhost')).toBe('b');
    expect(m.match('c.localhost:1')).toBe('c');
    expect(m.match(undefined)).toBeUndefined();
  });
});

describe('hostHeaderCount', () => {
  it('counts Host headers in any case', () => {
    expect(hostHeaderCount(['Host', 'a', 'X-Host', 'b'])).toBe(1);
    expect(hostHeaderCount(['host', 'a', 'HOST', 'b'])).toBe(2);
    expect(hostHeaderCount([])).toBe(0);
  });
});
