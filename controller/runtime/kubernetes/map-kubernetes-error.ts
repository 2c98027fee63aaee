import { SpaceportError, fail } from '../../../core/index.js';

/** What @kubernetes/client-node throws: an `ApiException` (HTTP `code`, JSON `body`) or a socket error. */
interface KubeErrorLike {
  code?: number | string;
  body?: unknown;
  message?: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

export interface KubernetesErrorContext {
  /** What we were doing: `start alice/demo (release r_…)`. */
  action: string;
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.trim() || undefined;
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return undefined;
}

/**
 * A client-node error as a SpaceportError (the original kept as `cause`): 404 → NotFound; 401/403 →
 * KubernetesUnavailable naming the RBAC fix; unreachable API server → KubernetesUnavailable; anything
 * else → RuntimeFailed with the API server's message.
 */
export function mapKubernetesError(err: unknown, ctx: KubernetesErrorContext): SpaceportError {
  if (err instanceof SpaceportError) return err;
  const e = (err ?? {}) as KubeErrorLike;
  const status = typeof e.code === 'number' ? e.code : undefined;
  const message = statusMessage(e.body) ?? e.message ?? String(err);
  if (status === 404) return fail('kubernetesNotFound', { action: ctx.action, message }, { cause: err });
  if (status === 401 || status === 403) {
    return fail('kubernetesForbidden', { action: ctx.action, status, message }, { cause: err });
  }
  const code = typeof e.code === 'string' ? e.code : (err as { cause?: { code?: string } })?.cause?.code;
  if (status === undefined && code && UNREACHABLE.has(code)) {
    return fail('kubernetesUnreachable', { action: ctx.action, errno: code }, { cause: err });
  }
  return fail('kubernetesFailed', { action: ctx.action, message }, { cause: err });
}
