/**
 * An incremental HTTP/1.1 response parser for the upstream side of the proxy: the status line and
 * headers (as a flat latin1 `[name, value, …]` list), then the body framed by the response itself
 * (RFC 9112 §6.3): none for HEAD, 1xx, 204 and 304; chunked (decoded, trailers dropped); a
 * Content-Length; else until the connection closes. Pure: bytes in, events out.
 */

/** The largest response head accepted (nginx's `large_client_header_buffers` is of the same order). */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface ResponseHeadEvent {
  status: number;
  statusText: string;
  rawHeaders: string[];
  /** The connection may carry another request after this response. */
  keepAlive: boolean;
}

export interface ParserEvents {
  /** A final (≥ 200) response head; interim 1xx heads are skipped. */
  onHead(head: ResponseHeadEvent): void;
  /** Body bytes (chunked framing removed); `last` when they end a Content-Length body (onComplete follows). */
  onBody(chunk: Buffer, last?: boolean): void;
  onComplete(): void;
}

export class ResponseParseError extends Error {
  readonly code = 'UPSTREAM_BAD_RESPONSE';
}

type State =
  | { kind: 'head' }
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-crlf' }
  | { kind: 'trailers' }
  | { kind: 'until-close' }
  | { kind: 'done' };

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

export class ResponseParser {
  #state: State = { kind: 'head' };
  #pending: Buffer | undefined = undefined;
  readonly #headRequest: boolean;
  readonly #events: ParserEvents;

  constructor(headRequest: boolean, events: ParserEvents) {
    this.#headRequest = headRequest;
    this.#events = events;
  }

  get done(): boolean {
    return this.#state.kind === 'done';
  }

  /** Whether the connection's end completes the response (a body read until close). */
  get endsAtClose(): boolean {
    return this.#state.kind === 'until-close';
  }

  /** Feed bytes read from the connection. Throws ResponseParseError on a malformed response. */
  feed(data: Buffer): void {
    const buf = this.#pending === undefined ? data : Buffer.concat([this.#pending, data]);
    this.#pending = undefined;
    let at = 0;
    while (at < buf.length || this.#state.kind === 'length') {
      const s = this.#state;
      if (s.kind === 'done') throw new ResponseParseError('bytes after the end of a response');
      if (s.kind === 'head') {
        const end = buf.indexOf(HEAD_END, at);
        if (end < 0) {
          if (buf.length - at > MAX_HEAD_BYTES) throw new ResponseParseError('response head too large');
          break;
        }
        this.#head(buf.toString('latin1', at, end));
        at = end + 4;
        continue;
      }
      if (s.kind === 'length') {
        if (s.left === 0) {
          this.#finish();
          continue;
        }
        if (at >= buf.length) break;
        const n = Math.min(s.left, buf.length - at);
        s.left -= n;
        this.#events.onBody(buf.subarray(at, at + n), s.left === 0);
        at += n;
        continue;
      }
      if (s.kind === 'until-close') {
        this.#events.onBody(at === 0 ? buf : buf.subarray(at));
        at = buf.length;
        continue;
      }
      if (s.kind === 'chunk-data') {
        const n = Math.min(s.left, buf.length - at);
        s.left -= n;
        this.#events.onBody(buf.subarray(at, at + n));
        at += n;
        if (s.left === 0) this.#state = { kind: 'chunk-crlf' };
        continue;
      }
      // chunk-size, chunk-crlf and trailers read whole lines.
      const eol = buf.indexOf(CRLF, at);
      if (eol < 0) {
        if (buf.length - at > 4096) throw new ResponseParseError('chunk line too long');
        break;
      }
      const line = buf.toString('latin1', at, eol);
      at = eol + 2;
      if (s.kind === 'chunk-crlf') {
        if (line !== '') throw new ResponseParseError('chunk not followed by CRLF');
        this.#state = { kind: 'chunk-size' };
      } else if (s.kind === 'chunk-size') {
        const hex = line.split(';', 1)[0]!.trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new ResponseParseError('bad chunk size');
        const size = parseInt(hex, 16);
        this.#state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: size };
      } else if (line === '') this.#finish(); // end of trailers
    }
    if (at < buf.length) this.#pending = buf.subarray(at);
  }

  #head(text: string): void {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (m === null) throw new ResponseParseError('bad status line');
    const http10 = m[1] === '0';
    const status = Number(m[2]);
    const rawHeaders: string[] = [];
    let length: number | undefined;
    let chunked = false;
    let close = http10;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ResponseParseError('bad header line');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      rawHeaders.push(name, value);
      const n = name.length;
      if (n === 14 && name.toLowerCase() === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) throw new ResponseParseError('bad content-length');
        length = Number(value);
      } else if (n === 17 && name.toLowerCase() === 'transfer-encoding') {
        chunked = value.toLowerCase().split(',').pop()!.trim() === 'chunked';
      } else if (n === 10 && name.toLowerCase() === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) close = true;
        else if (http10 && v.includes('keep-alive')) close = false;
      }
    }
    if (status < 200) return; // interim: the final head follows
    const noBody = this.#headRequest || status === 204 || status === 304;
    const untilClose = !noBody && !chunked && length === undefined;
    this.#events.onHead({ status, statusText: m[3] ?? '', rawHeaders, keepAlive: !close && !untilClose });
    if (this.#state.kind === 'done') return; // the listener aborted
    if (noBody) this.#finish();
    else if (chunked) this.#state = { kind: 'chunk-size' };
    else if (length !== undefined) this.#state = { kind: 'length', left: length };
    else this.#state = { kind: 'until-close' };
  }

  /** The connection ended: completes a body read until close; anything else was cut short. */
  end(): void {
    if (this.#state.kind === 'until-close') this.#finish();
  }

  /** Stop: no further events (an abort). */
  stop(): void {
    this.#state = { kind: 'done' };
  }

  #finish(): void {
    this.#state = { kind: 'done' };
    this.#events.onComplete();
  }
}
