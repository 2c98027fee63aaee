import type { Logger } from 'pino';
import { systemClock, type Clock } from '../core/clock.js';
import { fail } from '../core/errors.js';
import type { AppAccessOptions } from './app-gate.js';
import { proxyPageSecurityHeaders } from './page-security-headers.js';
import type { ProxyMetrics } from './proxy-metrics.js';
import type { ActivitySink, RouteSource, Waker } from './route.js';
import type { StaticTrees } from './static-trees.js';

export interface ProxyOptions {
  routes: RouteSource;
  activity: ActivitySink;
  waker: Waker;
  logger: Logger;
  /** Private apps: the grant/cookie key and the controller's token check. Absent: private apps answer 404 to everyone. */
  appAccess?: AppAccessOptions;
  /** Spaces are served at `{subdomain}.{domain}[:port]`. */
  domain: string;
  clock?: Clock;
  /** How long a non-browser request to a sleeping Space is held (default 120 000). */
  wakeTimeoutMs?: number;
  /** Held requests per Space before 503 (default 1000). */
  wakeQueueMax?: number;
  /** Path prefixes that never wake a Space (health checks). */
  noWakePaths?: readonly string[];
  /** User-agent substrings (case-insensitive) that never wake a Space (monitors, crawlers). */
  noWakeUserAgents?: readonly string[];
  /** Upstream response-headers timeout, and idle time allowed between body chunks (default 300 000). */
  upstreamTimeoutMs?: number;
  /** Upstream TCP connect timeout (default 10 000). */
  connectTimeoutMs?: number;
  /** Activity batches go to the sink this often (default 1000; 0 = only on close). */
  activityFlushMs?: number;
  /** `Retry-After` seconds on 503 answers (default 5). */
  retryAfterSeconds?: number;
  /** Connections per app endpoint (default 256); further requests queue. */
  connectionsPerEndpoint?: number;
  /** How long `close()` lets in-flight upstream requests finish before destroying them (default 5000). */
  closeGraceMs?: number;
  /**
   * Origins that may embed apps in a frame (`Content-Security-Policy: frame-ancestors …` on every
   * app response, e.g. the hub's own origin and the operator's sites). Empty or unset: any (no header).
   */
  frameAncestors?: readonly string[];
  /** Where request counts, latencies and wakes are reported (default: nowhere). */
  metrics?: ProxyMetrics;
  /** Origins of the hub besides `{domain}` (the public URL's), allowed to frame the proxy's own pages. */
  hubOrigins?: readonly string[];
  /** The hub is served over https (`SPACEPORT_PUBLIC_URL`): our own pages send Strict-Transport-Security. */
  https?: boolean;
  /** Where static Spaces' trees are (by tree hash). Absent: a static route answers 503. */
  staticTrees?: StaticTrees;
  /** Bytes of compressed static files kept in memory (default 32 MiB). */
  staticCacheBytes?: number;
}

export interface ResolvedProxyOptions {
  domain: string;
  clock: Clock;
  wakeTimeoutMs: number;
  wakeQueueMax: number;
  noWakePaths: readonly string[];
  noWakeUserAgents: readonly string[];
  upstreamTimeoutMs: number;
  connectTimeoutMs: number;
  activityFlushMs: number;
  retryAfter: string;
  retryAfterSeconds: number;
  connectionsPerEndpoint: number;
  closeGraceMs: number;
  /** The `frame-ancestors` source list, or undefined (any origin may embed apps). */
  frameAncestors?: string;
  /** Security headers of the proxy's own pages (404/503/502), flat `[name, value, …]`; never added to apps' responses. */
  pageHeaders: readonly string[];
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw fail('proxyOptionNotPositive', { name, allowZero, value: v });
  }
  return v;
}

/** Defaults applied and values checked once; the result is frozen. */
export function resolveProxyOptions(opts: ProxyOptions): Readonly<ResolvedProxyOptions> {
  const domain = opts.domain.trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9.-]+$/.test(domain)) throw fail('proxyOptionDomainInvalid', { domain: opts.domain });
  const retryAfterSeconds = Math.ceil(positive('retryAfterSeconds', opts.retryAfterSeconds, 5));
  return Object.freeze({
    domain,
    clock: opts.clock ?? systemClock,
    wakeTimeoutMs: positive('wakeTimeoutMs', opts.wakeTimeoutMs, 120_000),
    wakeQueueMax: positive('wakeQueueMax', opts.wakeQueueMax, 1000),
    noWakePaths: Object.freeze([...(opts.noWakePaths ?? [])].filter(Boolean)),
    noWakeUserAgents: Object.freeze((opts.noWakeUserAgents ?? []).filter(Boolean).map((s) => s.toLowerCase())),
    upstreamTimeoutMs: positive('upstreamTimeoutMs', opts.upstreamTimeoutMs, 300_000),
    connectTimeoutMs: positive('connectTimeoutMs', opts.connectTimeoutMs, 10_000),
    activityFlushMs: positive('activityFlushMs', opts.activityFlushMs, 1000, true),
    retryAfter: String(retryAfterSeconds),
    retryAfterSeconds,
    connectionsPerEndpoint: positive('connectionsPerEndpoint', opts.connectionsPerEndpoint, 256),
    closeGraceMs: positive('closeGraceMs', opts.closeGraceMs, 5000, true),
    frameAncestors: frameAncestorsOf(opts.frameAncestors),
    pageHeaders: Object.freeze(proxyPageSecurityHeaders(domain, opts.https ?? false, opts.hubOrigins ?? [])),
  });
}

/** `frame-ancestors` sources: origins like `https://hub.example.com` (or `'self'`); anything else is refused. */
function frameAncestorsOf(list: readonly string[] | undefined): string | undefined {
  const items = (list ?? []).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return undefined;
  for (const item of items) {
    if (item !== "'self'" && !/^https?:\/\/(\*\.)?[a-z0-9.-]+(:(\d+|\*))?$/i.test(item)) {
      throw fail('proxyOptionFrameAncestorInvalid', { item });
    }
  }
  return items.join(' ');
}
