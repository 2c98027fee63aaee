export { SpaceportMetrics, countByStage, type MetricsSources } from './spaceport-metrics.js';
export { createMetricsEndpoint, mayScrape, METRICS_PATH, type MetricsAccess, type MetricsEndpointOptions } from './metrics-endpoint.js';
