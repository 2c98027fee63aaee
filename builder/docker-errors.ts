import { SpaceportError, fail } from '../core/index.js';

interface DockerishError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string } | null;
}

export function isNotFound(err: unknown): boolean {
  return (err as DockerishError | null)?.statusCode === 404;
}

/** A dockerode failure as a SpaceportError: an unreachable engine is `DockerUnavailable`, the rest `code`. */
export function mapDockerError(err: unknown, doing: string, code: 'Internal' | 'BuildFailed' = 'Internal'): SpaceportError {
  if (err instanceof SpaceportError) return err;
  const e = (err ?? {}) as DockerishError;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES') {
    return fail('dockerUnreachable', { doing, errno: e.code }, { cause: err });
  }
  const reason = e.json?.message ?? e.message ?? String(err);
  return fail(code === 'BuildFailed' ? 'dockerBuildFailed' : 'dockerFailed', { doing, reason }, { cause: err });
}
