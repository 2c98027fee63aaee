import type { ErrorRequestHandler, Request, Response } from 'express';
import { ZodError } from 'zod';
import { SpaceportError, fail, hidePaths, toSpaceportError, type Logger } from '../../core/index.js';

/** Header values must be one line of Latin-1. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 1000);
}

export function sendError(res: Response, err: SpaceportError, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // A server failure's message may carry a cause's text: never a path of the server.
  const message = err.status >= 500 ? hidePaths(err.message) : err.message;
  const retryAfter = (err.details as { retryAfter?: unknown } | undefined)?.retryAfter;
  if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
  res
    .status(err.status)
    .set('X-Error-Code', err.code)
    .set('X-Error-Message', headerSafe(message))
    .json({ error: message, ...(err.details ? { details: err.details } : {}), ...extra });
}

/** A zod failure as a 400 that names each bad field. */
export function fromZod(err: ZodError): SpaceportError {
  const problems = err.issues.map((i) => `${i.path.length ? `"${i.path.join('.')}"` : 'body'}: ${i.message}`);
  return fail('internalBodyInvalid', { problems }, { details: problems });
}

/** An error of express's body parsers (http-errors with `type`, a 4xx `status` and `expose`). */
function fromBodyParser(err: { type?: unknown; status?: unknown; message?: unknown; expose?: unknown }): SpaceportError | undefined {
  if (typeof err.status !== 'number' || err.status < 400 || err.status >= 500) return undefined;
  // http-errors marks client errors `expose`; a broken gzip body comes as a plain 400 with no type.
  if (typeof err.type !== 'string' && err.expose !== true) return undefined;
  if (err.status === 413) return new SpaceportError('PayloadTooLarge');
  if (err.status === 415) return fail('bodyEncodingUnsupported', { message: String(err.message) });
  switch (err.type) {
    case 'entity.parse.failed':
      return fail('internalBodyNotJson');
    default:
      // request.aborted, request.size.invalid, a broken gzip stream, …
      return fail('bodyUnreadable', { message: String(err.message) });
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
        ? fail('bodyNotJsonType', { contentType: String(req.headers['content-type']) })
        : fromZod(err);
    }
    // Express decodes path parameters: `%ff` or a cut-off `%E0%A4%A` throws a URIError.
    else if (err instanceof URIError) e = fail('pathNotDecodable', { message: err.message });
    else e = (err instanceof SpaceportError ? undefined : fromBodyParser(err ?? {})) ?? toSpaceportError(err);
    if (e.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else logger.debug({ code: e.code, url: req.originalUrl }, 'request refused');
    sendError(res, e);
  };
}
