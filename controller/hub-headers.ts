/**
 * Security headers of every response on the hub host (API JSON, git, the web UI unless a page sets
 * its own): no MIME sniffing, no full URLs leaked as Referer, not framable, and HSTS only when the
 * public URL is https (sent over plain http it would be ignored, and wrong for a local install).
 * Apps on Space hosts never get these: a Space controls its own (see `proxy/page-security-headers.ts`
 * for the proxy's own pages).
 */
export function hubSecurityHeaders(publicUrl: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['X-Frame-Options', 'DENY'],
    ['Content-Security-Policy', "frame-ancestors 'none'"],
  ];
  if (publicUrl.toLowerCase().startsWith('https://')) headers.push(['Strict-Transport-Security', 'max-age=31536000']);
  return headers;
}
