import { describe, expect, it } from 'vitest';
import { parseControllerManagerLoad } from './controller-manager-metrics.js';
import { diffCounts, verbOf, zeroCounts } from './counting-proxy.js';

describe('verbOf', () => {
  it.each([
    ['GET', '/api/v1/namespaces/ns/pods?labelSelector=a%3Db', 'list'],
    ['GET', '/apis/apps/v1/namespaces/ns/deployments?watch=true&resourceVersion=5', 'watch'],
    ['GET', '/apis/apps/v1/namespaces/ns/deployments/web-1', 'get'],
    ['GET', '/api/v1/namespaces/ns/pods/web-1/log?tailLines=30', 'get'],
    ['GET', '/api/v1/nodes', 'list'],
    ['GET', '/apis/apps/v1', 'get'],
    ['PATCH', '/api/v1/namespaces/ns/configmaps/a?fieldManager=spaceport', 'patch'],
    ['DELETE', '/api/v1/namespaces/ns/secrets/a', 'delete'],
  ] as const)('%s %s is a %s', (method, url, verb) => {
    expect(verbOf(method, url)).toBe(verb);
  });

  it('diffs counts verb by verb', () => {
    const a = { ...zeroCounts(), list: 5, total: 5 };
    const b = { ...zeroCounts(), list: 2, total: 2 };
    expect(diffCounts(a, b)).toMatchObject({ list: 3, watch: 0, total: 3 });
  });
});

describe('parseControllerManagerLoad', () => {
  it('sums requests and rate-limiter waits over verbs and hosts', () => {
    const text = [
      '# HELP rest_client_requests_total Number of HTTP requests',
      'rest_client_requests_total{code="200",host="127.0.0.1:1",method="GET"} 10',
      'rest_client_requests_total{code="201",host="127.0.0.1:1",method="POST"} 5',
      'rest_client_rate_limiter_duration_seconds_sum{host="127.0.0.1:1",verb="POST"} 1.5',
      'rest_client_rate_limiter_duration_seconds_sum{host="127.0.0.1:1",verb="PUT"} 2.25',
      'rest_client_rate_limiter_duration_seconds_count{host="127.0.0.1:1",verb="PUT"} 99',
    ].join('\n');
    expect(parseControllerManagerLoad(text)).toEqual({ requests: 15, rateLimiterWaitS: 3.75 });
  });
});
