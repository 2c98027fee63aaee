import type { BuildError } from '../../core/index.js';

/** A failed build's message: the builder's summary (its cause first), the failed step, then the log's last lines. */
export function buildErrorMessage(err: BuildError): string {
  const head = err.step && !err.message.includes(err.step) ? `${err.message}\nFailed step: ${err.step}` : err.message;
  const tail = err.logTail.replace(/\n+$/, '');
  return tail ? `${head}\n\nLast lines of the build log:\n${tail}` : head;
}
