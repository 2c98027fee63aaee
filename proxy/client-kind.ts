import type { IncomingMessage } from 'node:http';

/** A browser navigation: GET/HEAD asking for HTML. Browsers get pages at once instead of being held. */
export function isBrowserRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const accept = req.headers.accept;
  return accept !== undefined && accept.includes('text/html');
}

export interface NoWakeRules {
  /** Path prefixes (`/healthz`, `/metrics`) that never wake a Space. */
  paths: readonly string[];
  /** Lowercased user-agent substrings (uptime monitors, crawlers) that never wake a Space. */
  userAgents: readonly string[];
}

/** Requests that must not wake a sleeping Space (health checks, monitors): they get 503 + Retry-After. */
export function isNoWakeRequest(req: IncomingMessage, rules: NoWakeRules): boolean {
  const url = req.url ?? '/';
  for (const prefix of rules.paths) if (url.startsWith(prefix)) return true;
  if (rules.userAgents.length > 0) {
    const ua = req.headers['user-agent']?.toLowerCase();
    if (ua) for (const s of rules.userAgents) if (ua.includes(s)) return true;
  }
  return false;
}
