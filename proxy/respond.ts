import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

export interface PageResponse {
  status: number;
  body: string;
  contentType: string;
  /** Extra headers, flat `[name, value, …]`. */
  headers: string[];
}

export function htmlResponse(status: number, body: string, headers: string[] = []): PageResponse {
  return { status, body, contentType: 'text/html; charset=utf-8', headers };
}

export function jsonResponse(status: number, value: unknown, headers: string[] = []): PageResponse {
  return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8', headers };
}

/** Send one of our own responses (never counted as app activity). */
export function sendResponse(res: ServerResponse, page: PageResponse, method?: string, security: readonly string[] = []): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(page.body);
  res.writeHead(page.status, [
    'content-type',
    page.contentType,
    'content-length',
    String(body.length),
    'cache-control',
    'no-store',
    ...security,
    ...page.headers,
  ]);
  res.end(method === 'HEAD' ? undefined : body);
}

/**
 * Answer an upgrade request on its raw socket (no websocket follows) and close the socket once written.
 */
export function sendRawResponse(socket: Duplex, page: PageResponse, security: readonly string[] = []): void {
  if (socket.destroyed) return;
  if (socket.listenerCount('error') === 0) socket.on('error', () => socket.destroy());
  const body = Buffer.from(page.body);
  let head = `HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? ''}\r\ncontent-type: ${page.contentType}\r\ncontent-length: ${body.length}\r\ncache-control: no-store\r\nconnection: close\r\n`;
  for (const h of [security, page.headers]) for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]));
  socket.once('finish', () => socket.destroy());
}
