import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isBrowserRequest, isNoWakeRequest } from './client-kind.js';

const req = (method: string, url: string, headers: Record<string, string>): IncomingMessage =>
  ({ method, url, headers }) as unknown as IncomingMessage;

describe('isBrowserRequest', () => {
  it('is a GET or HEAD that accepts HTML', () => {
    expect(isBrowserRequest(req('GET', '/', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }))).toBe(true);
    expect(isBrowserRequest(req('HEAD', '/', { accept: 'text/html' }))).toBe(true);
    expect(isBrowserRequest(req('GET', '/', { accept: 'application/json' }))).toBe(false);
    expect(isBrowserRequest(req('GET', '/', {}))).toBe(false);
    expect(isBrowserRequest(req('POST', '/', { accept: 'text/html' }))).toBe(false);
  });
});

describe('isNoWakeRequest', () => {
  const rules = { paths: ['/healthz', '/metrics'], userAgents: ['uptimerobot', 'kube-probe'] };
  it('matches path prefixes and user-agent substrings', () => {
    expect(isNoWakeRequest(req('GET', '/healthz', {}), rules)).toBe(true);
    expect(isNoWakeRequest(req('GET', '/metrics?x=1', {}), rules)).toBe(true);
    expect(isNoWakeRequest(req('GET', '/', { 'user-agent': 'Mozilla/5.0 (compatible; UptimeRobot/2.0)' }), rules)).toBe(true);
    expect(isNoWakeRequest(req('GET', '/', { 'user-agent': 'Mozilla/5.0' }), rules)).toBe(false);
    expect(isNoWakeRequest(req('GET', '/app', {}), { paths: [], userAgents: [] })).toBe(false);
  });
});
