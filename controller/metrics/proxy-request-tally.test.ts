import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ProxyRequestTally } from './proxy-request-tally.js';

const BUCKETS = [0.005, 0.01, 0.1, 1, 10];
const HELP_C = 'requests';
const HELP_H = 'durations';

/** The same observations through prom-client's own Counter and Histogram: the exposition ours must match. */
async function promClientText(observations: Array<[number, number]>): Promise<string> {
  const registers = [new Registry()];
  const counter = new Counter({ name: 'x_requests_total', help: HELP_C, labelNames: ['code'], registers });
  const histogram = new Histogram({ name: 'x_duration_seconds', help: HELP_H, labelNames: ['code'], buckets: BUCKETS, registers });
  for (const code of ['2xx', '3xx', '4xx', '5xx']) counter.inc({ code }, 0);
  for (const [status, seconds] of observations) {
    const code = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
    counter.inc({ code });
    histogram.observe({ code }, seconds);
  }
  return registers[0]!.metrics();
}

async function tallyText(observations: Array<[number, number]>): Promise<string> {
  const registry = new Registry();
  const tally = new ProxyRequestTally(BUCKETS);
  for (const m of [tally.counter('x_requests_total', HELP_C), tally.histogram('x_duration_seconds', HELP_H)]) {
    registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  for (const [status, seconds] of observations) tally.record(status, seconds);
  return registry.metrics();
}

/** Lines sorted: prom-client orders label sets by first use, ours by class. */
const lines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('ProxyRequestTally', () => {
  it('prints what prom-client prints for the same requests: counts by class, cumulative buckets, sums', async () => {
    const seen: Array<[number, number]> = [
      [200, 0.001],
      [200, 0.005], // on a bucket's edge: counted in it (le)
      [204, 0.2],
      [304, 0.05],
      [404, 0.003],
      [502, 12],
      [101, 0.01],
      [999, 0.5],
      [200, 0.0075],
    ];
    expect(lines(await tallyText(seen))).toEqual(lines(await promClientText(seen)));
  });

  it('shows the four usual classes at 0 before any request, and no histogram series', async () => {
    const text = await tallyText([]);
    expect(lines(text)).toEqual(lines(await promClientText([])));
    expect(text).toContain('x_requests_total{code="2xx"} 0');
    expect(text).not.toContain('x_duration_seconds_bucket');
  });
});
