import { describe, expect, it } from 'vitest';
import { byteRangeOf, chooseEncoding, etagMatches, staticPathOf } from './static-request.js';
import { CompressedCache } from './compressed-cache.js';

describe('staticPathOf', () => {
  it.each([
    ['/', { kind: 'path', rel: '', slash: true }],
    ['/a/b.css?x=1', { kind: 'path', rel: 'a/b.css', slash: false }],
    ['/a//b/', { kind: 'path', rel: 'a/b', slash: true }],
    ['/caf%C3%A9.html', { kind: 'path', rel: 'café.html', slash: false }],
  ])('%s is a path in the tree', (url, want) => {
    expect(staticPathOf(url)).toEqual(want);
  });

  it.each(['/../x', '/%2e%2e/x', '/a/%2E%2E%2Fb', '/.env', '/a/.git/config', '/a%5cb', '/a%00', '/%zz', 'x', '*'])('refuses %s', (url) => {
    expect(staticPathOf(url)).toEqual({ kind: 'refused' });
  });
});

describe('chooseEncoding', () => {
  it.each([
    [undefined, undefined],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['*', 'br'],
    ['identity', undefined],
  ])('%s → %s', (header, want) => {
    expect(chooseEncoding(header)).toBe(want);
  });
});

describe('byteRangeOf', () => {
  it.each([
    [undefined, { kind: 'none' }],
    ['bytes=0-4', { kind: 'range', start: 0, end: 4 }],
    ['bytes=5-', { kind: 'range', start: 5, end: 9 }],
    ['bytes=-3', { kind: 'range', start: 7, end: 9 }],
    ['bytes=-30', { kind: 'range', start: 0, end: 9 }],
    ['bytes=8-100', { kind: 'range', start: 8, end: 9 }],
    ['bytes=10-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-2', { kind: 'none' }],
    ['bytes=0-1,3-4', { kind: 'none' }],
    ['items=0-1', { kind: 'none' }],
  ])('%s of 10 bytes', (header, want) => {
    expect(byteRangeOf(header, 10)).toEqual(want);
  });
});

describe('etagMatches', () => {
  it('compares weakly and takes lists and *', () => {
    expect(etagMatches('"a", "b"', '"b"')).toBe(true);
    expect(etagMatches('W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"b"')).toBe(true);
    expect(etagMatches('"c"', '"b"')).toBe(false);
    expect(etagMatches(undefined, '"b"')).toBe(false);
  });
});

describe('CompressedCache', () => {
  it('keeps at most its byte budget, dropping the least recently used first', () => {
    const c = new CompressedCache(10);
    c.set('a', Buffer.alloc(4));
    c.set('b', Buffer.alloc(4));
    c.get('a');
    c.set('c', Buffer.alloc(4));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.get('c')).toBeDefined();
    expect(c.bytes).toBe(8);
    c.set('huge', Buffer.alloc(11));
    expect(c.get('huge')).toBeUndefined();
  });
});
