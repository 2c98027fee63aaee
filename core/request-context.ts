import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written while a request is handled carries (see `createLogger`'s mixin). */
export interface RequestContext {
  /** The request id: the client's `X-Request-Id` when it is sane, else a new UUID. Echoed in the response. */
  id: string;
}

/** The request being handled, for whatever code runs on its behalf (a pino mixin adds `req` to each line). */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/;

/** The inbound `X-Request-Id` when it is one short token of safe characters; otherwise a fresh id. */
export function requestIdFrom(inbound: string | string[] | undefined): string {
  const value = Array.isArray(inbound) ? inbound[0] : inbound;
  return value !== undefined && SANE_ID.test(value) ? value : randomUUID();
}

/** Query parameters whose values are credentials (`?token=`, `access_token`, `api_key`, `sig`, …). */
const SECRET_PARAM = /token|key|secret|passw|auth|sig|session|cookie|code|credential/i;

/** A URL or path with the values of credential-like query parameters replaced, for logs. */
export function redactQuery(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* keep it raw */
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}`;
}
