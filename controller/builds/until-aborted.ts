/**
 * The build's result, or a rejection as soon as `signal` aborts: a build that hangs (a step that never
 * ends, an engine that stopped answering) must not hold its Space's build slot after a timeout, a new
 * push or a restart, whether or not the builder itself notices the abort.
 */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Nobody waits for the build any more: its own rejection must not go unhandled.
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
