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
