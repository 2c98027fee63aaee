/** Failures of an app we expect in normal operation: logged at warn, without a stack. */
const EXPECTED = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
]);

/** The connection failed before the app could have read the request: safe to try again. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a failed request may be sent again: an idempotent method without a body, failed at
 * connect or on a reset before any response (an app's small listen backlog under a burst, such as
 * the requests held while it woke up). nginx's `proxy_next_upstream error` rule, for one upstream.
 */
export function isRetryableUpstreamError(err: unknown, method: string): boolean {
  const code = errorCode(err);
  return (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && code !== undefined && CONNECT_FAILURES.has(code);
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isExpectedUpstreamError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && EXPECTED.has(code);
}

/** Log fields for an upstream failure: code and message for expected ones, the whole error otherwise. */
export function upstreamErrorLog(err: unknown): Record<string, unknown> {
  if (isExpectedUpstreamError(err)) return { code: errorCode(err), reason: (err as Error).message };
  return { err };
}
