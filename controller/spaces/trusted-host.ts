import type { Config } from '../../core/index.js';

/**
 * A `Host` header that may appear in returned URLs: a well-formed `name[:port]` or `[v6][:port]`
 * naming the configured domain, loopback, or one of SPACEPORT_ALLOWED_HOSTS. Anything else (a
 * header from a hostile client, `<script>.localhost`) falls back to the configured public URL.
 */
export function trustedHost(host: string, config: Pick<Config, 'SPACEPORT_DOMAIN' | 'SPACEPORT_ALLOWED_HOSTS'>): boolean {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(\d{1,5}))?$/i.exec(host);
  if (!m) return false;
  const name = m[1]!.toLowerCase();
  if (m[2] !== undefined && Number(m[2]) > 65535) return false;
  return (
    name === config.SPACEPORT_DOMAIN.toLowerCase() ||
    name === 'localhost' ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    config.SPACEPORT_ALLOWED_HOSTS.some((h) => h.toLowerCase() === name)
  );
}
