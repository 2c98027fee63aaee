import type { Config } from '../core/index.js';

/** Who may frame apps: unset, anyone; else the hub's own origin (the Space page) and the operator's list. */
export function embedOrigins(config: Readonly<Config>): string[] | undefined {
  if (config.SPACEPORT_EMBED_ORIGINS.length === 0) return undefined;
  const hub = new URL(config.publicUrl);
  return [...(hub.port === '0' ? [] : [hub.origin]), ...config.SPACEPORT_EMBED_ORIGINS];
}

/** The port of Spaces' public URLs: SPACEPORT_PUBLIC_URL's (none when it is the scheme's default), else the port listened on. */
export function publicPortOf(config: Readonly<Config>, listenPort: number | undefined): number | undefined {
  if (config.SPACEPORT_PUBLIC_URL) {
    const port = new URL(config.SPACEPORT_PUBLIC_URL).port;
    return port === '' ? undefined : Number(port);
  }
  return listenPort;
}

/**
 * Origins the hub may be opened at (it frames a Space's pages): the public URL, loopback, and
 * SPACEPORT_ALLOWED_HOSTS, the same hosts `trustedHost` accepts for returned URLs.
 */
export function hubOriginsOf(config: Readonly<Config>): string[] {
  // No `[::1]`: an IPv6 literal is no CSP host-source (the proxy would drop it anyway).
  const hosts = ['127.0.0.1', 'localhost', ...config.SPACEPORT_ALLOWED_HOSTS];
  return [new URL(config.publicUrl).origin, ...hosts.flatMap((h) => [`http://${h}:*`, `https://${h}:*`])];
}

/** The hub's host names (the public URL's), which win over Space hosts when they sit under the Spaces domain. */
export function hubHostnamesOf(config: Readonly<Config>): ReadonlySet<string> {
  return new Set([new URL(config.publicUrl).hostname.toLowerCase()]);
}
