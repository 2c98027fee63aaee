import type { Response } from 'express';
import { sendCompressed } from './compression.js';

/**
 * Headers of every page: a CSP with no inline script or style (the one script and stylesheet come
 * from this host), apps framed only from Space subdomains, the hub itself never framed.
 */
export function pageSecurityHeaders(spaceOrigins: string): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    // 'self': a private Space's app opens through the hub's grant path (/spaces/{id}/app), which redirects to its host.
    `frame-src 'self' ${spaceOrigins}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'interest-cohort=()',
  };
}

/** `http://*.localhost:8080`: where Space apps live, for `frame-src`. */
export function spaceOriginsOf(publicUrl: string, domain: string): string {
  const u = new URL(publicUrl);
  return `${u.protocol}//*.${domain}${u.port ? `:${u.port}` : ''}`;
}

/** A page, compressed when the browser takes br or gzip (compression.ts). */
export function sendPage(res: Response, status: number, body: string, spaceOrigins: string): void {
  res.status(status).set(pageSecurityHeaders(spaceOrigins)).set('Cache-Control', 'no-store').type('html');
  sendCompressed(res.req, res, Buffer.from(body, 'utf8'));
}
