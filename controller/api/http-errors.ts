import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { SpaceportError, toSpaceportError, type Logger } from '../../core/index.js';

/** Header values must be one line of Latin-1. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 1000);
}

export function sendError(res: Response, err: SpaceportError, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res
    .status(err.status)
    .set('X-Error-Code', err.code)
    .set('X-Error-Message', headerSafe(err.message))
    .json({ error: err.message, ...(err.details ? { details: err.details } : {}), ...extra });
}

/** A zod failure as a 400 that names each bad field. */
export function fromZod(err: ZodError): SpaceportError {
  const problems = err.issues.map((i) => `${i.path.length ? `"${i.path.join('.')}"` : 'body'}: ${i.message}`);
  return new SpaceportError('BadRequest', `Invalid request: ${problems.join('; ')}.`, { details: problems });
}

/** Errors answered as the Hub does: status, X-Error-Code, X-Error-Message and `{error}`. Never a 200. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: SpaceportError;
    if (err instanceof ZodError) e = fromZod(err);
    else if (err?.type === 'entity.parse.failed') e = new SpaceportError('BadRequest', 'The request body is not valid JSON.');
    else if (err?.type === 'entity.too.large') e = new SpaceportError('PayloadTooLarge');
    // Express decodes path parameters: `%ff` or a cut-off `%E0%A4%A` throws a URIError.
    else if (err instanceof URIError) e = new SpaceportError('BadRequest', `The path is not valid: ${err.message} (a "%" must start a valid percent-encoded UTF-8 sequence).`);
    else e = toSpaceportError(err);
    if (e.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else logger.debug({ code: e.code, url: req.originalUrl }, 'request refused');
    sendError(res, e);
  };
}
