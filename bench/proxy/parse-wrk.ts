export interface WrkResult {
  rps: number;
  /** Requests completed during the run. */
  requests: number;
  /** Present when wrk ran with `--latency`. */
  p50Ms?: number;
  p99Ms?: number;
  /** Non-2xx/3xx responses plus socket errors: must be 0 for a valid run. */
  errors: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  switch (unit) {
    case 'us':
      return n / 1000;
    case 'ms':
      return n;
    case 's':
      return n * 1000;
    case 'm':
      return n * 60_000;
    default:
      throw new Error(`unknown wrk latency unit "${unit}"`);
  }
}

/** Read req/s, the latency distribution and error counts from wrk's text output. */
export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1];
  if (rps === undefined) throw new Error(`wrk output has no Requests/sec line:\n${output}`);
  const pct = (p: string): number | undefined => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    return m ? toMs(m[1]!, m[2]!) : undefined;
  };
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  let errors = 0;
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  if (non2xx) errors += Number(non2xx[1]);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (sock) errors += Number(sock[1]) + Number(sock[3]) + Number(sock[4]); // read errors include closes at the end
  return { rps: Number(rps), requests, p50Ms: pct('50'), p99Ms: pct('99'), errors };
}
