import { ERRORS, type ErrorCode } from './codes.js';

export class SpaceportError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, options?: { details?: unknown; cause?: unknown }) {
    super(message ?? ERRORS[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SpaceportError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options?.details;
  }
}

/** A failed image build: the step that failed and the tail of its log. */
export class BuildError extends SpaceportError {
  readonly logTail: string;
  readonly step?: string;
  constructor(message: string, options: { logTail: string; step?: string; cause?: unknown }) {
    super('BuildFailed', message, { cause: options.cause });
    this.name = 'BuildError';
    this.logTail = options.logTail;
    this.step = options.step;
  }
}

export function isSpaceportError(err: unknown, code?: ErrorCode): err is SpaceportError {
  return err instanceof SpaceportError && (code === undefined || err.code === code);
}

/** Anything thrown, as a SpaceportError (unknown errors become `Internal`, keeping the cause). */
export function toSpaceportError(err: unknown): SpaceportError {
  if (err instanceof SpaceportError) return err;
  return new SpaceportError('Internal', undefined, { cause: err });
}
