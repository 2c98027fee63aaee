import type http from 'node:http';

export interface CensusEntry {
  method: string;
  url: string;
  host: string;
  status: number;
}

/**
 * Counts every request a server answers, server side, and keeps the ones that break the rule
 * "never a 5xx for bad input; every 4xx carries X-Error-Code" (the fuzz suites assert both lists are empty).
 */
export class RequestCensus {
  total = 0;
  readonly byStatus = new Map<number, number>();
  readonly serverErrors: CensusEntry[] = [];
  readonly uncodedClientErrors: CensusEntry[] = [];
  readonly #server: http.Server;
  readonly #exempt: (req: http.IncomingMessage) => boolean;
  readonly #listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.once('finish', () => this.#record(req, res));
  };

  /** `exempt`: requests whose 4xx answers are not ours to code (an app's own answers, through the proxy). */
  constructor(server: http.Server, opts: { exempt?: (req: http.IncomingMessage) => boolean } = {}) {
    this.#server = server;
    this.#exempt = opts.exempt ?? (() => false);
    server.prependListener('request', this.#listener);
  }

  #record(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.total++;
    const status = res.statusCode;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    const entry = { method: req.method ?? '', url: (req.url ?? '').slice(0, 300), host: String(req.headers.host ?? '').slice(0, 100), status };
    if (status >= 500 && this.serverErrors.length < 50) this.serverErrors.push(entry);
    if (status >= 400 && status < 500 && !hasErrorCode(res) && !this.#exempt(req) && this.uncodedClientErrors.length < 50) this.uncodedClientErrors.push(entry);
  }

  /** `{ 200: 12, 404: 3 }`, for the log. */
  summary(): Record<string, number> {
    return Object.fromEntries([...this.byStatus].sort((a, b) => a[0] - b[0]));
  }

  close(): void {
    this.#server.removeListener('request', this.#listener);
  }
}

/** Set with setHeader, or written by writeHead with a raw header list (the proxy's pages). */
function hasErrorCode(res: http.ServerResponse): boolean {
  if (res.getHeader('x-error-code') !== undefined) return true;
  const head = (res as unknown as { _header?: string | null })._header;
  return typeof head === 'string' && /\r\nx-error-code: *\S/i.test(head);
}
