import { Agent, request } from 'undici';
import { SpaceportError, renderMessage } from '../core/errors.js';

/** How a proxy reaches the controller's internal API (routes, activity, wake). */
export interface ControllerClientOptions {
  /** `http(s)://host:port` of the controller (its hub port). */
  controllerUrl: string;
  /** The shared secret, `SPACEPORT_INTERNAL_TOKEN`; sent as `Authorization: Bearer …`. */
  token: string;
  /** Per request (and websocket handshake) limit (default 10 000). */
  requestTimeoutMs?: number;
}

/** A call to the controller's internal API answered with a non-2xx status. */
export class ControllerRequestError extends SpaceportError {
  readonly httpStatus: number;
  constructor(path: string, httpStatus: number, message: string | undefined) {
    const answered = renderMessage('controllerAnswered', { httpStatus, path, message });
    super(answered.code, answered.message, { details: { path, httpStatus } });
    this.name = 'ControllerRequestError';
    this.httpStatus = httpStatus;
  }
}

export function controllerUrl(base: string, path: string): URL {
  return new URL(path, base.endsWith('/') ? base : `${base}/`);
}

/** JSON POSTs to the controller over one keep-alive agent. */
export class ControllerClient {
  readonly #o: ControllerClientOptions;
  readonly #agent: Agent;

  constructor(opts: ControllerClientOptions) {
    this.#o = opts;
    const timeout = opts.requestTimeoutMs ?? 10_000;
    this.#agent = new Agent({ connections: 4, connectTimeout: timeout, headersTimeout: timeout, bodyTimeout: timeout });
  }

  /** POST a JSON body; throws `ControllerRequestError` on a non-2xx answer, undici's errors when unreachable. */
  async post(path: string, body: unknown, opts: { timeoutMs?: number } = {}): Promise<void> {
    const res = await request(controllerUrl(this.#o.controllerUrl, path), {
      method: 'POST',
      dispatcher: this.#agent,
      ...(opts.timeoutMs === undefined ? {} : { headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs }),
      headers: { authorization: `Bearer ${this.#o.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.body.dump();
    if (res.statusCode >= 300) {
      const message = res.headers['x-error-message'];
      throw new ControllerRequestError(path, res.statusCode, typeof message === 'string' ? message : undefined);
    }
  }

  /** POST a JSON body and read the JSON answer; throws like `post`. */
  async postForJson(path: string, body: unknown): Promise<unknown> {
    const res = await request(controllerUrl(this.#o.controllerUrl, path), {
      method: 'POST',
      dispatcher: this.#agent,
      headers: { authorization: `Bearer ${this.#o.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.statusCode >= 300) {
      await res.body.dump();
      const message = res.headers['x-error-message'];
      throw new ControllerRequestError(path, res.statusCode, typeof message === 'string' ? message : undefined);
    }
    return res.body.json();
  }

  /** Let in-flight calls finish, then close the connections. */
  close(): Promise<void> {
    return this.#agent.close();
  }

  /** Abort in-flight calls and close the connections. */
  destroy(): Promise<void> {
    return this.#agent.destroy();
  }
}
