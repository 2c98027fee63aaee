const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The Space subdomain of a Host header, or undefined when the host is not `{label}.{domain}[:port]`.
 * Lowercased, port stripped; with more labels (`a.b.localhost`) only the label directly before the
 * domain counts (`b`).
 */
export function subdomainOfHost(host: string | undefined, domain: string): string | undefined {
  if (!host) return undefined;
  let h = host.toLowerCase();
  if (h.charCodeAt(0) === 91 /* [ */) return undefined; // IPv6 literal: never a Space host
  const colon = h.lastIndexOf(':');
  if (colon !== -1) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1); // fully qualified form
  const d = domain.toLowerCase();
  if (h.length <= d.length + 1 || !h.endsWith(d) || h.charCodeAt(h.length - d.length - 1) !== 46 /* . */) {
    return undefined;
  }
  const rest = h.slice(0, h.length - d.length - 1);
  const label = rest.slice(rest.lastIndexOf('.') + 1);
  return LABEL_RE.test(label) ? label : undefined;
}

/** `subdomainOfHost` with a bounded memo keyed by the raw Host header (the same few hosts repeat). */
export class HostMatcher {
  readonly #domain: string;
  readonly #cache = new Map<string, string | null>();
  readonly #max: number;

  constructor(domain: string, max = 4096) {
    this.#domain = domain;
    this.#max = max;
  }

  match(host: string | undefined): string | undefined {
    if (!host) return undefined;
    const hit = this.#cache.get(host);
    if (hit !== undefined) return hit ?? undefined;
    const sub = subdomainOfHost(host, this.#domain);
    if (this.#cache.size >= this.#max) this.#cache.clear();
    this.#cache.set(host, sub ?? null);
    return sub;
  }
}

/** How many Host headers a request carried (RFC 9112: anything but one, on HTTP/1.1, is a 400). */
export function hostHeaderCount(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') n++;
  }
  return n;
}
