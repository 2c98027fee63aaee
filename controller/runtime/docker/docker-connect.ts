import Dockerode from 'dockerode';
import { dockerStatus, fail } from '../../../core/index.js';

/** A dockerode client for a DOCKER_HOST value (`unix:///path`, `tcp://host:port`), or the default socket. */
export function connectDocker(dockerHost?: string): Dockerode {
  if (dockerHost === undefined || dockerHost === '') return new Dockerode({ socketPath: '/var/run/docker.sock' });
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Dockerode({ socketPath: url.pathname });
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    return new Dockerode({ host: url.hostname, port: url.port || 2375, protocol: 'http' });
  }
  throw fail('dockerHostUnsupported', { dockerHost });
}

/** Await a Docker call, treating the given HTTP statuses (404: gone, 304: already so, …) as success. */
export async function ignoreStatus(p: Promise<unknown>, statuses: number[]): Promise<void> {
  try {
    await p;
  } catch (err) {
    const status = dockerStatus(err);
    if (status === undefined || !statuses.includes(status)) throw err;
  }
}

export function toBuffer(out: unknown): Buffer {
  if (Buffer.isBuffer(out)) return out;
  if (typeof out === 'string') return Buffer.from(out);
  return Buffer.alloc(0);
}

/** Docker could not bind the host port it picked for the app (`docker-proxy`: address already in use). */
const PORT_TAKEN_RE = /address already in use|port is already allocated/i;
const START_PORT_ATTEMPTS = 4;

/**
 * Start a container (already started is fine). The host port Docker picked can be taken meanwhile
 * (on a busy host, by a connection's own ephemeral port): starting again picks another one.
 */
export async function startContainer(container: Dockerode.Container, onRetry: (attempt: number) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await container.start();
      return;
    } catch (err) {
      if (dockerStatus(err) === 304) return;
      if (attempt < START_PORT_ATTEMPTS && PORT_TAKEN_RE.test(String((err as Error).message))) {
        onRetry(attempt);
        continue;
      }
      throw err;
    }
  }
}
