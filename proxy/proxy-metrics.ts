/** What the proxy reports for metrics; the composition root passes an implementation (Prometheus). */
export interface ProxyMetrics {
  /** A request the proxy answered (app response or our own page), with its status and duration. */
  request(status: number, seconds: number): void;
  /** A wake was asked of the controller (once per sleep, however many requests). */
  wakeStarted(): void;
  /** The woken Space runs (`running`) or left the wake path without running (`failed`). */
  wakeEnded(outcome: 'running' | 'failed', seconds: number): void;
}

export const noProxyMetrics: ProxyMetrics = {
  request: () => undefined,
  wakeStarted: () => undefined,
  wakeEnded: () => undefined,
};
