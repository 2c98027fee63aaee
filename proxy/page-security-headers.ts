/**
 * Security headers of the proxy's own pages (not found, waking, building, failed, app error). Apps'
 * responses never get them: a Space decides its own framing, referrer and content policies.
 *
 * Our pages may be framed by the hub (it shows a Space in an iframe, as huggingface.co does) and by
 * the Space's own origin, nothing else.
 */
export function proxyPageSecurityHeaders(domain: string, https: boolean, hubOrigins: readonly string[] = []): string[] {
  const own = [`http://${domain}:*`, `https://${domain}:*`];
  const hub = hubOrigins.filter((o) => /^https?:\/\/[a-z0-9.[\]:-]+(:(\d+|\*))?$/i.test(o) && !own.includes(o));
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
