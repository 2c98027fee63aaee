import { describe, expect, it } from 'vitest';
import { parseWrk } from './parse-wrk.js';

const LATENCY = `Running 10s test @ http://127.0.0.1:8080/
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    92.10us   40.12us   2.10ms   95.00%
    Req/Sec    10.50k   500.00    11.00k    70.00%
  Latency Distribution
     50%   85.00us
     75%   95.00us
     90%  110.00us
     99%    1.20ms
  105000 requests in 10.00s, 12.00MB read
Requests/sec:  10500.12
Transfer/sec:      1.20MB
`;

describe('parseWrk', () => {
  it('reads rps and the latency distribution in ms', () => {
    expect(parseWrk(LATENCY)).toEqual({ rps: 10500.12, requests: 105000, p50Ms: 0.085, p99Ms: 1.2, errors: 0 });
  });

  it('counts non-2xx responses and socket errors', () => {
    const out = `  Socket errors: connect 0, read 3, write 1, timeout 2\n  Non-2xx or 3xx responses: 7\nRequests/sec:   100.00\n`;
    expect(parseWrk(out)).toEqual({ rps: 100, requests: 0, p50Ms: undefined, p99Ms: undefined, errors: 10 });
  });

  it('fails loudly on output it does not understand', () => {
    expect(() => parseWrk('unable to connect')).toThrow(/Requests\/sec/);
  });
});
