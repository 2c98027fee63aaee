/**
 * The proxy's per-request metrics (`spaceport_proxy_requests_total{code}` and
 * `spaceport_proxy_request_duration_seconds{code}`), counted in plain arrays: a request pays an index,
 * two additions and a bucket scan, not prom-client's label hashing and validation on two metrics
 * (about 5 µs of a ~90 µs proxied request on our machines: docs/benchmarks.md, s31). The registry
 * reads them as two metrics of its own kind (`get()`), in prom-client's text exposition.
 */

/** The status classes, by index: `Math.floor(status / 100) - 1` for 100–599, else `other`. */
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;
/** Classes shown at 0 from the first scrape (rates work at once); the others once they occur. */
const ALWAYS = new Set<string>(['2xx', '3xx', '4xx', '5xx']);

function classIndex(status: number): number {
  return status >= 100 && status < 600 ? Math.floor(status / 100) - 1 : 5;
}

/** What prom-client's Registry reads from a metric: its `get()` result. */
interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}
interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}
/** A metric the Registry can hold (`registerMetric`) and print. */
export interface RegistryMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<MetricData>;
  reset(): void;
}

export class ProxyRequestTally {
  readonly #buckets: readonly number[];
  /** Per class: requests, the sum of their seconds, and per bucket (then +Inf) the count that fell in it. */
  #count = new Float64Array(CLASSES.length);
  #sum = new Float64Array(CLASSES.length);
  #inBucket: Float64Array[];

  constructor(buckets: readonly number[]) {
    this.#buckets = [...buckets].sort((a, b) => a - b);
    this.#inBucket = CLASSES.map(() => new Float64Array(this.#buckets.length + 1));
  }

  /** One answered request: its status and seconds from arrival to the end of its response. */
  record(status: number, seconds: number): void {
    const c = classIndex(status);
    this.#count[c]! += 1;
    this.#sum[c]! += seconds;
    const b = this.#buckets;
    let i = 0;
    while (i < b.length && seconds > b[i]!) i++;
    this.#inBucket[c]![i]! += 1;
  }

  #reset(): void {
    this.#count.fill(0);
    this.#sum.fill(0);
    for (const a of this.#inBucket) a.fill(0);
  }

  /** `spaceport_proxy_requests_total{code}` as the Registry reads it. */
  counter(name: string, help: string): RegistryMetric {
    const values = (): MetricValue[] =>
      CLASSES.flatMap((code, c) => (ALWAYS.has(code) || this.#count[c]! > 0 ? [{ value: this.#count[c]!, labels: { code } }] : []));
    return this.#metric(name, help, 'counter', values);
  }

  /** `spaceport_proxy_request_duration_seconds{code}`: cumulative `_bucket{le}`, `_sum` and `_count`, for the classes seen. */
  histogram(name: string, help: string): RegistryMetric {
    const values = (): MetricValue[] => {
      const out: MetricValue[] = [];
      CLASSES.forEach((code, c) => {
        if (this.#count[c] === 0) return;
        let cumulative = 0;
        const counts = this.#inBucket[c]!;
        this.#buckets.forEach((le, i) => {
          cumulative += counts[i]!;
          out.push({ value: cumulative, labels: { le, code }, metricName: `${name}_bucket` });
        });
        out.push({ value: cumulative + counts[this.#buckets.length]!, labels: { le: '+Inf', code }, metricName: `${name}_bucket` });
        out.push({ value: this.#sum[c]!, labels: { code }, metricName: `${name}_sum` });
        out.push({ value: this.#count[c]!, labels: { code }, metricName: `${name}_count` });
      });
      return out;
    };
    return this.#metric(name, help, 'histogram', values);
  }

  #metric(name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[]): RegistryMetric {
    return {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
      reset: () => this.#reset(),
    };
  }
}
