import { SpaceportError, type ErrorCode } from '../core/index.js';

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
export function mapDockerError(err: unknown, doing: string, code: ErrorCode = 'Internal'): SpaceportError {
  if (err instanceof SpaceportError) return err;
  const e = (err ?? {}) as DockerishError;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES') {
    return new SpaceportError('DockerUnavailable', `${doing}: the Docker engine is not reachable (${e.code}); start dockerd or set DOCKER_HOST.`, { cause: err });
  }
  const reason = e.json?.message ?? e.message ?? String(err);
  return new SpaceportError(code, `${doing} failed: ${reason}`, { cause: err });
}
