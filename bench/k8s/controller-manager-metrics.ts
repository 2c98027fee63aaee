/**
 * How busy the test cluster's kube-controller-manager was: its client's requests and the time they
 * waited in its client-side rate limiter (`--kube-api-qps`, 20 per controller by default), read
 * from its /metrics. Time to ready of many Spaces is paced there (Deployment → ReplicaSet → Pod),
 * not in Spaceport. Undefined when the cluster's ports file or the endpoint is not there.
 */
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as k8s from '@kubernetes/client-node';

export interface ControllerManagerLoad {
  requests: number;
  /** Seconds its requests waited in the client-side rate limiter, summed over requests. */
  rateLimiterWaitS: number;
}

function sumOf(text: string, metric: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

export function parseControllerManagerLoad(metricsText: string): ControllerManagerLoad {
  return {
    requests: sumOf(metricsText, 'rest_client_requests_total'),
    rateLimiterWaitS: sumOf(metricsText, 'rest_client_rate_limiter_duration_seconds_sum'),
  };
}

export async function readControllerManagerLoad(admin: k8s.KubeConfig, stateDir: string): Promise<ControllerManagerLoad | undefined> {
  try {
    const ports = await readFile(path.join(stateDir, 'ports.env'), 'utf8');
    const port = Number(/^CONTROLLER_MANAGER_PORT=(\d+)$/m.exec(ports)?.[1]);
    if (!port) return undefined;
    const tls: https.RequestOptions = {};
    await admin.applyToHTTPSOptions(tls);
    const text = await new Promise<string>((resolve, reject) => {
      // Its serving certificate is self-signed: the admin client certificate is what matters here.
      const req = https.get({ host: '127.0.0.1', port, path: '/metrics', cert: tls.cert, key: tls.key, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics answered ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
    return parseControllerManagerLoad(text);
  } catch {
    return undefined;
  }
}

export function diffLoad(after: ControllerManagerLoad | undefined, before: ControllerManagerLoad | undefined): ControllerManagerLoad | undefined {
  if (!after || !before) return undefined;
  return { requests: after.requests - before.requests, rateLimiterWaitS: after.rateLimiterWaitS - before.rateLimiterWaitS };
}
