import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { LogLine } from '../../../core/index.js';
import { CONTAINER_NAME } from './kubernetes-manifests.js';
import { parseKubernetesLogLine } from './kubernetes-log-line.js';
import type { RunLogOptions } from '../runtime.js';

/**
 * The app container's log of one pod as LogLines (`--timestamps`, parsed): with `follow`, until the
 * container stops or `signal` aborts; `previous`: the container before the last restart. Rejects
 * with the client's error (the caller maps it); an abort ends it quietly.
 */
export async function* streamPodLog(
  kc: k8s.KubeConfig,
  o: RunLogOptions & { namespace: string; pod: string; previous: boolean },
): AsyncIterable<LogLine> {
  const out = new PassThrough();
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const request = new k8s.Log(kc)
    .log(o.namespace, o.pod, CONTAINER_NAME, out, {
      follow: o.follow,
      timestamps: true,
      ...(o.tail !== undefined ? { tailLines: o.tail } : {}),
      ...(o.previous ? { previous: true } : {}),
    })
    .then((inner) => {
      if (ac.signal.aborted) inner.abort();
      else ac.signal.addEventListener('abort', () => inner.abort(), { once: true });
    })
    .catch((err: unknown) => out.destroy(err as Error));
  ac.signal.addEventListener('abort', () => out.end(), { once: true });
  try {
    await request;
    for await (const raw of createInterface({ input: out, crlfDelay: Infinity })) {
      if (ac.signal.aborted) break;
      const line = parseKubernetesLogLine(raw);
      if (line) yield line;
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    ac.abort();
  }
}
