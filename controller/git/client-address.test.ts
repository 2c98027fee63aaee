import { expect, it } from 'vitest';
import { clientAddress, trustedProxies } from './client-address.js';

const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } });

it('uses the socket address unless it is a trusted proxy', () => {
  expect(clientAddress(req('203.0.113.7', '10.0.0.1'))).toBe('203.0.113.7');
  expect(clientAddress(req('::ffff:203.0.113.7'))).toBe('203.0.113.7');
  const trusted = trustedProxies(['10.0.0.0/8', 'fd00::/8']);
  expect(clientAddress(req('203.0.113.7', '198.51.100.1'), trusted)).toBe('203.0.113.7');
});

it('behind trusted proxies, reads X-Forwarded-For from the right to the first untrusted hop', () => {
  const trusted = trustedProxies(['10.0.0.0/8', 'fd00::/8', '192.0.2.5']);
  expect(clientAddress(req('10.1.2.3', '198.51.100.9'), trusted)).toBe('198.51.100.9');
  // A client's own X-Forwarded-For (left of the real hop) is not believed.
  expect(clientAddress(req('10.1.2.3', '1.2.3.4, 198.51.100.9, 10.0.0.2'), trusted)).toBe('198.51.100.9');
  expect(clientAddress(req('::ffff:10.1.2.3', '2001:db8::1, fd00::1'), trusted)).toBe('2001:db8::1');
  expect(clientAddress(req('192.0.2.5', 'garbage, 10.0.0.9'), trusted)).toBe('10.0.0.9');
  expect(clientAddress(req('10.1.2.3'), trusted)).toBe('10.1.2.3');
});
