import type { LogLine } from '../../../core/index.js';

/**
 * One line of `kubectl logs --timestamps` output (`2026-11-25T21:00:00.123456789Z text`) as a
 * LogLine with a millisecond ISO timestamp; undefined for an empty line.
 */
export function parseKubernetesLogLine(raw: string): LogLine | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line === '') return undefined;
  const space = line.indexOf(' ');
  const stamp = space > 0 ? line.slice(0, space) : line;
  const when = Date.parse(stamp);
  if (Number.isNaN(when)) return { timestamp: new Date().toISOString(), data: line };
  return { timestamp: new Date(when).toISOString(), data: space > 0 ? line.slice(space + 1) : '' };
}
