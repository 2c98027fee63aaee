import { describe, expect, it } from 'vitest';
import { CSP_HOST_SOURCE, proxyPageSecurityHeaders } from './page-security-headers.js';

describe('proxyPageSecurityHeaders', () => {
  const asMap = (h: string[]) => Object.fromEntries(h.flatMap((v, i) => (i % 2 === 0 ? [[v, h[i + 1]]] : [])));

  it('nosniff, referrer policy, framing by the hub only; HSTS only over https', () => {
    const plain = asMap(proxyPageSecurityHeaders('spaces.example.com', false, ['https://hub.example.com']));
    expect(plain).toEqual({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'content-security-policy': "frame-ancestors 'self' http://spaces.example.com:* https://spaces.example.com:* https://hub.example.com",
    });
    expect(asMap(proxyPageSecurityHeaders('localhost', true))['strict-transport-security']).toBe('max-age=31536000');
  });

  it('drops an origin that could break out of the header', () => {
    const csp = asMap(proxyPageSecurityHeaders('localhost', false, ["https://x.com; script-src 'unsafe-inline'", 'https://ok.example']))['content-security-policy'];
    expect(csp).toBe("frame-ancestors 'self' http://localhost:* https://localhost:* https://ok.example");
  });

  it('lists only CSP host-sources: an IPv6 literal (http://[::1]:*), which Chromium rejects, is left out (regression)', () => {
    const csp = asMap(proxyPageSecurityHeaders('localhost', false, ['http://[::1]:*', 'https://[::1]:8443', 'http://127.0.0.1:*', 'https://*.example.com']))['content-security-policy'];
    expect(csp).toBe("frame-ancestors 'self' http://localhost:* https://localhost:* http://127.0.0.1:* https://*.example.com");
    for (const source of csp!.split(' ').slice(2)) expect(source).toMatch(CSP_HOST_SOURCE);
    expect(CSP_HOST_SOURCE.test('http://[::1]:*')).toBe(false);
  });
});
