import { SpaceportError, fail } from './errors.js';

/*
 * The one translation of Docker Engine errors, used by the Docker runtime (controller/runtime/docker)
 * and the image builders (builder/). It lives in core, which both already depend on: builder/ must not
 * import controller/, and the runtime has no reason to depend on the image builder. It reads only the
 * error's shape and imports no Docker library, so core still talks to nothing.
 */

/** What dockerode (docker-modem) throws: an HTTP error with `statusCode`, or a socket error with `code`. */
interface DockerErrorLike {
  statusCode?: number;
  code?: string;
  address?: string;
  message?: string;
  json?: { message?: string } | null;
}

/** Socket errors that mean no engine answers: all of them are `DockerUnavailable`. */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);

export interface DockerErrorContext {
  /** What we were doing, e.g. `create the container for alice/demo`. */
  action: string;
  /** The image involved, named in "no such image" errors. */
  image?: string;
  /** The code of any other failure the engine reports (default `RuntimeFailed`; a build's is `BuildFailed`). */
  otherwise?: 'RuntimeFailed' | 'BuildFailed' | 'Internal';
}

/** The HTTP status of a Docker API error, if it is one. */
export function dockerStatus(err: unknown): number | undefined {
  const status = (err as DockerErrorLike | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function dockerMessage(err: DockerErrorLike): string {
  const fromJson = err.json && typeof err.json === 'object' ? err.json.message : undefined;
  return (fromJson ?? err.message ?? String(err)).trim();
}

/**
 * A dockerode error as a SpaceportError, keeping the original as `cause`:
 * - the engine is unreachable (socket missing, refused, denied) → `DockerUnavailable` with the fix;
 * - 404 "no such image" → `RuntimeFailed` naming the image (Spaceport never pulls);
 * - 404 otherwise → `NotFound`;
 * - anything else → `ctx.otherwise` (default `RuntimeFailed`) with Docker's message.
 */
export function mapDockerError(err: unknown, ctx: DockerErrorContext): SpaceportError {
  if (err instanceof SpaceportError) return err;
  const e = (err ?? {}) as DockerErrorLike;
  const status = dockerStatus(err);
  if (status === undefined && e.code === 'EACCES') return fail('dockerSocketDenied', { address: e.address, action: ctx.action }, { cause: err });
  if (status === undefined && e.code !== undefined && UNREACHABLE.has(e.code)) {
    return fail('dockerUnreachable', { address: e.address, errno: e.code, action: ctx.action }, { cause: err });
  }
  const message = dockerMessage(e);
  if (status === 404 && /no such image/i.test(message)) return fail('dockerNoSuchImage', { image: ctx.image ?? 'the image', message }, { cause: err });
  if (status === 404) return fail('dockerNotFound', { action: ctx.action, message }, { cause: err });
  const key = ({ RuntimeFailed: 'dockerRuntimeFailed', BuildFailed: 'dockerBuildFailed', Internal: 'dockerFailed' } as const)[ctx.otherwise ?? 'RuntimeFailed'];
  return fail(key, { action: ctx.action, message }, { cause: err });
}
