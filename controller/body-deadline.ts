import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodyDeadline {
  /** No body byte for this long closes the connection (and, with `watchResponse`, an answer the client stops reading). */
  idleMs: number;
  /** Past this, the body must have averaged `minBytesPerSecond`. */
  graceMs: number;
  minBytesPerSecond: number;
}

export type BodyTimeout = 'idle' | 'slow' | 'stalled';

/** A request that carries a body (a length over 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Gives a request's body a deadline: the connection is closed when no byte arrives for `idleMs`
 * (Node's socket timeout, which every byte parsed resets), or when, past `graceMs`, the body has
 * come slower than `minBytesPerSecond` on average: a trickle cannot hold the server, a slow but
 * steady upload of any size goes on. Once the body is in, the handler may take its time to answer.
 * With `watchResponse` (git, whose answer is piped from a process), an answer the client stops
 * reading for `idleMs` also closes the connection, so the process behind it ends.
 */
export function guardBody(
  req: IncomingMessage,
  res: ServerResponse,
  limits: BodyDeadline,
  opts: { watchResponse?: boolean; onTimeout?: (why: BodyTimeout) => void } = {},
): void {
  const socket = req.socket;
  let closed = false;
  const close = (why: BodyTimeout): void => {
    if (closed) return;
    closed = true;
    opts.onTimeout?.(why);
    socket.destroy();
  };
  const watchResponse = (): void => {
    if (!opts.watchResponse) return;
    let stalledSince: number | undefined;
    const watch = setInterval(() => {
      if (res.writableFinished || socket.destroyed) return void clearInterval(watch);
      if (!res.writableNeedDrain) stalledSince = undefined;
      else if ((stalledSince ??= Date.now()) + limits.idleMs < Date.now()) {
        clearInterval(watch);
        close('stalled');
      }
    }, Math.min(1000, limits.idleMs / 4));
    watch.unref();
  };
  if (!hasBody(req)) return watchResponse();

  socket.setTimeout(limits.idleMs);
  // With a listener, Node leaves the socket to us (it would destroy it silently otherwise).
  const onIdle = (): void => {
    if (!req.complete) close('idle');
  };
  res.on('timeout', onIdle);
  const started = Date.now();
  const startBytes = socket.bytesRead;
  const check = setInterval(() => {
    if (req.complete) return void clearInterval(check);
    const elapsed = Date.now() - started;
    const got = socket.bytesRead - startBytes;
    if (elapsed > limits.graceMs + (got * 1000) / limits.minBytesPerSecond) {
      clearInterval(check);
      close('slow');
    }
  }, Math.min(1000, limits.graceMs));
  check.unref();
  req.once('end', () => {
    clearInterval(check);
    res.off('timeout', onIdle);
    // Node sets its keep-alive timeout once the response is done; until then none.
    if (!res.writableFinished && !socket.destroyed) socket.setTimeout(0);
    watchResponse();
  });
  req.once('close', () => clearInterval(check));
}
