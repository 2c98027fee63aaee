import type { Readable } from 'node:stream';

/** One request to an app, as the proxy forwards it (headers already filtered: forward-headers.ts). */
export interface UpstreamRequest {
  method: string;
  path: string;
  /** Flat `[name, value, …]`; Host as the client sent it. */
  headers: string[];
  /** The request body to stream, or null. Without a Content-Length among the headers it is sent chunked. */
  body: Readable | null;
  /** Longest wait for the response head after the request was sent (0: none). */
  headersTimeout: number;
  /** Longest silence between body bytes of the response (0: none). */
  bodyTimeout: number;
}

/** What a forwarded request is told, in order: connected, the final head, body chunks, the end, or an error. */
export interface UpstreamHandler {
  /** `abort` ends the request (the connection is closed); the handler's onError then gets `err`. */
  onConnect(abort: (err?: Error) => void): void;
  /** Return value ignored; `resume` continues a body paused by onData returning false. */
  onHeaders(statusCode: number, rawHeaders: string[], resume: () => void, statusText: string): boolean;
  /**
   * false: pause reading the app until `resume`. `last`: this chunk ends the body (a Content-Length
   * body's final bytes; onComplete follows at once), so the client's response may end with it.
   */
  onData(chunk: Buffer, last?: boolean): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

/** An upstream failure with the code the proxy's error rules read (upstream-errors.ts). */
export class UpstreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
