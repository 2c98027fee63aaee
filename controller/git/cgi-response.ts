export interface CgiHead {
  status: number;
  /** Header name/value pairs in order, `Status` removed. */
  headers: [string, string][];
  /** Bytes after the blank line: the start of the body. */
  rest: Buffer;
}

const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Find and parse the CGI header block (`Name: value` lines ended by a blank line, `\r\n` or `\n`)
 * at the start of `buf`. Undefined while the block is incomplete; throws when it is malformed or too long.
 */
export function parseCgiHead(buf: Buffer): CgiHead | undefined {
  let end = -1;
  let sep = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) {
      end = i;
      sep = 2;
      break;
    }
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) {
      end = i;
      sep = 3;
      break;
    }
  }
  if (end < 0) {
    if (buf.length > MAX_HEAD_BYTES) throw new Error('CGI header block too long');
    return undefined;
  }
  let status = 200;
  const headers: [string, string][] = [];
  for (const raw of buf.subarray(0, end).toString('latin1').split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed CGI header line "${line.slice(0, 80)}"`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const code = Number(/^(\d{3})/.exec(value)?.[1]);
      if (!Number.isInteger(code)) throw new Error(`malformed CGI status "${value.slice(0, 80)}"`);
      status = code;
    } else {
      headers.push([name, value]);
    }
  }
  return { status, headers, rest: buf.subarray(end + sep) };
}
