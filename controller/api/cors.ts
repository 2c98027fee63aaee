import type { RequestHandler } from 'express';

/**
 * The API's CORS policy, as the Hub's (`huggingface.co/api/*`): any origin may call it from a browser
 * with a token (`Authorization: Bearer …`), never with the user's cookies.
 *
 * - A simple or actual request with an `Origin` gets that origin back in `Access-Control-Allow-Origin`
 *   (`Vary: Origin`) and the headers clients read exposed (`X-Error-Code`, `X-Repo-Commit`, …).
 * - A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here, before
 *   authentication, with 204: the origin, the requested method (when the API has it) and the
 *   requested headers reflected, as the Hub does. No `Access-Control-Max-Age` (the Hub sends none).
 * - `Access-Control-Allow-Credentials` is never sent: a cross-site page cannot make a signed-in
 *   browser's cookies act on the API (the web UI is same-origin and needs no CORS).
 */
export const CORS_EXPOSED_HEADERS = [
  'X-Error-Code',
  'X-Error-Message',
  'X-Repo-Commit',
  'X-Request-Id',
  'X-Total-Count',
  'ETag',
  'Link',
  'Accept-Ranges',
  'Content-Range',
].join(', ');

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Header names a preflight may ask for: tokens, no control characters (they are echoed back). */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

export function corsMiddleware(): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin === undefined) {
      next();
      return;
    }
    const requested = req.headers['access-control-request-method'];
    if (req.method === 'OPTIONS' && typeof requested === 'string') {
      res.vary('Access-Control-Request-Method');
      res.vary('Access-Control-Request-Headers');
      res.set('Access-Control-Allow-Origin', origin);
      const method = requested.toUpperCase();
      if (ALLOWED_METHODS.has(method)) res.set('Access-Control-Allow-Methods', method);
      const headers = req.headers['access-control-request-headers'];
      if (typeof headers === 'string' && headers.length <= 1000 && HEADER_LIST.test(headers.trim())) {
        res.set('Access-Control-Allow-Headers', headers.trim());
      }
      res.status(204).end();
      return;
    }
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
    next();
  };
}
