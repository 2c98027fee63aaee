/**
 * Security headers of the proxy's own pages (not found, waking, building, failed, app error). Apps'
 * responses never get them: a Space decides its own framing, referrer and content policies.
 *
 * Our pages may be framed by the hub (it shows a Space in an iframe, as huggingface.co does) and by
 * the Space's own origin, nothing else.
 */
/**
 * A CSP host-source as CSP Level 3 defines it (`scheme://host[:port]`, host = `*.`? labels of
 * letters, digits and `-`): an IPv6 literal such as `http://[::1]:*` is no host-source, and
 * Chromium reports the whole directive's source as invalid ("The source list … contains an invalid
 * source"), so such origins are left out (`'self'` still covers the page's own origin).
 */
export const CSP_HOST_SOURCE = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?$/i;

export function proxyPageSecurityHeaders(domain: string, https: boolean, hubOrigins: readonly string[] = []): string[] {
  const own = [`http://${domain}:*`, `https://${domain}:*`];
  const hub = hubOrigins.filter((o) => CSP_HOST_SOURCE.test(o) && !own.includes(o));
  const extra = [...new Set(hub)].map((o) => ` ${o}`).join('');
  const headers = [
    'x-content-type-options',
    'nosniff',
    'referrer-policy',
    'strict-origin-when-cross-origin',
    'content-security-policy',
    `frame-ancestors 'self' http://${domain}:* https://${domain}:*${extra}`,
  ];
  if (https) headers.push('strict-transport-security', 'max-age=31536000');
  return headers;
}
