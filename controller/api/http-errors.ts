import type { ErrorRequestHandler, Request, Response } from 'express';
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

/** An error of express's body parsers (http-errors with `type`, a 4xx `status` and `expose`). */
function fromBodyParser(err: { type?: unknown; status?: unknown; message?: unknown; expose?: unknown }): SpaceportError | undefined {
  if (typeof err.status !== 'number' || err.status < 400 || err.status >= 500) return undefined;
  // http-errors marks client errors `expose`; a broken gzip body comes as a plain 400 with no type.
  if (typeof err.type !== 'string' && err.expose !== true) return undefined;
  if (err.status === 413) return new SpaceportError('PayloadTooLarge');
  if (err.status === 415) return new SpaceportError('UnsupportedMediaType', `${String(err.message)}: send a JSON body in UTF-8, without Content-Encoding or with gzip, deflate or br.`);
  switch (err.type) {
    case 'entity.parse.failed':
      return new SpaceportError('BadRequest', 'The request body is not valid JSON.');
    default:
      // request.aborted, request.size.invalid, a broken gzip stream, …
      return new SpaceportError('BadRequest', `The request body could not be read: ${String(err.message)}.`);
  }
}

/** A body was sent, but not as JSON: the route read no body, so its schema refused `{}`. */
function sentNonJson(req: Request): boolean {
  const type = req.headers['content-type'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  return hasBody && type !== undefined && !req.is(['json', '+json']);
}

/** Errors answered as the Hub does: status, X-Error-Code, X-Error-Message and `{error}`. Never a 200. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: SpaceportError;
    if (err instanceof ZodError) {
      e = sentNonJson(req)
        ? new SpaceportError('UnsupportedMediaType', `This route reads a JSON body: send it with "Content-Type: application/json" (got "${String(req.headers['content-type']).slice(0, 100)}").`)
        : fromZod(err);
    }
    // Express decodes path parameters: `%ff` or a cut-off `%E0%A4%A` throws a URIError.
    else if (err instanceof URIError) e = new SpaceportError('BadRequest', `The path is not valid: ${err.message} (a "%" must start a valid percent-encoded UTF-8 sequence).`);
    else e = (err instanceof SpaceportError ? undefined : fromBodyParser(err ?? {})) ?? toSpaceportError(err);
    if (e.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else logger.debug({ code: e.code, url: req.originalUrl }, 'request refused');
    sendError(res, e);
  };
}
